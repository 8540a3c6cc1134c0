import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRecentWindow } from '../../src/metrics/recent.js';

test('the last hour is the growth since the oldest sample inside the hour; the ring stays bounded', () => {
  let t = 0;
  let total = 1000; // restored from a checkpoint: not recent
  const w = createRecentWindow({ keys: ['a', 'b'] as const, read: () => ({ a: total }), now: () => t });
  assert.deepEqual(w.recent(), { seconds: 0, counts: { a: 0, b: 0 } });
  w.sample();
  // 10 per minute for three hours, sampled every 10 seconds (samples closer than a minute are skipped)
  for (let minute = 1; minute <= 180; minute++) {
    for (let s = 0; s < 6; s++) {
      t += 10_000;
      w.sample();
      if (s === 2) total += 10; // mid-minute
    }
  }
  const r = w.recent();
  assert.equal(r.seconds, 3600);
  assert.equal(r.counts.a, 600);
  assert.equal(r.counts.b, 0);
});

test('right after start the window is as long as the exporter has run', () => {
  let t = 5_000;
  let total = 7;
  const w = createRecentWindow({ keys: ['x'] as const, read: () => ({ x: total }), now: () => t });
  w.sample();
  t += 90_000;
  total += 3;
  assert.deepEqual(w.recent(), { seconds: 90, counts: { x: 3 } });
});
