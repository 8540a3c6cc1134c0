import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createLeaderboards } from '../../src/leaderboard/index.js';
import { MINUTE, SECOND, T0, boardsWithClock, manualClock, recipient, scrape } from './helpers.js';

const sent = (user: string, ip = '192.0.2.1') => recipient('sent_auth_same_user', user, ip);

test('counts enter and leave each window as the clock moves', () => {
  const { boards, clock } = boardsWithClock();
  const counts = () => {
    const s = boards.snapshot().auth_user_recipients;
    return { '1m': s['1m']?.[0]?.value ?? 0, '5m': s['5m']?.[0]?.value ?? 0 };
  };

  for (let i = 0; i < 3; i++) boards.observe(sent('alice@example.org'));
  assert.deepEqual(counts(), { '1m': 3, '5m': 3 });

  clock.advance(59 * SECOND);
  assert.deepEqual(counts(), { '1m': 3, '5m': 3 }, 'still inside both windows');

  clock.set(T0 + MINUTE);
  assert.deepEqual(counts(), { '1m': 0, '5m': 3 }, 'left the 1m window after one minute');

  boards.observe(sent('alice@example.org'));
  boards.observe(sent('alice@example.org'));
  assert.deepEqual(counts(), { '1m': 2, '5m': 5 });

  clock.set(T0 + 5 * MINUTE - 1);
  assert.deepEqual(counts(), { '1m': 0, '5m': 5 });

  clock.set(T0 + 5 * MINUTE);
  assert.deepEqual(counts(), { '1m': 0, '5m': 2 }, 'the first three left the 5m window');

  clock.set(T0 + 6 * MINUTE);
  assert.deepEqual(counts(), { '1m': 0, '5m': 0 });
  assert.equal(boards.stats().keys.auth_user_recipients, 0, 'a key empty in every window is forgotten');
  assert.equal(boards.stats().evictions.auth_user_recipients, 0, 'forgetting an idle key is no eviction');
});

test('an event is counted for at least W - W/B and at most W after it arrived (bucket granularity)', () => {
  // 1m window in 60 buckets: 1 s granularity. Arrival late in a bucket leaves after ~59 s.
  const { boards, clock } = boardsWithClock();
  clock.set(T0 + 999);
  boards.observe(sent('late@example.org'));
  const value = () => boards.snapshot().auth_user_recipients['1m']?.[0]?.value ?? 0;
  clock.set(T0 + 999 + 59 * SECOND);
  assert.equal(value(), 1);
  clock.set(T0 + MINUTE);
  assert.equal(value(), 0, 'dropped with its bucket, 59.001 s after arrival');
});

test('sliding counts stay within bucket-granularity bounds of the exact count (property)', () => {
  const windowMs = MINUTE;
  const granularity = windowMs / 60;
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 5 * MINUTE }), { minLength: 1, maxLength: 60 }),
      fc.array(fc.integer({ min: 0, max: 6 * MINUTE }), { minLength: 1, maxLength: 10 }),
      (offsets, queryOffsets) => {
        const arrivals = [...offsets].sort((a, b) => a - b);
        const clock = manualClock();
        const boards = createLeaderboards({
          windows: [{ label: '1m', ms: windowMs }],
          maxKeys: 10,
          size: 1,
          hashUsers: false,
          hashKey: '',
          now: clock.now,
        });
        const events = arrivals.map((o) => T0 + o);
        const queries = [...queryOffsets].sort((a, b) => a - b).map((o) => T0 + o);
        let next = 0;
        for (const q of queries) {
          while (next < events.length && events[next]! <= q) {
            clock.set(events[next]!);
            boards.observe(sent('u@example.org'));
            next++;
          }
          clock.set(q);
          const got = boards.snapshot().auth_user_recipients['1m']?.[0]?.value ?? 0;
          const seen = events.slice(0, next);
          const surely = seen.filter((t) => q - t < windowMs - granularity).length;
          const atMost = seen.filter((t) => q - t < windowMs).length;
          assert.ok(surely <= got && got <= atMost, `at ${q - T0}: ${surely} <= ${got} <= ${atMost}`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('scraped series appear with traffic and disappear when the window has passed', async () => {
  const { boards, clock, registry } = boardsWithClock();
  boards.observe(recipient('rejected_no_auth', '', '198.51.100.7'));
  assert.deepEqual(await scrape(registry, 'qmail_leaderboard_relay_denied_ips'), [
    { labels: { window: '1m', ip: '198.51.100.7' }, value: 1 },
    { labels: { window: '5m', ip: '198.51.100.7' }, value: 1 },
  ]);
  clock.advance(2 * MINUTE);
  assert.deepEqual(await scrape(registry, 'qmail_leaderboard_relay_denied_ips'), [
    { labels: { window: '5m', ip: '198.51.100.7' }, value: 1 },
  ]);
  clock.advance(5 * MINUTE);
  assert.deepEqual(await scrape(registry, 'qmail_leaderboard_relay_denied_ips'), []);
  assert.deepEqual(await scrape(registry, 'qmail_leaderboard_tracked_keys'), [
    { labels: { board: 'auth_user_recipients' }, value: 0 },
    { labels: { board: 'auth_user_source_ips' }, value: 0 },
    { labels: { board: 'auth_user_sender_mismatches' }, value: 0 },
    { labels: { board: 'relay_denied_ips' }, value: 0 },
    { labels: { board: 'auth_failure_ips' }, value: 0 },
    { labels: { board: 'auth_failure_users' }, value: 0 },
    { labels: { board: 'no_auth_relay_ips' }, value: 0 },
    { labels: { board: 'local_injection_uids' }, value: 0 },
    { labels: { board: 'remote_blocklisting_domains' }, value: 0 },
  ]);
});

test('a clock stepping back counts as no time passing', () => {
  const { boards, clock } = boardsWithClock();
  boards.observe(sent('alice@example.org'));
  clock.advance(-10 * MINUTE);
  boards.observe(sent('alice@example.org'));
  assert.equal(boards.snapshot().auth_user_recipients['1m']?.[0]?.value, 2);
  clock.set(T0 + MINUTE);
  assert.equal(boards.snapshot().auth_user_recipients['1m']?.length, 0);
});
