import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseSpamdyke } from '../../src/parse/spamdyke.js';
import type { MailEvent } from '../../src/events/events.js';
import { RECIPIENT_CASES, RECIPIENT_REASONS, SENDER_REASONS } from '../../src/events/events.js';

// Lines built from spamdyke 4.1.0's log format (spamdyke.c SPAMDYKE_LOG_INFO, README.html "Logging"):
// from format, not observed.

const ctx = { time: 1262304000, listener: 'smtp' };
const IP = '203.0.113.9';

interface Fields {
  from: string;
  to: string;
  ip: string;
  rdns: string;
  auth: string;
  encryption: string;
  reason?: string;
}
const DEFAULT: Fields = {
  from: 'x@example.org',
  to: 'info@example.com',
  ip: IP,
  rdns: 'host.example.org',
  auth: '(unknown)',
  encryption: '(none)',
};
function line(code: string, f: Partial<Fields> = {}): string {
  const v = { ...DEFAULT, ...f };
  const reason = v.reason === undefined ? '' : ` reason: ${v.reason}`;
  return `${code} from: ${v.from} to: ${v.to} origin_ip: ${v.ip} origin_rdns: ${v.rdns} auth: ${v.auth} encryption: ${v.encryption}${reason}`;
}
const none = (s: string) => (s === '(unknown)' ? '' : s);

function recipient(rcptCase: string, reason: string, f: Partial<Fields> = {}): MailEvent {
  const v = { ...DEFAULT, ...f };
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender: none(v.from),
    auth_user: none(v.auth),
    remote_ip: v.ip,
    recipient: none(v.to),
  } as MailEvent;
}
function sender(reason: string, f: Partial<Fields> = {}): MailEvent {
  const v = { ...DEFAULT, ...f };
  return { event: 'smtp.sender', time: ctx.time, result: 'rejected', reason, listener: ctx.listener, sender: none(v.from), remote_ip: v.ip } as MailEvent;
}
const IGNORED: MailEvent = { event: 'ignored', time: ctx.time, program: 'spamdyke' };

describe('spamdyke: every CODE', () => {
  const authed = { from: 'info@example.com', to: 'bob@example.net', auth: 'info@example.com', encryption: 'TLS' };
  const cases: ReadonlyArray<readonly [string, string, MailEvent]> = [
    ['ALLOWED, no auth → inbound_accepted', line('ALLOWED'), recipient('inbound_accepted', 'none')],
    ['ALLOWED, auth == sender → sent_auth_same_user', line('ALLOWED', authed), recipient('sent_auth_same_user', 'none', authed)],
    [
      'ALLOWED, auth != sender → sent_auth_different_user',
      line('ALLOWED', { ...authed, auth: 'boss@example.com' }),
      recipient('sent_auth_different_user', 'same_domain', { ...authed, auth: 'boss@example.com' }),
    ],
    ['ALLOWED_AUTHENTICATED (full log)', line('ALLOWED_AUTHENTICATED', authed), recipient('sent_auth_same_user', 'none', authed)],
    ['ALLOWED_TLS (full log)', line('ALLOWED_TLS', { encryption: 'TLS' }), recipient('inbound_accepted', 'none', { encryption: 'TLS' })],
    ['DENIED_RELAYING, no auth → rejected_no_auth', line('DENIED_RELAYING'), recipient('rejected_no_auth', 'relay_denied')],
    [
      'DENIED_RELAYING with an auth user → rejected_auth_failed',
      line('DENIED_RELAYING', { auth: 'info@example.com' }),
      recipient('rejected_auth_failed', 'relay_denied', { auth: 'info@example.com' }),
    ],
    [
      'DENIED_RBL_MATCH → rbl.reject, code unknown',
      line('DENIED_RBL_MATCH', { reason: 'DENIED_RBL_MATCH' }),
      { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: IP, code: 'unknown' } as MailEvent,
    ],
    ['DENIED_RHSBL_MATCH', line('DENIED_RHSBL_MATCH'), recipient('inbound_rejected', 'rbl')],
    ['DENIED_RDNS_MISSING', line('DENIED_RDNS_MISSING', { rdns: '(unknown)' }), recipient('inbound_rejected', 'rdns', { rdns: '(unknown)' })],
    ['DENIED_RDNS_RESOLVE', line('DENIED_RDNS_RESOLVE'), recipient('inbound_rejected', 'rdns')],
    ['DENIED_IP_IN_RDNS', line('DENIED_IP_IN_RDNS'), recipient('inbound_rejected', 'rdns')],
    ['DENIED_IP_IN_CC_RDNS', line('DENIED_IP_IN_CC_RDNS'), recipient('inbound_rejected', 'rdns')],
    ['DENIED_GRAYLISTED', line('DENIED_GRAYLISTED'), recipient('inbound_rejected', 'greylisted')],
    ['DENIED_SENDER_NO_MX', line('DENIED_SENDER_NO_MX'), sender('invalid_domain')],
    ['DENIED_SENDER_BLACKLISTED', line('DENIED_SENDER_BLACKLISTED'), sender('blacklisted')],
    ['DENIED_BLACKLIST_IP', line('DENIED_BLACKLIST_IP'), recipient('inbound_rejected', 'blacklisted')],
    ['DENIED_BLACKLIST_NAME', line('DENIED_BLACKLIST_NAME'), recipient('inbound_rejected', 'blacklisted')],
    ['DENIED_RECIPIENT_BLACKLISTED', line('DENIED_RECIPIENT_BLACKLISTED'), recipient('inbound_rejected', 'blacklisted')],
    ['DENIED_ACCESS_DENIED (access file deny)', line('DENIED_ACCESS_DENIED'), recipient('inbound_rejected', 'blacklisted')],
    ['DENIED_TOO_MANY_RECIPIENTS', line('DENIED_TOO_MANY_RECIPIENTS'), recipient('inbound_rejected', 'too_many_recipients')],
    ['DENIED_UNQUALIFIED_RECIPIENT', line('DENIED_UNQUALIFIED_RECIPIENT', { to: 'info' }), recipient('inbound_rejected', 'invalid_address', { to: 'info' })],
    ['DENIED_AUTH_REQUIRED', line('DENIED_AUTH_REQUIRED'), recipient('inbound_rejected', 'must_auth')],
    ['DENIED_EARLYTALKER', line('DENIED_EARLYTALKER'), recipient('inbound_rejected', 'other')],
    ['DENIED_REJECT_ALL', line('DENIED_REJECT_ALL'), recipient('inbound_rejected', 'other')],
    ['DENIED_IDENTICAL_SENDER_RECIPIENT', line('DENIED_IDENTICAL_SENDER_RECIPIENT'), recipient('inbound_rejected', 'other')],
    ['DENIED_OTHER (qmail refused)', line('DENIED_OTHER'), recipient('inbound_rejected', 'other')],
    [
      'FAILED_AUTH → auth failure',
      line('FAILED_AUTH', { to: '(unknown)', auth: 'info@example.com' }),
      { event: 'auth', time: ctx.time, protocol: 'smtp', result: 'failure', reason: 'auth_failed', user: 'info@example.com', remote_ip: IP } as MailEvent,
    ],
    [
      'FAILED_AUTH without user',
      line('FAILED_AUTH', { to: '(unknown)' }),
      { event: 'auth', time: ctx.time, protocol: 'smtp', result: 'failure', reason: 'auth_failed', user: '', remote_ip: IP } as MailEvent,
    ],
    ['UNKNOWN_AUTH', line('UNKNOWN_AUTH'), IGNORED],
    ['FAILED_TLS', line('FAILED_TLS'), IGNORED],
    ['TLS_ENCRYPTED', line('TLS_ENCRYPTED', { from: '(unknown)', to: '(unknown)', encryption: 'TLS_PASSTHROUGH' }), IGNORED],
    ['TIMEOUT with an earlier reason', line('TIMEOUT', { reason: 'DENIED_GRAYLISTED' }), IGNORED],
    ['DENIED_ZERO_RECIPIENTS', line('DENIED_ZERO_RECIPIENTS', { to: '(unknown)' }), IGNORED],
  ];
  for (const [name, text, want] of cases) test(name, () => assert.deepEqual(parseSpamdyke(text, ctx), want));

  test('FAILED_AUTH on a submission listener', () => {
    const e = parseSpamdyke(line('FAILED_AUTH', { auth: 'a@example.com' }), { time: ctx.time, listener: 'submission' });
    assert.equal(e?.event === 'auth' ? e.protocol : undefined, 'submission');
  });
});

describe('spamdyke: client text, other lines', () => {
  test("a sender holding ' to: ' and ' origin_ip: ' does not move the fields", () => {
    const from = 'a to: b origin_ip: 6.6.6.6 origin_rdns: x auth: y@example.com encryption: TLS@example.org';
    assert.deepEqual(parseSpamdyke(line('DENIED_RELAYING', { from }), ctx), recipient('rejected_no_auth', 'relay_denied', { from }));
  });

  test('IPv6 origin', () => {
    assert.deepEqual(parseSpamdyke(line('ALLOWED', { ip: '2001:db8::25' }), ctx), recipient('inbound_accepted', 'none', { ip: '2001:db8::25' }));
  });

  test('a 100 KB sender of ":" and "<" parses (timing: bench/program-parsers.ts)', () => {
    const from = ':<'.repeat(50_000);
    assert.deepEqual(parseSpamdyke(line('DENIED_GRAYLISTED', { from }), ctx), recipient('inbound_rejected', 'greylisted', { from }));
  });

  const others: ReadonlyArray<readonly [string, string, MailEvent | null]> = [
    ['ERROR line', 'ERROR: unable to resolve name: example.org', IGNORED],
    ['FILTER line', 'FILTER_RDNS_MISSING ip: 203.0.113.9', IGNORED],
    ['DEBUG line', 'DEBUG(filter_rdns_missing()@filter.c:123): checking', IGNORED],
    ['TLS passthrough notice', 'TLS passthrough started', IGNORED],
    ['unknown CODE', line('DENIED_SOMETHING_NEW'), null],
    ['empty', '', null],
    ['another program', 'tcpserver: status: 1/40', null],
    ['fields missing', 'ALLOWED from: a to: b', null],
    ['fields out of order', 'ALLOWED from: a origin_ip: 1.2.3.4 to: b origin_rdns: c auth: d encryption: e', null],
  ];
  for (const [name, text, want] of others) test(name, () => assert.deepEqual(parseSpamdyke(text, ctx), want));

  test('property: never throws, labels only from the vocabularies', () => {
    const pieces = ['ALLOWED', 'DENIED_RELAYING', 'DENIED_SENDER_NO_MX', 'FAILED_AUTH', ' from: ', ' to: ', ' origin_ip: ', ' origin_rdns: ', ' auth: ', ' encryption: ', ' reason: ', '(unknown)', 'a@b'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 16 }), (parts) => {
        const e = parseSpamdyke(parts.join(''), ctx);
        if (e === null) return;
        if (e.event === 'smtp.recipient') assert.ok(RECIPIENT_CASES.includes(e.case) && RECIPIENT_REASONS.includes(e.reason));
        else if (e.event === 'smtp.sender') assert.ok(SENDER_REASONS.includes(e.reason));
        else assert.ok(['auth', 'rbl.reject', 'ignored'].includes(e.event), e.event);
      }),
      { numRuns: 3000 },
    );
  });
});
