import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authFailure, boardsWithClock, scrape } from './helpers.js';

function fail(boards: { observe: (e: ReturnType<typeof authFailure>) => void }, ip: string, times: number): void {
  for (let i = 0; i < times; i++) boards.observe(authFailure('', ip));
}

test('top N: highest first, ties broken by key, only N series per window in the exposition', async () => {
  const { boards, registry } = boardsWithClock({ size: 3 });
  fail(boards, '198.51.100.4', 4);
  fail(boards, '198.51.100.1', 1);
  fail(boards, '198.51.100.9', 5);
  fail(boards, '198.51.100.3', 4);
  fail(boards, '198.51.100.2', 4);
  fail(boards, '198.51.100.7', 2);

  const expected = [
    { key: '198.51.100.9', value: 5 },
    { key: '198.51.100.2', value: 4 },
    { key: '198.51.100.3', value: 4 },
  ];
  assert.deepEqual(boards.snapshot().auth_failure_ips, { '1m': expected, '5m': expected });

  const series = await scrape(registry, 'qmail_leaderboard_auth_failure_ips');
  assert.equal(series.length, 2 * 3, 'windows × N');
  for (const window of ['1m', '5m']) {
    assert.deepEqual(
      series.filter((s) => s.labels.window === window).map((s) => [s.labels.ip, s.value]),
      expected.map((e) => [e.key, e.value]),
    );
  }
  const text = await registry.metrics();
  assert.match(text, /^# TYPE qmail_leaderboard_auth_failure_ips gauge$/m);
  assert.match(text, /^qmail_leaderboard_auth_failure_ips\{window="5m",ip="198\.51\.100\.9"\} 5$/m);
  assert.doesNotMatch(text, /198\.51\.100\.4/, 'the key that lost the tie is not exported');
});

test('a key pushed out of the top N disappears from the next scrape', async () => {
  const { boards, registry } = boardsWithClock({ size: 1 });
  fail(boards, '198.51.100.1', 2);
  assert.deepEqual(
    (await scrape(registry, 'qmail_leaderboard_auth_failure_ips')).map((s) => s.labels.ip),
    ['198.51.100.1', '198.51.100.1'],
  );
  fail(boards, '198.51.100.2', 3);
  assert.deepEqual(
    (await scrape(registry, 'qmail_leaderboard_auth_failure_ips')).map((s) => s.labels.ip),
    ['198.51.100.2', '198.51.100.2'],
  );
});

test('every leaderboard metric is registered with its labels', async () => {
  const { registry } = boardsWithClock();
  const metrics = await registry.getMetricsAsJSON();
  const shapes = Object.fromEntries(metrics.map((m) => [m.name, m.type]));
  assert.deepEqual(shapes, {
    qmail_leaderboard_auth_user_recipients: 'gauge',
    qmail_leaderboard_auth_user_source_ips: 'gauge',
    qmail_leaderboard_auth_user_sender_mismatches: 'gauge',
    qmail_leaderboard_relay_denied_ips: 'gauge',
    qmail_leaderboard_auth_failure_ips: 'gauge',
    qmail_leaderboard_auth_failure_users: 'gauge',
    qmail_leaderboard_no_auth_relay_ips: 'gauge',
    qmail_leaderboard_local_injection_uids: 'gauge',
    qmail_leaderboard_remote_blocklisting_domains: 'gauge',
    qmail_leaderboard_window_seconds: 'gauge',
    qmail_leaderboard_tracked_keys: 'gauge',
    qmail_leaderboard_evictions_total: 'counter',
  });
});
