import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQmailSmtpd } from '../../src/parse/qmail-smtpd.js';
import type { MailEvent } from '../../src/events/events.js';
import { auth, ctx, IGNORED, IP, rbl, recipient, sender, table } from './qmail-smtpd-cases.js';

/** A qlog line: sagredo's qsmtpdlog() writes every key, in this order. */
const QLOG_DEFAULTS = {
  result: 'accepted',
  code: '250',
  reason: 'rcptto',
  detail: 'chkuser',
  helo: 'laptop',
  mailfrom: 'info@example.com',
  rcptto: 'bob@example.net',
  relay: 'no',
  rcpthosts: 'yes',
  size: '',
  authuser: '',
  authtype: '',
  encrypted: '',
  sslverified: 'no',
  localip: '192.0.2.10',
  localport: '25',
  remoteip: IP,
  remoteport: '51515',
  remotehost: '',
  qp: '',
  pid: '4242',
};
function qlog(fields: Partial<typeof QLOG_DEFAULTS>, head = 'qlogenvelope'): string {
  const v: Record<string, string> = { ...QLOG_DEFAULTS, ...fields };
  return `${head}:` + Object.keys(QLOG_DEFAULTS).map((k) => ` ${k}=${v[k]}`).join('');
}
const authed = { authuser: 'info@example.com', authtype: 'login', relay: 'yes', encrypted: 'tls' };

describe('qmail-smtpd: sagredo qlog and auth lines', () => {
  table([
    ['auth-success (no IP on the line)', 'qmail-smtpd[4242]: auth: auth-success type=login user=<info@example.com>', auth('success', 'none', 'info@example.com', '')],
    ['auth-failed is counted from its qlog twin', 'qmail-smtpd[4242]: auth: auth-failed type=plain user=<info@example.com>', IGNORED],
    ['qlog authfailed', qlog({ result: 'rejected', code: '535', reason: 'authfailed', detail: '', rcptto: '', mailfrom: '', authuser: 'info@example.com' }), auth('failure', 'auth_failed', 'info@example.com')],

    // accepted recipients
    ['accepted, local domain, not authenticated → inbound_accepted', qlog({}), recipient('inbound_accepted', 'none')],
    [
      'accepted relay, authenticated as the sender → sent_auth_same_user',
      qlog({ ...authed, detail: 'chkuserrelay', rcpthosts: 'no' }),
      recipient('sent_auth_same_user', 'none', { auth: 'info@example.com' }),
    ],
    [
      'accepted relay, authenticated as someone else → sent_auth_different_user',
      qlog({ ...authed, authuser: 'boss@example.com', detail: 'chkuserrelay', rcpthosts: 'no' }),
      recipient('sent_auth_different_user', 'same_domain', { auth: 'boss@example.com' }),
    ],
    [
      'accepted local, authenticated → sent_auth_same_user',
      qlog({ ...authed, rcptto: 'colleague@example.com' }),
      recipient('sent_auth_same_user', 'none', { auth: 'info@example.com', rcpt: 'colleague@example.com' }),
    ],
    [
      'accepted relay for a RELAYCLIENT without auth → sent_no_auth',
      qlog({ reason: 'relayclient', detail: '', relay: 'yes', rcpthosts: 'no' }),
      recipient('sent_no_auth', 'none'),
    ],
    [
      'older qlog without rcpthosts value, relay=yes → sent_no_auth',
      qlog({ reason: 'relayclient', detail: '', relay: 'yes', rcpthosts: '' }),
      recipient('sent_no_auth', 'none'),
    ],
    [
      'RELAYCLIENT writing to a local domain → inbound_accepted (as chkuser accepted rcpt)',
      qlog({ reason: 'relayclient', detail: '', relay: 'yes', rcpthosts: 'yes' }),
      recipient('inbound_accepted', 'none'),
    ],
    [
      'authuser left by a failed AUTH (relay=no) is not an authentication',
      qlog({ authuser: 'guess@example.com' }),
      recipient('inbound_accepted', 'none'),
    ],
    ['accepted without recipient', qlog({ rcptto: '' }), IGNORED],

    // rejected recipients
    [
      'not_in_rcpthosts, no auth → rejected_no_auth',
      qlog({ result: 'rejected', code: '553', reason: 'not_in_rcpthosts', detail: '', rcpthosts: 'no' }),
      recipient('rejected_no_auth', 'relay_denied'),
    ],
    [
      'not_in_rcpthosts after a failed AUTH → rejected_auth_failed',
      qlog({ result: 'rejected', code: '553', reason: 'not_in_rcpthosts', detail: '', rcpthosts: 'no', authuser: 'guess@example.com' }),
      recipient('rejected_auth_failed', 'relay_denied', { auth: 'guess@example.com' }),
    ],
    ['dontrelay', qlog({ result: 'rejected', code: '553', reason: 'dontrelay', detail: '' }), recipient('rejected_no_auth', 'relay_denied')],
    ['chkuser notinrcpthosts', qlog({ result: 'rejected', code: '553', reason: 'chkuser', detail: 'notinrcpthosts' }), recipient('rejected_no_auth', 'relay_denied')],
    [
      'FORCEAUTHMAILFROM: authnotmailfrom (MAIL phase)',
      qlog({ ...authed, result: 'rejected', code: '503', reason: 'authnotmailfrom', detail: '', rcptto: '', mailfrom: 'ceo@example.com' }),
      recipient('rejected_auth_failed', 'auth_not_mailfrom', { sender: 'ceo@example.com', auth: 'info@example.com', rcpt: '' }),
    ],
    ...(
      [
        ['chkuser', 'nomailbox', 'no_mailbox'],
        ['nomailbox', '', 'no_mailbox'],
        ['validrcptto', '', 'no_mailbox'],
        ['rcptcheck', 'nomailbox', 'no_mailbox'],
        ['chkuser', 'mailboxfull', 'mailbox_full'],
        ['max_rcpt_exceeded', '', 'too_many_recipients'],
        ['chkuser', 'maxrcpt', 'too_many_recipients'],
        ['brtlimit', '', 'too_many_invalid_recipients'],
        ['chkuser', 'maxwrongrcpt', 'too_many_invalid_recipients'],
        ['chkuser', 'instrusionthreshold', 'intrusion_threshold'],
        ['chkuser', 'rcptformat', 'invalid_address'],
        ['chkuser', 'domainmissing', 'invalid_address'],
        ['chkuser', 'rcptmxinvalid', 'invalid_domain'],
        ['chkuser', 'rcptmxdnstmpfail', 'temporary_failure'],
        ['chkuser', 'noauthresource', 'temporary_failure'],
        ['chkuser', 'mustauth', 'must_auth'],
        ['empf', '', 'policy'],
        ['rcptcheck', 'overlimit', 'other'],
        ['rcptcheck', 'custom', 'other'],
        ['chkuser', 'invalid', 'other'],
      ] as const
    ).map(
      ([reason, detail, want]) =>
        [
          `rejected recipient: reason=${reason} detail=${detail}`,
          qlog({ result: 'rejected', code: '550', reason, detail }),
          recipient('inbound_rejected', want),
        ] as const,
    ),

    // MAIL phase (rcptto empty)
    ...(
      [
        ['chkusersender', 'mustauth', 'must_auth'],
        ['chkusersender', 'senderformat', 'invalid_address'],
        ['chkusersender', 'sendermxinvalid', 'invalid_domain'],
        ['chkusersender', 'sendermxdnstmpfail', 'temporary_failure'],
        ['chkusersender', 'invalid', 'other'],
        ['authrequired', '', 'must_auth'],
        ['nullsenderdenied', '', 'other'],
        ['spf', 'lookupfailure', 'spf'],
      ] as const
    ).map(
      ([reason, detail, want]) =>
        [`rejected sender: reason=${reason} detail=${detail}`, qlog({ result: 'rejected', code: '550', reason, detail, rcptto: '' }), sender('rejected', want)] as const,
    ),
    ['spf fail at RCPT is a sender rejection', qlog({ result: 'rejected', code: '550', reason: 'spf', detail: 'fail' }), sender('rejected', 'spf')],

    // RBL and session-level reasons
    ['rblreject', qlog({ result: 'rejected', code: '553', reason: 'rblreject', detail: 'zen.spamhaus.org', rcptto: 'bob@example.net' }), rbl('553')],
    ['rbldelay', qlog({ result: 'rejected', code: '451', reason: 'rbldelay', detail: 'rblsmtpd' }), rbl('451')],
    ['rbl with an odd code', qlog({ result: 'rejected', code: '550', reason: 'rblreject', detail: '' }), rbl('unknown')],
    ...['alarmtimeout', 'out_of_memory', 'cannot_read_controls', 'unknown_ip_me', 'bad_newlines', 'pregreet', 'qqtfailure', 'authinvalid', 'qregexbmf', 'qregexbmt', 'qregexbhelo'].map(
      (reason) => [`ignored: reason=${reason}`, qlog({ result: 'rejected', code: '451', reason, detail: '' }), IGNORED] as const,
    ),

    // qlogreceived
    [
      'qlogreceived queueaccept → smtp.queued',
      qlog({ reason: 'queueaccept', detail: '', qp: '12345', size: '2048' }, 'qlogreceived'),
      { event: 'smtp.queued', time: ctx.time, listener: ctx.listener, sender: 'info@example.com', qp: 12345 } as MailEvent,
    ],
    [
      'qlogreceived without qp',
      qlog({ reason: 'queueaccept', detail: '' }, 'qlogreceived'),
      { event: 'smtp.queued', time: ctx.time, listener: ctx.listener, sender: 'info@example.com', qp: 0 } as MailEvent,
    ],
    ['qlogreceived rejected (databytes)', qlog({ result: 'rejected', code: '552', reason: 'databytes_limit_exceeded', detail: '' }, 'qlogreceived'), IGNORED],
    ['qlogreceived rejected (queue)', qlog({ result: 'rejected', code: '554', reason: 'queuereject', detail: 'spam' }, 'qlogreceived'), IGNORED],

    // formats
    ['with the qmail-smtpd[pid] prefix', `qmail-smtpd[4242]: ${qlog({})}`, recipient('inbound_accepted', 'none')],
    [
      'an older qlog without code= and sslverified=',
      qlog({}).replace(' code=250', '').replace(' sslverified=no', ''),
      recipient('inbound_accepted', 'none'),
    ],
    [
      'SMTPUTF8: raw HELO holding other keys does not move them',
      qlog({ helo: 'x mailfrom=evil@example.org rcptto=victim@example.com relay=yes remoteip=6.6.6.6' }),
      recipient('inbound_accepted', 'none'),
    ],
    ['IPv6 remote', qlog({ remoteip: '2001:db8::25' }), recipient('inbound_accepted', 'none', { ip: '2001:db8::25' })],
    ['trailing CR', qlog({}) + '\r', recipient('inbound_accepted', 'none')],
    ['no result', 'qlogenvelope: garbage', null],
  ]);

  test('a 100 KB HELO of ":" and "<" parses (SMTPUTF8 lets it through raw)', () => {
    assert.deepEqual(parseQmailSmtpd(qlog({ helo: ':<'.repeat(50_000) }), ctx), recipient('inbound_accepted', 'none'));
  });
});

describe('qmail-smtpd: sagredo named lines (twins of qlog lines)', () => {
  table([
    ['sagredo badmailfrom with LOGREGEX (no IP)', 'qmail-smtpd[4242]: badmailfrom: <spam@example.org> matches pattern: .*@example\\.org', sender('rejected', 'blacklisted', { sender: 'spam@example.org', ip: '' })],
    ['validrcptto accepted address', `qmail-smtpd[4242]: validrcptto: accepted address <bob@example.com> at ${IP}`, IGNORED],
    ['validrcptto drop address (qlog counts it)', `qmail-smtpd[4242]: validrcptto: drop address <nobody@example.com> at ${IP}`, IGNORED],
    ['rcptcheck', `qmail-smtpd[4242]: rcptcheck: checking <bob@example.com> at ${IP}`, IGNORED],
    ['badrcptto hang-up', `qmail-smtpd[4242]: badrcptto: excessive rcptto violations hanging up on ${IP}`, IGNORED],
  ]);
});
