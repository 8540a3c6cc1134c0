/**
 * The young-generation cap (src/heap.ts), in real node processes: V8's new space stops at the cap
 * and stays there, a node flag of the user's own turns the cap off, and the pipeline counts the same
 * lines whatever the young generation's size.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdleCollector, scavengeThreadsSetByFlags, youngGenerationSizedByFlags } from '../src/heap.js';
import { writeSimulatedLog } from '../src/sim/writer.js';

const MiB = 1024 * 1024;

/**
 * A child that allocates like the pipeline (short-lived strings, a growing set of survivors,
 * checkYoungGeneration() after every batch) and prints the new space's size at the end.
 */
const CHILD = `
import { getHeapSpaceStatistics } from 'node:v8';
import { capYoungGeneration, checkYoungGeneration } from './src/heap.ts';
if (process.env.CAP) capYoungGeneration(Number(process.env.CAP));
const survivors = [];
for (let batch = 0; batch < 4000; batch++) {
  for (let i = 0; i < 500; i++) {
    const s = 'line ' + batch + ' ' + i + ' ' + 'x'.repeat(i % 100);
    if (i % 50 === 0) survivors.push(s);
  }
  checkYoungGeneration();
}
const ns = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
console.log(JSON.stringify({ newSpace: ns.space_size, survivors: survivors.length }));
`;

function runChild(env: Record<string, string>, nodeArgs: string[] = []): { newSpace: number; survivors: number } {
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', CHILD], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { newSpace: number; survivors: number };
}

test('the young generation grows past 4 MiB semi-spaces by itself, and stops at the cap when asked', () => {
  const free = runChild({});
  assert.ok(free.newSpace > 8 * MiB, `without the cap V8 grows the new space (here to ${free.newSpace / MiB} MiB)`);
  for (const cap of [2, 4]) {
    const capped = runChild({ CAP: String(cap) });
    // both semi-spaces: 2 × the cap
    assert.equal(capped.newSpace, 2 * cap * MiB, `cap ${cap} MiB`);
    assert.equal(capped.survivors, free.survivors);
  }
});

test('a semi-space flag of the user\'s own wins: the cap is not installed', () => {
  assert.equal(youngGenerationSizedByFlags([], undefined), false);
  assert.equal(youngGenerationSizedByFlags(['--max-old-space-size=128'], '--enable-source-maps'), false);
  assert.equal(youngGenerationSizedByFlags(['--max-semi-space-size=16'], undefined), true);
  assert.equal(youngGenerationSizedByFlags([], '--max-old-space-size=96 --max_semi_space_size=8'), true);
  assert.equal(youngGenerationSizedByFlags(['--min-semi-space-size=2'], ''), true);
  assert.equal(youngGenerationSizedByFlags(['--semi-space-growth-factor=4'], ''), true);
  assert.equal(youngGenerationSizedByFlags(['--max-semi-space-sizes=1'], ''), false);
  assert.equal(youngGenerationSizedByFlags(['--parallel-scavenge'], ''), false);
});

test('a scavenge-threads flag of the user\'s own wins: the main-thread scavenges are not installed', () => {
  assert.equal(scavengeThreadsSetByFlags([], undefined), false);
  // the systemd unit and the image size the young generation; that leaves the threads to us
  assert.equal(scavengeThreadsSetByFlags([], '--max-old-space-size=128 --max-semi-space-size=4'), false);
  assert.equal(scavengeThreadsSetByFlags(['--parallel-scavenge'], ''), true);
  assert.equal(scavengeThreadsSetByFlags([], '--no_parallel_scavenge'), true);
  assert.equal(scavengeThreadsSetByFlags(['--single-threaded-gc'], ''), true);
  assert.equal(scavengeThreadsSetByFlags(['--parallel-scavenge-threads=2'], ''), false);
});

test('report counts the same lines with a 1 MiB, the capped and a 16 MiB young generation', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-heap-'));
  try {
    const log = join(dir, 'maillog');
    await writeSimulatedLog(log, { startTime: 1_700_000_000, lines: 60_000, seed: 7, profile: 'abuse' });
    const report = (nodeArgs: string[]): string => {
      const r = spawnSync(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/cli.ts', 'report', '--format=prometheus', log], {
        encoding: 'utf8',
        timeout: 120_000,
        env: { ...process.env, TZ: 'UTC' },
      });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout;
    };
    const capped = report([]);
    assert.match(capped, /^qmail_exporter_log_lines_total\{result="counted"\} [1-9]/m);
    assert.equal(report(['--max-semi-space-size=1']), capped);
    assert.equal(report(['--max-semi-space-size=16']), capped);
    assert.equal(report(['--parallel-scavenge']), capped);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the idle collector collects once a burst has left garbage and the process is quiet, never while it is busy', () => {
  const MB = 1024 * 1024;
  let used = 10 * MB;
  let cpuMs = 0;
  let clock = 0;
  let collections = 0;
  const c = createIdleCollector({
    usedBytes: () => used,
    cpuMicros: () => cpuMs * 1000,
    now: () => clock,
    collect: () => {
      collections++;
      used = 11 * MB; // what survives
      cpuMs += 40; // a collection takes CPU too
    },
  });
  /** one second passes, with this much CPU used and this much heap in use at its end */
  const second = (cpu: number, heapMb: number): boolean => {
    clock += 1000;
    cpuMs += cpu;
    used = heapMb * MB;
    return c.tick();
  };
  // a catch-up: a whole core busy, the heap up and down as the young generation fills and empties
  for (const u of [14, 22, 30, 29.5, 38, 31]) assert.equal(second(980, u), false, `busy at ${u} MB`);
  // quiet now (scrapes only: 20 ms of CPU a second), 21 MB above where it started
  assert.equal(second(20, 31), true);
  assert.equal(collections, 1);
  // quiet and nothing new: nothing to do, however often it looks; the collection's CPU is not counted
  for (let i = 0; i < 10; i++) assert.equal(second(20, 12), false);
  // a little garbage while quiet is left to V8
  assert.equal(second(20, 20), false);
  // V8 collected by itself: the next threshold counts from there
  assert.equal(second(20, 9), false);
  assert.equal(second(20, 24), false, '15 MB above the low point: not yet');
  // busy again (a rotated file read at once): not while it lasts, at once when it ends
  assert.equal(second(600, 27), false);
  assert.equal(second(30, 27), true, '18 MB above the low point, quiet');
  assert.equal(collections, 2);
});

test('the compacting collection hands fragmented old-generation pages back (real V8)', () => {
  const child = `
import { getHeapSpaceStatistics } from 'node:v8';
import { compactingGarbageCollector } from './src/heap.ts';
const gc = compactingGarbageCollector();
if (gc === null) { console.log(JSON.stringify({ unavailable: true })); process.exit(0); }
// old-generation pages with a few live objects each: every 20th object of a large array survives
let all = [];
const keep = [];
for (let i = 0; i < 600000; i++) { const o = { i, s: 'x' + i }; all.push(o); if (i % 20 === 0) keep.push(o); }
all = null;
const old = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size;
const before = old();
gc();
console.log(JSON.stringify({ before, after: old(), kept: keep.length }));
`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { unavailable?: boolean; before: number; after: number; kept: number };
  assert.notEqual(out.unavailable, true, 'this node refuses V8 flags at run time');
  assert.equal(out.kept, 30000);
  assert.ok(out.before > 20 * MiB, `old generation before: ${out.before / MiB} MiB`);
  assert.ok(out.after < out.before / 2, `old generation ${out.before / MiB} → ${out.after / MiB} MiB`);
});

test('the commands scavenge on the main thread, unless node\'s own flags say otherwise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-heap-'));
  try {
    const log = join(dir, 'maillog');
    await writeSimulatedLog(log, { startTime: 1_700_000_000, lines: 100_000, seed: 3, profile: 'abuse' });
    // --trace-gc-nvp prints, per scavenge, the time helper threads spent on it. The first ones come
    // before cli.ts runs (module loading, tsx): only the second half, all read from the log, counts.
    const helperMs = (nodeArgs: string[]): { scavenges: number; helperMs: number } => {
      const r = spawnSync(process.execPath, ['--trace-gc-nvp', ...nodeArgs, '--import', 'tsx', 'src/cli.ts', 'report', '--format=prometheus', log], {
        encoding: 'utf8',
        timeout: 120_000,
        maxBuffer: 256 * MiB,
      });
      assert.equal(r.status, 0, r.stderr);
      const each = [...r.stdout.matchAll(/gc=s .*?background\.scavenge\.parallel=([0-9.]+)/g)].map((m) => Number(m[1]));
      const late = each.slice(Math.floor(each.length / 2));
      return { scavenges: each.length, helperMs: late.reduce((a, b) => a + b, 0) };
    };
    const ours = helperMs(['--max-semi-space-size=4']); // as the systemd unit starts node
    assert.ok(ours.scavenges > 10, `scavenges seen: ${ours.scavenges}`);
    assert.equal(ours.helperMs, 0, 'no helper thread took part in a scavenge');
    const theirs = helperMs(['--parallel-scavenge']);
    if (theirs.helperMs === 0) return t.skip('V8 used no helper thread even when allowed (one core?)');
    assert.ok(theirs.helperMs > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
