import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { Column, Sampler, StepClock } from '../../src/backfill/sampler.js';
import { CounterFamily, GaugeFamily, HistogramFamily } from '../../src/metrics/tally.js';

test('Column keeps values across chunk boundaries', () => {
  const c = new Column();
  for (let i = 0; i < 5000; i++) c.push(i * 0.5);
  assert.equal(c.length, 5000);
  assert.equal(c.get(0), 0);
  assert.equal(c.get(1023), 511.5);
  assert.equal(c.get(1024), 512);
  assert.equal(c.get(4999), 2499.5);
  assert.equal(c.last(), 2499.5);
});

function values(sampler: Sampler, familyIndex: number, seriesIndex: number, column = 0): number[] {
  const s = sampler.families()[familyIndex]!.series[seriesIndex]!;
  const out: number[] = [];
  for (const seg of s.segments) for (let i = 0; i < seg.columns[column]!.length; i++) out.push(seg.columns[column]!.get(i));
  return out;
}

test('Sampler: series appear at their first sample and repeat unchanged values without a snapshot', () => {
  const reg = new Registry();
  const counter = new CounterFamily<readonly [result: string]>(reg, 'qmail_t_total', 'h', ['result'] as const);
  const sampler = new Sampler([counter]);
  counter.preset('a');
  sampler.sample(true);
  counter.inc(['a'], 2);
  counter.inc(['b']);
  sampler.sample(true);
  sampler.sample(false);
  counter.inc(['b'], 3);
  sampler.sample(true);
  assert.equal(sampler.steps, 4);
  const [a, b] = sampler.families()[0]!.series;
  assert.deepEqual(a!.labels, ['a']);
  assert.deepEqual(values(sampler, 0, 0), [0, 2, 2, 2]);
  assert.deepEqual(b!.labels, ['b']);
  assert.equal(b!.segments[0]!.firstStep, 1);
  assert.deepEqual(values(sampler, 0, 1), [1, 1, 4]);
  assert.equal(sampler.values(), 7);
});

test('Sampler: histogram columns are cumulative buckets, +Inf, sum, count', () => {
  const reg = new Registry();
  const h = new HistogramFamily<readonly []>(reg, 'qmail_t_bytes', 'h', [] as const, [10, 100]);
  const sampler = new Sampler([h]);
  h.observe([], 5);
  h.observe([], 50);
  h.observe([], 500);
  sampler.sample(true);
  const seg = sampler.families()[0]!.series[0]!.segments[0]!;
  assert.deepEqual(
    seg.columns.map((c) => c.get(0)),
    [1, 2, 3, 555, 3],
  );
});

test('Sampler: a series that vanishes and returns gets a second segment', () => {
  const reg = new Registry();
  const g = new GaugeFamily<readonly [k: string]>(reg, 'qmail_t', 'h', ['k'] as const);
  const sampler = new Sampler([g]);
  g.set(['x'], 1);
  sampler.sample(true);
  g.clear();
  sampler.sample(true);
  g.set(['x'], 3);
  sampler.sample(true);
  const s = sampler.families()[0]!.series[0]!;
  assert.equal(s.segments.length, 2);
  assert.deepEqual(
    s.segments.map((seg) => [seg.firstStep, seg.columns[0]!.length]),
    [
      [0, 1],
      [2, 1],
    ],
  );
});

test('StepClock: the sample at B holds exactly the updates before B', () => {
  const taken: number[] = [];
  let recorded = 0;
  const clock = new StepClock(60_000, { min: 0, max: 1e10 }, () => taken.push(recorded));
  const record = (t: number | null): void => {
    clock.advance(t);
    recorded++;
  };
  record(1000.5); // first time: sample at 960 (nothing recorded yet)
  record(1019);
  record(1020); // exactly on the boundary 1020: sampled before it is counted
  record(null); // no time: counted, clock unmoved
  record(1000); // earlier than the clock: counted towards the next sample
  record(1260); // jump over 1080..1260: each boundary sampled, flat
  clock.finish();
  assert.equal(clock.startMs, 960_000);
  assert.deepEqual(taken, [0, 2, 5, 5, 5, 5, 6]);
  assert.equal(clock.timeOfStep(6), 1320_000);
});

test('StepClock: times outside the believable range do not move it', () => {
  let n = 0;
  const clock = new StepClock(1000, { min: 100, max: 200 }, () => n++);
  clock.advance(5); // a broken stamp from 1970
  clock.advance(1e9); // far in the future
  assert.equal(clock.started, false);
  clock.advance(150);
  clock.advance(1e9);
  assert.equal(n, 1);
  clock.finish();
  assert.equal(n, 2);
});
