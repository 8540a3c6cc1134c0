import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SlidingCount, SlidingDistinct } from '../../src/leaderboard/sliding.js';
import { TopN } from '../../src/leaderboard/board.js';

test('SlidingCount drops buckets that left the window when adding, without waiting for a scrape', () => {
  const count = new SlidingCount(60);
  for (let bucket = 0; bucket < 1000; bucket++) count.add(bucket, 1);
  assert.equal(count.total, 60, 'only the 60 live buckets are held');
  assert.equal(count.expire(990), 10);
  assert.equal(count.expire(2000), 0);
  count.add(2000, 3);
  count.add(1990, 2); // older than the newest bucket: joins it
  assert.equal(count.expire(2000), 5);
});

test('SlidingDistinct counts an item once, from its last sighting, up to its cap', () => {
  const ips = new SlidingDistinct(60, 3);
  ips.add(0, 'a');
  ips.add(1, 'b');
  ips.add(2, 'a');
  assert.equal(ips.total, 2);
  assert.equal(ips.expire(2), 1, "'b' expired, 'a' was seen again in bucket 2");
  ips.add(3, 'c');
  ips.add(3, 'd');
  ips.add(3, 'e');
  assert.equal(ips.total, 3, 'capped');
  assert.equal(ips.expire(3), 3);
});

test('TopN equals sorting everything and taking the first N (property)', () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.tuple(fc.string({ maxLength: 4 }), fc.integer({ min: 1, max: 5 })), {
        selector: ([k]) => k,
        maxLength: 50,
      }),
      fc.integer({ min: 1, max: 10 }),
      (entries, n) => {
        const top = new TopN(n);
        for (const [key, value] of entries) top.offer(key, value);
        const expected = entries
          .map(([key, value]) => ({ key, value }))
          .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
          .slice(0, n);
        assert.deepEqual(top.entries, expected);
      },
    ),
  );
});
