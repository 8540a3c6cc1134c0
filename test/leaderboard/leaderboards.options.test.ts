import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_KEY_LENGTH } from '../../src/leaderboard/index.js';
import { authFailure, boardsWithClock } from './helpers.js';

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
