import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MINUTE, authFailure, boardsWithClock, recipient } from './helpers.js';
import { parseRelayTrust } from '../../src/events/relay-trust.js';
import type { DeliveryChannel, DeliveryReason, DeliveryResult, MailEvent, RecipientCase } from '../../src/events/events.js';

test('each board counts only the events it is fed by', () => {
  const { boards } = boardsWithClock();
  const cases: RecipientCase[] = [
    'sent_no_auth',
    'sent_auth_same_user',
    'sent_auth_different_user',
    'rejected_no_auth',
    'rejected_auth_failed',
    'inbound_accepted',
    'inbound_rejected',
  ];
  for (const c of cases) boards.observe(recipient(c, 'Alice@Example.org', '192.0.2.10'));
  boards.observe(authFailure('Mallory@example.org', '203.0.113.5'));
  boards.observe({ ...authFailure('alice@example.org', '192.0.2.10'), result: 'success', reason: 'none' });
  boards.observe(authFailure('', ''));
  boards.observe({ event: 'queue.new', time: null, msg: 1 });
  // uid 89 (vpopmail, qmail-smtpd's by default) is SMTP mail; uid 48 injected locally
  boards.observe({ event: 'queue.info', time: null, msg: 1, bytes: 900, sender: 'a@example.org', qp: 1, uid: 89 });
  boards.observe({ event: 'queue.info', time: null, msg: 2, bytes: 900, sender: 'www@example.org', qp: 2, uid: 48 });
  boards.observe({ event: 'unrecognised', time: null, program: '' });

  const five = Object.fromEntries(Object.entries(boards.snapshot()).map(([b, w]) => [b, w['5m']]));
  assert.deepEqual(five, {
    auth_user_recipients: [{ key: 'alice@example.org', value: 2 }],
    auth_user_source_ips: [{ key: 'alice@example.org', value: 1 }],
    auth_user_sender_mismatches: [{ key: 'alice@example.org (other_domain)', value: 1 }],
    relay_denied_ips: [{ key: '192.0.2.10', value: 2 }],
    auth_failure_ips: [{ key: '203.0.113.5', value: 1 }],
    auth_failure_users: [{ key: 'mallory@example.org', value: 1 }],
    no_auth_relay_ips: [{ key: '192.0.2.10', value: 1 }],
    local_injection_uids: [{ key: '48', value: 1 }],
    remote_blocklisting_domains: [],
  });
});

test('no-auth relays carry their source, injecting uids their passwd name', async () => {
  const { boards, registry } = boardsWithClock({
    relayTrust: parseRelayTrust('127.0.0.0/8,192.0.2.0/24'),
    localSenders: { smtpUids: new Set([7791]), userOf: (uid) => (uid === 48 ? 'apache' : '') },
  });
  for (const ip of ['127.0.0.1', '192.0.2.7', '203.0.113.66', '203.0.113.66']) boards.observe(recipient('sent_no_auth', '', ip));
  for (const uid of [48, 48, 0, 7791]) {
    boards.observe({ event: 'queue.info', time: null, msg: 1, bytes: 900, sender: 'x@example.org', qp: 1, uid });
  }
  const text = await registry.metrics();
  assert.match(text, /^qmail_leaderboard_no_auth_relay_ips\{window="5m",ip="203\.0\.113\.66",source="untrusted"\} 2$/m);
  assert.match(text, /^qmail_leaderboard_no_auth_relay_ips\{window="5m",ip="127\.0\.0\.1",source="trusted"\} 1$/m);
  assert.match(text, /^qmail_leaderboard_no_auth_relay_ips\{window="5m",ip="192\.0\.2\.7",source="trusted"\} 1$/m);
  assert.match(text, /^qmail_leaderboard_local_injection_uids\{window="5m",uid="48",user="apache"\} 2$/m);
  assert.match(text, /^qmail_leaderboard_local_injection_uids\{window="5m",uid="0",user=""\} 1$/m);
  assert.doesNotMatch(text, /uid="7791"/);
});

test('remote blocklisting domains: remote refusals and deferrals as blocklisted or rate_limited, by recipient domain', () => {
  const { boards } = boardsWithClock();
  const result = (reason: DeliveryReason, domain: string | null, channel: DeliveryChannel = 'remote', r: DeliveryResult = 'failure'): MailEvent => ({
    event: 'delivery.result',
    time: null,
    delivery: 1,
    result: r,
    reason,
    channel,
    domain,
  });
  boards.observe(result('blocklisted', 'Gmail.COM'));
  boards.observe(result('rate_limited', 'gmail.com', 'remote', 'deferral'));
  boards.observe(result('blocklisted', 'outlook.com', 'remote', 'deferral'));
  // not who refuses us: ordinary refusals, other reputation reasons, local or unknown deliveries, no domain
  boards.observe(result('spam_rejected', 'yahoo.com'));
  boards.observe(result('auth_policy', 'yahoo.com'));
  boards.observe(result('no_mailbox', 'yahoo.com'));
  boards.observe(result('none', 'yahoo.com', 'remote', 'success'));
  boards.observe(result('blocklisted', 'yahoo.com', 'unknown'));
  boards.observe(result('blocklisted', null));
  const s = boards.snapshot();
  assert.deepEqual(s.remote_blocklisting_domains['5m'], [
    { key: 'gmail.com', value: 2 },
    { key: 'outlook.com', value: 1 },
  ]);
});

test('events without a user or an IP feed only the boards they can', () => {
  const { boards } = boardsWithClock();
  boards.observe(recipient('sent_auth_same_user', '', '192.0.2.1'));
  boards.observe(recipient('sent_auth_same_user', 'bob@example.org', ''));
  boards.observe(recipient('rejected_auth_failed', 'bob@example.org', ''));
  boards.observe(authFailure('carol@example.org', ''));
  boards.observe(authFailure('', '203.0.113.9'));
  const s = boards.snapshot();
  assert.deepEqual(s.auth_user_recipients['5m'], [{ key: 'bob@example.org', value: 1 }]);
  assert.deepEqual(s.auth_user_source_ips['5m'], []);
  assert.deepEqual(s.relay_denied_ips['5m'], []);
  assert.deepEqual(s.auth_failure_users['5m'], [{ key: 'carol@example.org', value: 1 }]);
  assert.deepEqual(s.auth_failure_ips['5m'], [{ key: '203.0.113.9', value: 1 }]);
});

test('distinct source IPs per user: repeats count once, a hijacked account used from 40 IPs tops the board', () => {
  const { boards } = boardsWithClock();
  for (let round = 0; round < 5; round++) {
    boards.observe(recipient('sent_auth_same_user', 'alice@example.org', '192.0.2.1'));
    boards.observe(recipient('sent_auth_same_user', 'bob@example.org', '192.0.2.2'));
    boards.observe(recipient('sent_auth_same_user', 'bob@example.org', '192.0.2.3'));
  }
  for (let i = 1; i <= 40; i++) {
    boards.observe(recipient('sent_auth_different_user', 'victim@example.org', `203.0.113.${i}`));
    boards.observe(recipient('sent_auth_different_user', 'victim@example.org', `203.0.113.${i}`));
  }
  const s = boards.snapshot();
  assert.deepEqual(s.auth_user_source_ips['5m'], [
    { key: 'victim@example.org', value: 40 },
    { key: 'bob@example.org', value: 2 },
    { key: 'alice@example.org', value: 1 },
  ]);
  assert.equal(s.auth_user_recipients['5m']?.[0]?.key, 'victim@example.org');
  assert.deepEqual(s.auth_user_sender_mismatches['5m'], [{ key: 'victim@example.org (other_domain)', value: 80 }]);
});

test('a source IP stays in the window from its last sighting, and leaves it after', () => {
  const { boards, clock } = boardsWithClock();
  const ips = () => boards.snapshot().auth_user_source_ips['5m']?.[0]?.value ?? 0;
  boards.observe(recipient('sent_auth_same_user', 'alice@example.org', '192.0.2.1'));
  boards.observe(recipient('sent_auth_same_user', 'alice@example.org', '192.0.2.2'));
  clock.advance(4 * MINUTE);
  boards.observe(recipient('sent_auth_same_user', 'alice@example.org', '192.0.2.1'));
  assert.equal(ips(), 2);
  clock.advance(2 * MINUTE);
  assert.equal(ips(), 1, '192.0.2.2 left; 192.0.2.1 was seen again 2 minutes ago');
  assert.equal(boards.snapshot().auth_user_source_ips['1m']?.length, 0);
  clock.advance(4 * MINUTE);
  assert.equal(ips(), 0);
});

test('distinct IPs per user and window are capped, the count saturates at the cap', () => {
  const { boards } = boardsWithClock({ maxIpsPerUser: 10 });
  for (let i = 1; i <= 40; i++) {
    boards.observe(recipient('sent_auth_same_user', 'victim@example.org', `203.0.113.${i}`));
  }
  assert.equal(boards.snapshot().auth_user_source_ips['5m']?.[0]?.value, 10);
});

test('sender mismatches are counted per user and reason, so a shared office and a hijack are told apart', async () => {
  const { boards, registry } = boardsWithClock();
  const mismatch = (user: string, reason: 'same_domain' | 'other_domain') => ({ ...recipient('sent_auth_different_user', user, '192.0.2.1'), reason });
  for (let i = 0; i < 3; i++) boards.observe(mismatch('john@example.org', 'same_domain'));
  boards.observe(mismatch('john@example.org', 'other_domain'));
  const text = await registry.metrics();
  assert.match(text, /^qmail_leaderboard_auth_user_sender_mismatches\{window="5m",user="john@example\.org",reason="same_domain"\} 3$/m);
  assert.match(text, /^qmail_leaderboard_auth_user_sender_mismatches\{window="5m",user="john@example\.org",reason="other_domain"\} 1$/m);
});
