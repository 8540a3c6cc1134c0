import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseQmailSmtpd, smtpAuthProtocol } from '../../src/parse/qmail-smtpd.js';
import type { MailEvent } from '../../src/events/events.js';
import {
  AUTH_REASONS,
  RBL_CODES,
  RECIPIENT_CASES,
  RECIPIENT_REASONS,
  SENDER_REASONS,
} from '../../src/events/events.js';

// Every line here is built from the patches' source (jms1 combined patch v7.08, sagredo-dev/qmail
// qmail-smtpd.c, QMailToaster patches, aqmail/aQmail smtpdlog.c, indimail-mta log_trans()):
// "from format, not observed", except where a test says "observed".

const ctx = { time: 1157519909.633171, listener: 'smtp' };
const IP = '198.51.100.20';

function recipient(rcptCase: string, reason: string, f: { sender?: string; auth?: string; ip?: string; rcpt?: string } = {}): MailEvent {
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender: f.sender ?? 'info@example.com',
    auth_user: f.auth ?? '',
    remote_ip: f.ip ?? IP,
    recipient: f.rcpt ?? 'bob@example.net',
  } as MailEvent;
}
function sender(result: string, reason: string, f: { sender?: string; ip?: string } = {}): MailEvent {
  return {
    event: 'smtp.sender',
    time: ctx.time,
    result,
    reason,
    listener: ctx.listener,
    sender: f.sender ?? 'info@example.com',
    remote_ip: f.ip ?? IP,
  } as MailEvent;
}
function auth(result: string, reason: string, user: string, ip = IP, protocol = 'smtp'): MailEvent {
  return { event: 'auth', time: ctx.time, protocol, result, reason, user, remote_ip: ip } as MailEvent;
}
const rbl = (code: string, ip = IP): MailEvent => ({ event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: ip, code }) as MailEvent;
const IGNORED: MailEvent = { event: 'ignored', time: ctx.time, program: 'qmail-smtpd' };

type Cases = ReadonlyArray<readonly [string, string, MailEvent | null]>;
function table(cases: Cases): void {
  for (const [name, line, want] of cases) test(name, () => assert.deepEqual(parseQmailSmtpd(line, ctx), want));
}

describe('qmail-smtpd: the program prefix', () => {
  const body = `AUTH successful [${IP}] info@example.com`;
  table([
    ['without prefix (dispatcher already cut it)', body, auth('success', 'none', 'info@example.com')],
    ["'qmail-smtpd: '", `qmail-smtpd: ${body}`, auth('success', 'none', 'info@example.com')],
    ["'qmail-smtpd[pid]: '", `qmail-smtpd[4242]: ${body}`, auth('success', 'none', 'info@example.com')],
  ]);

  test('AUTH protocol from the listener name', () => {
    assert.equal(smtpAuthProtocol('smtp'), 'smtp');
    assert.equal(smtpAuthProtocol('smtp-mx'), 'smtp');
    assert.equal(smtpAuthProtocol('submission'), 'submission');
    assert.equal(smtpAuthProtocol('qmail-Submission'), 'submission');
    assert.equal(smtpAuthProtocol('smtp587'), 'submission');
    assert.equal(smtpAuthProtocol('smtps'), 'smtps');
    assert.equal(smtpAuthProtocol('smtp-465'), 'smtps');
    assert.deepEqual(
      parseQmailSmtpd(`AUTH failed [${IP}] x`, { time: ctx.time, listener: 'submission' }),
      auth('failure', 'bad_password', 'x', IP, 'submission'),
    );
  });
});

describe('qmail-smtpd: jms1 combined patch', () => {
  table([
    ['AUTH successful', `qmail-smtpd[4242]: AUTH successful [${IP}] info@example.com`, auth('success', 'none', 'info@example.com')],
    ['AUTH failed (checkpassword)', `qmail-smtpd[4242]: AUTH failed [${IP}] info@example.com`, auth('failure', 'bad_password', 'info@example.com')],
    ['AUTH failed (unknown user) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (unknown user) [${IP}] nobody`, auth('failure', 'unknown_user', 'nobody')],
    ['AUTH failed (bad password) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (bad password) [${IP}] info`, auth('failure', 'bad_password', 'info')],
    ['AUTH failed (password expired) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (password expired) [${IP}] info`, auth('failure', 'password_expired', 'info')],
    ['AUTH user holding "] "', `AUTH failed [${IP}] a] b`, auth('failure', 'bad_password', 'a] b')],
    ['AUTH over IPv6', 'AUTH successful [2001:db8::25] info@example.com', auth('success', 'none', 'info@example.com', '2001:db8::25')],
    [
      'validrcptto not found',
      `qmail-smtpd[4242]: validrcptto [${IP}] not found: nobody@example.com`,
      recipient('inbound_rejected', 'no_mailbox', { sender: '', rcpt: 'nobody@example.com' }),
    ],
    ['validrcptto trace line', `validrcptto [${IP}] RCPT TO: nobody@example.com`, IGNORED],
    ['validrcptto hang-up', `validrcptto [${IP}] excessive violations, hanging up`, IGNORED],
    ['MFCHECK fail (sender domain without MX)', `MFCHECK fail [${IP}] nowhere.example`, sender('rejected', 'invalid_domain', { sender: '' })],
    ['MFCHECK invalid (sender without domain)', `MFCHECK invalid [${IP}] info`, sender('rejected', 'invalid_address', { sender: 'info' })],
    ['MFCHECK pass', `MFCHECK pass [${IP}] example.com`, IGNORED],
    ['MAXRCPT fail', `MAXRCPT fail [${IP}]`, recipient('inbound_rejected', 'too_many_recipients', { sender: '', rcpt: '' })],
    ['badmailfrom', `badmailfrom: <spam@example.org> at ${IP}`, sender('rejected', 'blacklisted', { sender: 'spam@example.org' })],
    [
      'badmailfrom with LOGREGEX',
      `badmailfrom: <spam@example.org> at ${IP} matches pattern: .*@example\\.org`,
      sender('rejected', 'blacklisted', { sender: 'spam@example.org' }),
    ],
    ['badrcptto', `badrcptto: <abuse@example.com> at ${IP}`, recipient('inbound_rejected', 'blacklisted', { sender: '', rcpt: 'abuse@example.com' })],
    ['badhelo', `badhelo: <localhost> at ${IP}`, IGNORED],
    ['MAIL FROM logged', 'MAIL FROM:<info@example.com>', IGNORED],
    ['RCPT TO logged', 'RCPT TO:<bob@example.net>', IGNORED],
    ['DATABYTES exceeded', `DATABYTES exceeded [${IP}]`, IGNORED],
    ['Received-SPF', `Received-SPF: pass (mail.example.com: SPF record at example.com designates ${IP} as permitted sender)`, IGNORED],
    ['RCPTCHECK error', 'RCPTCHECK error: 553 no mailbox here by that name', IGNORED],
    ['before greeting', `before greeting: [${IP}] client sent data`, IGNORED],
  ]);
});

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
      recipient('sent_auth_different_user', 'none', { auth: 'boss@example.com' }),
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

describe('qmail-smtpd: QMailToaster and qmail-dnsbl lines', () => {
  table([
    [
      'observed (fail2ban qmail sample): 421 badiprbl',
      'qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com',
      rbl('421', '198.51.100.54'),
    ],
    ['spf-reject', `qmail-smtpd: spf-reject: HELO(mx.example.org) from ${IP}. MAILFROM:spam@example.org`, sender('rejected', 'spf', { sender: 'spam@example.org' })],
    [
      'spf-reject with a HELO imitating the line',
      `qmail-smtpd: spf-reject: HELO(x) from 6.6.6.6. MAILFROM:a@b) from ${IP}. MAILFROM:spam@example.org`,
      sender('rejected', 'spf', { sender: 'spam@example.org' }),
    ],
    ['badmailfrom', `qmail-smtpd: badmailfrom: <spam@example.org> at ${IP}`, sender('rejected', 'blacklisted', { sender: 'spam@example.org' })],
    [
      'badmailfrom with "> at " inside the address',
      `qmail-smtpd: badmailfrom: <"x> at 6.6.6.6"@example.org> at ${IP}`,
      sender('rejected', 'blacklisted', { sender: '"x> at 6.6.6.6"@example.org' }),
    ],
    ['badmailto', `qmail-smtpd: badmailto: <abuse@example.com> at ${IP}`, recipient('inbound_rejected', 'blacklisted', { sender: '', rcpt: 'abuse@example.com' })],
    ['badhelo', `qmail-smtpd: badhelo: <localhost> at ${IP}`, IGNORED],
    ['looping-reject', 'qmail-smtpd: looping-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['oversized-reject', 'qmail-smtpd: oversized-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['bad-mime-reject', 'qmail-smtpd: bad-mime-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['qq hard reject', 'qmail-smtpd: qq hard reject (Your email was rejected because it contains a virus): MAILFROM:<a@b> RCPTTO:c@d', IGNORED],
    ['qq soft reject', 'qmail-smtpd: qq soft reject (mail server temporarily rejected message (#4.3.0)): MAILFROM:<a@b> RCPTTO:c@d', IGNORED],
  ]);
});

describe('qmail-smtpd: sagredo named lines (twins of qlog lines)', () => {
  table([
    ['sagredo badmailfrom with LOGREGEX (no IP)', 'qmail-smtpd[4242]: badmailfrom: <spam@example.org> matches pattern: .*@example\\.org', sender('rejected', 'blacklisted', { sender: 'spam@example.org', ip: '' })],
    ['validrcptto accepted address', `qmail-smtpd[4242]: validrcptto: accepted address <bob@example.com> at ${IP}`, IGNORED],
    ['validrcptto drop address (qlog counts it)', `qmail-smtpd[4242]: validrcptto: drop address <nobody@example.com> at ${IP}`, IGNORED],
    ['rcptcheck', `qmail-smtpd[4242]: rcptcheck: checking <bob@example.com> at ${IP}`, IGNORED],
    ['badrcptto hang-up', `qmail-smtpd[4242]: badrcptto: excessive rcptto violations hanging up on ${IP}`, IGNORED],
    ['logging patch: read failed', `qmail-smtpd: read failed (timeout): info@example.com from ${IP} to bob@example.net helo laptop`, IGNORED],
    ['logging patch: reject', `qmail-smtpd: reject (auth not available): info@example.com from ${IP} to  helo laptop`, IGNORED],
    ['logging patch (eQmail): message accepted', `qmail-smtpd: message accepted: info@example.com from ${IP} to bob@example.net helo laptop`, IGNORED],
    ['GREETDELAY', `qmail-smtpd: GREETDELAY from ${IP}: client sent data before greeting`, IGNORED],
  ]);
});

function sq(action: string, tail: string, ip = IP): string {
  return `qmail-smtpd: pid 4242 ${action} P:ESMTP S:${ip}:unknown H:laptop${tail}`;
}
const FT = ' F:info@example.com T:bob@example.net';

describe('qmail-smtpd: s/qmail and aQmail smtpdlog lines', () => {
  table([
    [
      'Accept::AUTH (recipient of an authenticated session), same user',
      sq('Accept::AUTH::login', `${FT} ?~ 'info@example.com'`),
      recipient('sent_auth_same_user', 'none', { auth: 'info@example.com' }),
    ],
    [
      'Accept::AUTH, different user',
      sq('Accept::AUTH::plain', `${FT} ?~ 'boss@example.com'`),
      recipient('sent_auth_different_user', 'none', { auth: 'boss@example.com' }),
    ],
    ['Reject::AUTH (failed AUTH)', sq('Reject::AUTH::login', " ?~ 'info@example.com'"), auth('failure', 'auth_failed', 'info@example.com')],
    ['Reject::AUTH::Auth_Meth (mechanism not allowed)', sq('Reject::AUTH::Auth_Meth', " ?~ 'none'"), IGNORED],
    ['Reject::AUTH::missing (auth required)', sq('Reject::AUTH::missing', ''), sender('rejected', 'must_auth', { sender: '' })],
    ['Reject::SNDR::Invalid_Relay', sq('Reject::SNDR::Invalid_Relay', FT), recipient('rejected_no_auth', 'relay_denied')],
    ['Reject::SNDR::Bad_Helo', sq('Reject::SNDR::Bad_Helo', `${FT} '*'`), IGNORED],
    ['Reject::SNDR::DNS_Helo', sq('Reject::SNDR::DNS_Helo', `${FT} 'A'`), IGNORED],
    ['Reject::ORIG::DNS_MF', sq('Reject::ORIG::DNS_MF', FT), sender('rejected', 'invalid_domain')],
    ['Reject::ORIG::Bad_Mailfrom', sq('Reject::ORIG::Bad_Mailfrom', `${FT} '@'`), sender('rejected', 'blacklisted')],
    ['Reject::ORIG::Invalid_Mailfrom', sq('Reject::ORIG::Invalid_Mailfrom', FT), sender('rejected', 'other')],
    ['Reject::SPF::Fail', sq('Reject::SPF::Fail', FT), sender('rejected', 'spf')],
    ['Reject::RCPT::Failed_Rcptto', sq('Reject::RCPT::Failed_Rcptto', FT), recipient('inbound_rejected', 'no_mailbox')],
    ['Reject::RCPT::Bad_Rcptto', sq('Reject::RCPT::Bad_Rcptto', FT), recipient('inbound_rejected', 'blacklisted')],
    ['Reject::RCPT::Toomany_Rcptto', sq('Reject::RCPT::Toomany_Rcptto', FT), recipient('inbound_rejected', 'too_many_recipients')],
    ['Reject::DATA::Invalid_Size', sq('Reject::DATA::Invalid_Size', FT), IGNORED],
    ['Reject::DATA::Virus_Infected', sq('Reject::DATA::Virus_Infected', `${FT} 'AV scanner'`), IGNORED],
    ['Reject::TLS::missing', sq('Reject::TLS::missing', ''), IGNORED],
    ['Accept::SNDR::Relay_Client', sq('Accept::SNDR::Relay_Client', FT), recipient('sent_no_auth', 'none')],
    ['Accept::ORIG::Local_Sender', sq('Accept::ORIG::Local_Sender', FT), recipient('sent_no_auth', 'none')],
    ['Accept::RCPT::Recipients_Cdb', sq('Accept::RCPT::Recipients_Cdb', FT), recipient('inbound_accepted', 'none')],
    ['Accept::SPF::Rcpthosts_Rcptto', sq('Accept::SPF::Rcpthosts_Rcptto', FT), recipient('inbound_accepted', 'none')],
    ['IPv6 client', sq('Accept::RCPT::Rcpthosts_Rcptto', FT, '2001:db8::25'), recipient('inbound_accepted', 'none', { ip: '2001:db8::25' })],
    [
      "HELO holding ' F:' and ' T:'",
      `qmail-smtpd: pid 4242 Reject::SNDR::Invalid_Relay P:ESMTP S:${IP}:unknown H:x F:evil T:victim S:6.6.6.6${FT}`,
      recipient('rejected_no_auth', 'relay_denied'),
    ],
    ['unknown action word', sq('Maybe::RCPT::X', FT), null],
    ['no S: field', 'qmail-smtpd: pid 4242 Accept::RCPT::X P:ESMTP', null],
  ]);
});

describe('qmail-smtpd: indimail per-recipient lines', () => {
  const line = (a: string, helo = 'laptop') =>
    `qmail-smtpd: pid 4242 from ${IP} HELO <${helo}> MAIL from <info@example.com> RCPT <bob@example.net> AUTH <${a}> Size: 2048 TLS=TLSv1.3`;
  table([
    ['authenticated as the sender', line('info@example.com: AUTH LOGIN'), recipient('sent_auth_same_user', 'none', { auth: 'info@example.com' })],
    ['authenticated as another user, local recipient', line('boss@example.com: AUTH PLAIN: local-rcpt'), recipient('sent_auth_different_user', 'none', { auth: 'boss@example.com' })],
    ['local recipient, no auth', line('local-rcpt'), recipient('inbound_accepted', 'none')],
    ['relayed for a trusted IP', line('auth-ip/pop'), recipient('sent_no_auth', 'none')],
    ['relayed, older wording', line('pop-bef-smtp'), recipient('sent_no_auth', 'none')],
    ['HELO imitating the rest of the line', line('local-rcpt', 'x> MAIL from <a@b> RCPT <c@d> AUTH <e: AUTH LOGIN> Size: 1'), recipient('inbound_accepted', 'none')],
    ['NOTIFY (DSN) line', `qmail-smtpd: pid 4242 from ${IP} NOTIFY: MAIL from <> RCPT <info@example.com> Size: 100`, IGNORED],
    ['Debian pid line of unknown origin', 'qmail-smtpd: pid 4242 RCPT TO: <bob@example.net>', IGNORED],
    ['pid without number', 'qmail-smtpd: pid x from 1.2.3.4', null],
  ]);
});

describe('qmail-smtpd: unknown text and hostile input', () => {
  table([
    ['empty', '', null],
    ['another program', 'tcpserver: status: 1/40', null],
    ['unknown qmail-smtpd text', 'qmail-smtpd: something new', null],
    ['AUTH without bracket', 'AUTH successful info@example.com', null],
    ['spf-reject without MAILFROM', 'spf-reject: HELO(x) from 1.2.3.4', null],
    ['badmailfrom without "> at "', 'badmailfrom: <spam@example.org', null],
  ]);

  test('100 KB of ":" and "<" in the client fields parse (timing: bench/parse-b.ts)', () => {
    const junk = ':<'.repeat(50_000);
    assert.deepEqual(
      parseQmailSmtpd(`spf-reject: HELO(${junk}) from ${IP}. MAILFROM:spam@example.org`, ctx),
      sender('rejected', 'spf', { sender: 'spam@example.org' }),
    );
    assert.deepEqual(
      parseQmailSmtpd(`pid 1 Accept::RCPT::Recipients_Cdb P:ESMTP S:${IP}:unknown H:${junk}${FT}`, ctx),
      recipient('inbound_accepted', 'none'),
    );
    assert.deepEqual(
      parseQmailSmtpd(`pid 1 from ${IP} HELO <${junk}> MAIL from <info@example.com> RCPT <bob@example.net> AUTH <local-rcpt> Size: 1`, ctx),
      recipient('inbound_accepted', 'none'),
    );
  });

  test('property: never throws, labels only from the vocabularies', () => {
    const pieces = ['qmail-smtpd: ', 'qlogenvelope:', ' result=rejected', ' reason=chkuser', ' detail=', ' rcptto=', ' code=553', 'pid 1 ', 'Accept::AUTH::login', ' S:', ' H:', ' F:', ' T:', " ?~ '", "'", 'AUTH failed [', '] ', 'badmailfrom: <', '> at ', 'from ', ' HELO <', '> AUTH <', '> Size: ', ':', '<', '>'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 16 }), (parts) => {
        const e = parseQmailSmtpd(parts.join(''), ctx);
        if (e === null) return;
        switch (e.event) {
          case 'smtp.recipient':
            assert.ok(RECIPIENT_CASES.includes(e.case) && RECIPIENT_REASONS.includes(e.reason));
            break;
          case 'smtp.sender':
            assert.ok(SENDER_REASONS.includes(e.reason));
            break;
          case 'auth':
            assert.ok(AUTH_REASONS.includes(e.reason) && ['smtp', 'submission', 'smtps'].includes(e.protocol));
            break;
          case 'rbl.reject':
            assert.ok(RBL_CODES.includes(e.code));
            break;
          case 'smtp.queued':
          case 'ignored':
            break;
          default:
            assert.fail(`unexpected event ${e.event}`);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
