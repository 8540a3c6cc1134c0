import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_NAMES } from '../../src/leaderboard/index.js';
import { HOUR, MINUTE, authFailure, boardsWithClock, recipient, scrape } from './helpers.js';

const WINDOWS = [
  { label: '5m', ms: 5 * MINUTE },
  { label: '1h', ms: HOUR },
  { label: '24h', ms: 24 * HOUR },
];

test('100,000 distinct users and IPs: keys stay within maxKeys, evictions counted, series bounded', async () => {
  const maxKeys = 1000;
  const size = 5;
  const { boards, registry } = boardsWithClock({ windows: WINDOWS, maxKeys, size });
  const distinct = 100_000;
  for (let i = 0; i < distinct; i++) {
    const user = `user${i}@example.org`;
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    boards.observe(recipient('sent_auth_different_user', user, ip));
    boards.observe(recipient('rejected_no_auth', '', ip));
    boards.observe(recipient('sent_no_auth', '', ip));
    boards.observe(authFailure(user, ip));
    boards.observe({ event: 'queue.info', time: null, msg: i, bytes: 900, sender: user, qp: i, uid: 100_000 + i });
    boards.observe({ event: 'delivery.result', time: null, delivery: i, result: 'deferral', reason: 'blocklisted', channel: 'remote', domain: `d${i}.example` });
  }

  const { keys, evictions } = boards.stats();
  for (const board of BOARD_NAMES) {
    assert.equal(keys[board], maxKeys, `${board} tracks at most maxKeys`);
    assert.equal(evictions[board], distinct - maxKeys, `${board} counts each forgotten key`);
  }

  const text = await registry.metrics();
  const leaderboardSeries = text
    .split('\n')
    .filter((l) => /^qmail_leaderboard_(?!tracked_keys|evictions_total|window_seconds)\w+\{/.test(l));
  assert.equal(leaderboardSeries.length, BOARD_NAMES.length * WINDOWS.length * size);
  assert.match(text, /^qmail_leaderboard_evictions_total\{board="relay_denied_ips"\} 99000$/m);
  assert.match(text, /^qmail_leaderboard_tracked_keys\{board="auth_failure_users"\} 1000$/m);
  // Ties (every key seen once) go to the smallest key among the most recent maxKeys.
  assert.match(text, /^qmail_leaderboard_auth_failure_users\{window="24h",user="user99000@example\.org"\} 1$/m);
});

test('the least recently updated key is the one evicted', () => {
  const { boards } = boardsWithClock({ maxKeys: 3, size: 10 });
  for (const ip of ['192.0.2.1', '192.0.2.2', '192.0.2.3']) boards.observe(authFailure('', ip));
  boards.observe(authFailure('', '192.0.2.1'));
  boards.observe(authFailure('', '192.0.2.4'));
  assert.deepEqual(
    boards.snapshot().auth_failure_ips['5m']?.map((e) => e.key),
    ['192.0.2.1', '192.0.2.3', '192.0.2.4'],
  );
  assert.equal(boards.stats().evictions.auth_failure_ips, 1);
});

test('keys idle for longer than the longest window make room without counting as evictions', async () => {
  const { boards, clock, registry } = boardsWithClock({ maxKeys: 100 });
  for (let i = 0; i < 100; i++) boards.observe(authFailure('', `192.0.2.${i}`));
  clock.advance(5 * MINUTE);
  for (let i = 0; i < 100; i++) boards.observe(authFailure('', `198.51.100.${i}`));
  assert.equal(boards.stats().keys.auth_failure_ips, 100);
  assert.equal(boards.stats().evictions.auth_failure_ips, 0);
  const evicted = await scrape(registry, 'qmail_leaderboard_evictions_total');
  assert.equal(evicted.length, BOARD_NAMES.length, 'every board has its evictions series, at 0 here');
  assert.ok(evicted.every((s) => s.value === 0));
});

test('the memory budget: 200 users × 200 IPs stay within it, the least recently updated keys go first, counted', () => {
  const budget = 1024 * 1024;
  const { boards, clock } = boardsWithClock({ windows: WINDOWS, maxKeys: 10_000, memoryBudgetBytes: budget });
  for (let i = 0; i < 200; i++) {
    clock.advance(10);
    for (let u = 0; u < 200; u++) boards.observe(recipient('sent_auth_same_user', `user${u}@example.org`, `198.18.${i >> 8}.${i & 255}`));
    assert.ok(boards.memoryUsed() <= budget, `after IP ${i}: ${boards.memoryUsed()} bytes estimated`);
  }
  const { keys, evictions } = boards.stats();
  assert.ok(evictions.auth_user_source_ips > 0, `keys were forgotten to stay within the budget: ${JSON.stringify(evictions)}`);
  // Forgotten users come back with their next IP, counting from there; the ones updated last keep theirs.
  assert.ok(keys.auth_user_source_ips <= 200);
  const ranked = boards.snapshot().auth_user_source_ips['24h']!;
  assert.equal(ranked[0]!.value, 200);
  // The newest key is never the one forgotten: the user seen last still counts its IP.
  assert.ok(boards.snapshot().auth_user_source_ips['5m']!.length > 0);
});

test('the memory estimate returns to zero once every window has passed', async () => {
  const { boards, clock, registry } = boardsWithClock({ windows: WINDOWS });
  for (let i = 0; i < 500; i++) {
    boards.observe(recipient('sent_auth_different_user', `u${i}@example.org`, `10.0.${i >> 8}.${i & 255}`));
    boards.observe(authFailure(`u${i}@example.org`, `10.1.${i >> 8}.${i & 255}`));
  }
  assert.ok(boards.memoryUsed() > 0);
  clock.advance(25 * HOUR);
  await registry.metrics();
  assert.equal(boards.memoryUsed(), 0);
});
