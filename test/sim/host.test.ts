import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulatedHost, createSimulation } from '../../src/sim/host.js';
import type { Truth } from '../../src/sim/truth.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readEnvelope, readLog } from './read-log.js';

const START = 1_700_831_700; // Nov 24 2023, 13:15 UTC

function sum(rec: Record<string, number>, prefix: string): number {
  let n = 0;
  for (const [k, v] of Object.entries(rec)) if (k === prefix || k.startsWith(prefix + '{')) n += v;
  return n;
}

test('the same seed writes the same lines and truth, however the caller slices them', () => {
  const a = createSimulatedHost({ startTime: START, seed: 42 });
  const whole = a.take(30_000);
  const b = createSimulatedHost({ startTime: START, seed: 42 });
  const sliced: string[] = [];
  for (const n of [1, 2, 997, 0, 5000, 3, 22_997]) sliced.push(...b.take(n));
  assert.equal(sliced.length, 29_000);
  assert.deepEqual(sliced, whole.slice(0, 29_000));
  sliced.push(...b.take(1000));
  assert.deepEqual(sliced, whole);
  assert.deepEqual(b.truth(), a.truth());

  // advancing by time gives the same stream, cut at time boundaries
  const c = createSimulatedHost({ startTime: START, seed: 42 });
  const byTime: string[] = [];
  for (let t = START; byTime.length < 30_000; t += 37.5) byTime.push(...c.advanceTo(t));
  assert.deepEqual(byTime.slice(0, 30_000), whole);

  const other = createSimulatedHost({ startTime: START, seed: 43 }).take(1000);
  assert.notDeepEqual(other, whole.slice(0, 1000));
});

test('advanceTo hands out exactly the lines up to t, and now() follows', () => {
  const host = createSimulatedHost({ startTime: START, seed: 5 });
  assert.equal(host.now(), START);
  const first = host.advanceTo(START + 60);
  assert.ok(first.length > 600 && first.length < 2400, `${first.length} lines in 60 s at 20 lines/s`);
  assert.equal(host.now(), START + 60);
  for (const line of first) assert.ok(readEnvelope(line).stampUs === null || readEnvelope(line).time <= START + 60);
  const next = host.advanceTo(START + 61);
  for (const line of next) {
    const env = readEnvelope(line);
    if (env.stampUs !== null) assert.ok(env.time > START + 60 && env.time <= START + 61, line);
  }
  assert.deepEqual(host.advanceTo(START + 30), [], 'going back in time writes nothing');
  assert.equal(host.truth().lines, first.length + next.length);
});

test('the first line is at startTime and the log advances at linesPerSecond', () => {
  for (const linesPerSecond of [20, 500]) {
    const host = createSimulatedHost({ startTime: START + 0.25, seed: 9, linesPerSecond });
    const lines = host.take(60_000);
    const first = readEnvelope(lines[0]!);
    if (first.stampUs !== null) assert.equal(first.time, START + 0.25);
    else assert.equal(readLog(lines.slice(0, 1), START).lastLineTime, START);
    const elapsed = host.now() - (START + 0.25);
    const expected = 60_000 / linesPerSecond;
    assert.ok(Math.abs(elapsed - expected) / expected < 0.15, `${linesPerSecond}/s: 60000 lines took ${elapsed.toFixed(0)} s, want ≈ ${expected}`);
    const read = readLog(lines, START, linesPerSecond);
    assert.deepEqual(read.problems.slice(0, 5), []);
    assert.deepEqual(host.truth().counters, read.counters);
  }
});

test('every line has a known format, times never go back, and the truth is what the lines say', () => {
  for (const profile of ['abuse', 'clean'] as const) {
    const host = createSimulatedHost({ startTime: START, seed: 7, profile });
    const lines = host.take(60_000);
    const truth = host.truth();
    const read = readLog(lines, START);
    assert.deepEqual(read.unknown.slice(0, 5), [], `${profile}: lines in no known format`);
    assert.deepEqual(read.problems.slice(0, 10), [], `${profile}: inconsistent bookkeeping`);
    assert.equal(truth.lines, lines.length);
    assert.deepEqual(truth.lineResults, read.lineResults);
    assert.deepEqual(truth.counters, read.counters);
    assert.deepEqual(truth.gauges, read.gauges);
    assert.deepEqual(truth.hourly, read.hourly);
    assert.deepEqual(truth.leaderboards, read.leaderboards);
    assert.equal(truth.lastLineTime, read.lastLineTime);
    assert.deepEqual(truth.histograms.qmail_queue_message_size_bytes, read.histograms.qmail_queue_message_size_bytes);
    const d = truth.histograms.qmail_queue_message_duration_seconds!;
    assert.equal(d.count, read.histograms.qmail_queue_message_duration_seconds!.count);
    assert.ok(Math.abs(d.sum - read.histograms.qmail_queue_message_duration_seconds!.sum) < 1e-6);
  }
});

test('the truth adds up', () => {
  const host = createSimulatedHost({ startTime: START, seed: 8 });
  host.take(80_000);
  const t: Truth = host.truth();
  const results = Object.values(t.lineResults).reduce((a, b) => a + b, 0);
  assert.equal(results, t.lines);
  for (const [result, n] of Object.entries(t.lineResults))
    assert.equal(t.counters[seriesKey('qmail_exporter_log_lines_total', { result })] ?? 0, n);
  assert.ok(t.lineResults.counted > 0 && t.lineResults.ignored > 0 && t.lineResults.foreign > 0);
  assert.equal(t.lineResults.unrecognised, 0);
  for (const channel of ['local', 'remote']) {
    const started = t.counters[seriesKey('qmail_deliveries_started_total', { channel })]!;
    const finished = Object.entries(t.counters)
      .filter(([k]) => k.startsWith('qmail_deliveries_total{') && k.includes(`channel="${channel}"`))
      .reduce((a, [, v]) => a + v, 0);
    assert.ok(finished <= started && finished > started - 60, `${channel}: ${finished} results of ${started} started`);
  }
  const queued = t.counters.qmail_queue_messages_total!;
  assert.equal(t.histograms.qmail_queue_message_size_bytes!.count, queued);
  const ended = t.histograms.qmail_queue_message_duration_seconds!.count;
  // messages to the provider that refuses the host as blocklisted stay queued for hours
  const refused = (reason: string): number =>
    t.counters[seriesKey('qmail_deliveries_total', { channel: 'remote', result: 'deferral', reason })] ?? 0;
  assert.ok(ended <= queued && ended > queued - 100 - refused('blocklisted'));
  // every counter series is the sum of its hours
  const hours: Record<string, number> = {};
  for (const row of Object.values(t.hourly)) for (const [k, v] of Object.entries(row)) hours[k] = (hours[k] ?? 0) + v;
  assert.deepEqual(hours, t.counters);
  assert.ok(Object.keys(t.hourly).every((h) => Number(h) % 3600 === 0));
  // leaderboards total what the counters count
  const lb = t.leaderboards;
  const total = (b: Record<string, number>): number => Object.values(b).reduce((a, v) => a + v, 0);
  const rcpt = (kase: string, listener: string, reason = 'none'): number =>
    t.counters[seriesKey('qmail_smtp_recipients_total', { listener, case: kase, reason })] ?? 0;
  const different = rcpt('sent_auth_different_user', 'submission', 'same_domain') + rcpt('sent_auth_different_user', 'submission', 'other_domain');
  assert.equal(total(lb.auth_user_recipients), rcpt('sent_auth_same_user', 'submission') + rcpt('sent_auth_same_user', 'submission', 'alias') + different);
  assert.equal(total(lb.auth_user_sender_mismatches), different);
  assert.equal(total(lb.relay_denied_ips), rcpt('rejected_no_auth', 'smtp', 'relay_denied') + rcpt('rejected_auth_failed', 'smtp', 'relay_denied'));
  assert.equal(total(lb.no_auth_relay_ips), rcpt('sent_no_auth', 'smtp'));
  const origins = (o: string): number => t.counters[seriesKey('qmail_queue_messages_by_origin_total', { origin: o })] ?? 0;
  assert.equal(origins('smtp') + origins('local'), t.counters.qmail_queue_messages_total);
  assert.equal(total(lb.local_injection_uids), origins('local'));
  // every case the operator's row of five shows is produced
  for (const [kase, listener] of [['sent_no_auth', 'smtp'], ['sent_auth_same_user', 'submission'], ['rejected_no_auth', 'smtp'], ['rejected_auth_failed', 'smtp']]) {
    assert.ok(rcpt(kase!, listener!, kase!.startsWith('rejected') ? 'relay_denied' : 'none') > 0, kase);
  }
  assert.ok(rcpt('sent_auth_different_user', 'submission', 'same_domain') > 0 && rcpt('sent_auth_different_user', 'submission', 'other_domain') > 0);
  const failures = Object.entries(t.counters)
    .filter(([k]) => k.startsWith('qmail_auth_attempts_total{') && k.includes('result="failure"'))
    .reduce((a, [, v]) => a + v, 0);
  assert.equal(total(lb.auth_failure_ips), failures);
  assert.equal(total(lb.auth_failure_users), failures);
  assert.ok(refused('blocklisted') > 0 && refused('rate_limited') > 0, 'a provider refuses the host as blocklisted, another throttles it');
  assert.equal(total(lb.remote_blocklisting_domains), refused('blocklisted') + refused('rate_limited'));
  // gauges are the last status lines, within their limits
  assert.ok(t.gauges['qmail_send_concurrency{channel="remote"}']! <= t.gauges['qmail_send_concurrency_limit{channel="remote"}']!);
  assert.equal(t.gauges['qmail_connections_limit{listener="smtp"}'], 60);
  assert.ok(sum(t.counters, 'qmail_bounces_total') > 0);
});

test('abuse profile: the hijacked account, relay bots and password guesser stand out; clean has none of them', () => {
  const abusive = createSimulatedHost({ startTime: START, seed: 3, profile: 'abuse' });
  abusive.take(20_000);
  const a = abusive.truth();
  const top = (board: Record<string, number>): string[] =>
    Object.entries(board)
      .sort((x, y) => y[1] - x[1])
      .map(([k]) => k);
  assert.equal(a.actors.hijackedUser, 'sales@example.com');
  assert.equal(top(a.leaderboards.auth_user_sender_mismatches)[0], a.actors.hijackedUser);
  // besides the hijacker, only the shared office's few same-domain sends
  const [hijacked, ...office] = top(a.leaderboards.auth_user_sender_mismatches).map((u) => a.leaderboards.auth_user_sender_mismatches[u]!);
  assert.ok(office.every((n) => n * 5 < hijacked!), `${hijacked} vs ${office.join(',')}`);
  // the website's uid tops the local injection board, the open relay the no-auth relays outside the loopback
  assert.equal(top(a.leaderboards.local_injection_uids)[0], '48');
  assert.deepEqual(top(a.leaderboards.no_auth_relay_ips).filter((ip) => ip !== '127.0.0.1'), ['198.51.100.77']);
  assert.equal(top(a.leaderboards.auth_user_source_ips)[0], a.actors.hijackedUser);
  assert.ok(a.leaderboards.auth_user_source_ips[a.actors.hijackedUser]! >= 8);
  assert.equal(top(a.leaderboards.auth_failure_ips)[0], a.actors.bruteForceIp);
  // the relay bots, and the password guesser trying to relay with AUTH= naming a user (rejected_auth_failed)
  assert.deepEqual(top(a.leaderboards.relay_denied_ips).sort(), [...a.actors.relayBotIps, a.actors.bruteForceIp].sort());
  for (const user of top(a.leaderboards.auth_failure_users).slice(0, 5)) assert.ok(a.actors.bruteForcedUsers.includes(user), user);
  assert.ok(a.counters['qmail_auth_attempts_total{protocol="submission",reason="unknown_user",result="failure"}']! > 0);
  assert.ok(a.counters['qmail_auth_attempts_total{protocol="imap",reason="auth_failed",result="failure"}']! > 0);

  const cleanHost = createSimulatedHost({ startTime: START, seed: 3, profile: 'clean' });
  const lines = cleanHost.take(20_000);
  const c = cleanHost.truth();
  assert.deepEqual(c.actors, { hijackedUser: '', hijackIps: [], relayBotIps: [], bruteForceIp: '', bruteForcedUsers: [] });
  assert.ok(Object.values(c.leaderboards.auth_user_sender_mismatches).every((n) => n <= 20), 'a shared office, no hijack');
  assert.deepEqual(Object.keys(c.leaderboards.local_injection_uids).sort(), ['0', '507'], "root's cron mail and qmail-send's own bounces (uid qmails)");
  assert.deepEqual(Object.keys(c.leaderboards.no_auth_relay_ips), ['127.0.0.1'], 'the webmail only');
  assert.deepEqual(c.leaderboards.relay_denied_ips, {});
  assert.ok(Math.max(...Object.values(c.leaderboards.auth_user_source_ips)) <= 2);
  assert.ok(Math.max(0, ...Object.values(c.leaderboards.auth_failure_ips)) <= 5);
  assert.equal(lines.filter((l) => l.includes('203.0.113.')).length, 0);
  assert.ok(c.counters['qmail_smtp_recipients_total{case="sent_auth_same_user",listener="submission",reason="none"}']! > 0);
});

test('only documentation addresses and example domains appear', () => {
  const lines = createSimulatedHost({ startTime: START, seed: 12 }).take(30_000);
  for (const line of lines) {
    for (const ip of line.match(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/g) ?? [])
      assert.match(ip, /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$|^127\.0\.0\.1$/, line);
    for (const domain of line.match(/@[a-z0-9.-]+|\bhttps:\/\/[a-z0-9.-]+|\b[a-z0-9-]+\.example\.[a-z]+/g) ?? [])
      assert.match(domain, /example\.(com|net|org|edu)$/, line);
  }
});

test('options are checked', () => {
  assert.throws(() => createSimulatedHost({ startTime: START, linesPerSecond: 0 }), RangeError);
  assert.throws(() => createSimulatedHost({ startTime: Number.NaN }), RangeError);
  assert.throws(() => createSimulatedHost({ startTime: START }).take(-1), RangeError);
});

test('the simulator state stays bounded however many lines are written', () => {
  const sim = createSimulation({ startTime: START, seed: 10 });
  const sizes: Array<Record<string, number>> = [];
  for (let i = 0; i < 5; i++) {
    sim.takeText(100_000);
    sizes.push(sim.backlog());
  }
  for (const s of sizes) {
    assert.ok(s.agenda! < 2000, `agenda ${s.agenda}`);
    assert.ok(s.buffered! < 1000, `buffered ${s.buffered}`);
    assert.ok(s.waitingDeliveries! < 500, `waiting deliveries ${s.waitingDeliveries}`);
    assert.ok(s.freeInodes! < 2000, `free inodes ${s.freeInodes}`);
  }
  // one row per hour of log time is the only thing that grows
  const t = sim.host.truth();
  assert.equal(Object.keys(t.hourly).length, Math.floor(t.lastLineTime / 3600) - Math.floor(START / 3600) + 1);
});
