import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { CounterFamily, GaugeFamily, HistogramFamily } from '../../src/metrics/tally.js';

test('counter forms with and without arrays reach the same series', async () => {
  const r = new Registry();
  const c = new CounterFamily<readonly [a: string, b: string, c: string]>(r, 't_total', 'help', ['a', 'b', 'c'] as const);
  c.inc(['x', 'y', 'z']);
  c.inc3('x', 'y', 'z', 2);
  c.inc(['x', 'y', 'w'], 5);
  assert.equal(c.value('x', 'y', 'z'), 3);
  assert.equal(c.value('x', 'y', 'w'), 5);
  const one = new CounterFamily<readonly [a: string]>(r, 'u_total', 'help', ['a'] as const);
  one.inc1('p');
  one.inc(['p']);
  const none = new CounterFamily<readonly []>(r, 'v_total', 'help', [] as const);
  none.inc0();
  none.inc([], 2);
  const text = await r.metrics();
  assert.match(text, /^t_total\{a="x",b="y",c="z"\} 3$/m);
  assert.match(text, /^u_total\{a="p"\} 2$/m);
  assert.match(text, /^v_total 3$/m);
});

test('a cleared gauge renders a series that comes back after the clear', async () => {
  const r = new Registry();
  const g = new GaugeFamily<readonly [k: string]>(r, 'g', 'help', ['k'] as const);
  g.set(['a'], 1);
  g.clear();
  assert.doesNotMatch(await r.metrics(), /^g\{/m);
  g.set(['a'], 2);
  assert.match(await r.metrics(), /^g\{k="a"\} 2$/m);
});

test('histogram buckets are cumulative and restore exactly', async () => {
  const r = new Registry();
  const h = new HistogramFamily<readonly []>(r, 'h_seconds', 'help', [] as const, [1, 5]);
  for (const v of [0.5, 1, 3, 7, Number.NaN]) h.observe([], v);
  const text = await r.metrics();
  assert.match(text, /^h_seconds_bucket\{le="1"\} 2$/m);
  assert.match(text, /^h_seconds_bucket\{le="5"\} 3$/m);
  assert.match(text, /^h_seconds_bucket\{le="\+Inf"\} 4$/m);
  assert.match(text, /^h_seconds_sum 11.5$/m);
  const r2 = new Registry();
  const h2 = new HistogramFamily<readonly []>(r2, 'h_seconds', 'help', [] as const, [1, 5]);
  h2.restore(JSON.parse(JSON.stringify(h.snapshot())));
  assert.equal(await r2.metrics(), text);
});
