import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_KEY_LENGTH, parseDurationMs, parseWindows } from '../../src/leaderboard/index.js';
import { authFailure, boardsWithClock } from './helpers.js';

test('parseWindows keeps the operator\'s labels and refuses bad lists', () => {
  assert.deepEqual(parseWindows('5m,1h,24h'), {
    ok: true,
    windows: [
      { label: '5m', ms: 300_000 },
      { label: '1h', ms: 3_600_000 },
      { label: '24h', ms: 86_400_000 },
    ],
  });
  assert.deepEqual(parseWindows(' 90s , 1h30m '), {
    ok: true,
    windows: [
      { label: '90s', ms: 90_000 },
      { label: '1h30m', ms: 5_400_000 },
    ],
  });
  for (const bad of ['', '5m,', '0s', '5 m', '1m1h', '5x', '-5m', '24h,1d']) {
    assert.equal(parseWindows(bad).ok, false, bad);
  }
  assert.equal(parseDurationMs('1w2d'), 9 * 86_400_000);
  assert.equal(parseDurationMs('250ms'), 250);
});

test('createLeaderboards refuses options that cannot work', () => {
  const bad = [
    { windows: [] },
    { windows: [{ label: '5m', ms: 0 }] },
    {
      windows: [
        { label: '5m', ms: 300_000 },
        { label: '5m', ms: 600_000 },
      ],
    },
    { maxKeys: 0 },
    { size: 1.5 },
    { bucketsPerWindow: 0 },
    { maxIpsPerUser: -1 },
  ];
  for (const o of bad) assert.throws(() => boardsWithClock(o), RangeError, JSON.stringify(o));
});

test('an oversized key from a garbled line is cut, not stored whole', () => {
  const { boards } = boardsWithClock();
  boards.observe(authFailure('x'.repeat(1_000_000), '\u0000'.repeat(1000)));
  const s = boards.snapshot();
  assert.equal(s.auth_failure_users['5m']?.[0]?.key.length, MAX_KEY_LENGTH);
  assert.equal(s.auth_failure_ips['5m']?.[0]?.key.length, MAX_KEY_LENGTH);
});
