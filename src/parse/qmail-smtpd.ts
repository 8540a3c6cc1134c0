/**
 * qmail-smtpd's own lines, written by the patches that make it log (stock qmail-smtpd logs nothing).
 * The text handed in follows the 'qmail-smtpd: ' / 'qmail-smtpd[pid]: ' prefix (dropped here too when
 * it is still there). Sources:
 *  - jms1 combined patch v7.08 (qmail.jms1.net): 'AUTH successful [{ip}] {user}', 'AUTH failed
 *    [(unknown user|bad password|password expired)] [{ip}] {user}', 'validrcptto [{ip}] not found:
 *    {rcpt}', 'MFCHECK fail|invalid [{ip}] ...', 'MAXRCPT fail [{ip}]', 'badmailfrom|badrcptto|badhelo:
 *    <{x}> at {ip}', 'MAIL FROM:<..>', 'RCPT TO:<..>', 'DATABYTES exceeded', 'Received-SPF:', ...;
 *  - Roberto Puzzanghera's qmail (sagredo-dev/qmail qmail-smtpd.c): 'auth: auth-success|auth-failed
 *    type={t} user=<{u}>' and the qlog lines 'qlogenvelope:' (one per MAIL/RCPT decision) and
 *    'qlogreceived:' (end of DATA), `key=value` pairs in a fixed order, values without spaces (qsmtpdlog()
 *    writes them to stderr with no 'qmail-smtpd' prefix: the line starts with 'qlogenvelope:');
 *  - QMailToaster's spf/qq reject logging patch: 'spf-reject: HELO({h}) from {ip}. MAILFROM:{f}',
 *    'badhelo|badmailfrom|badmailto: <{x}> at {ip}', 'looping-reject', 'oversized-reject', 'qq hard|soft
 *    reject'; the qmail-dnsbl patch: '421 badiprbl: ip {ip} rbl: {zone}';
 *  - s/qmail and aQmail (aqmail/aQmail smtpdlog.c): 'pid {pid} {Action}::{Type}::{Condition} P:{proto}
 *    S:{ip}:{host} H:{helo} F:{from} T:{rcpt} [?~ '{info}']';
 *  - indimail: 'pid {pid} from {ip} HELO <{h}> MAIL from <{f}> RCPT <{r}> AUTH <{a}> Size: {n} ...',
 *    one line per recipient of a message it queued;
 *  - the logging patch (also eQmail): '{message} ({reason}): {from} from {ip} to {rcpt} helo {helo}'.
 *
 *   421 badiprbl: ip 198.51.100.54 rbl: example.com                      (real, fail2ban's qmail sample)
 *   qlogenvelope: result=accepted code=250 reason=rcptto detail=chkuserrelay helo=laptop mailfrom=info@example.com rcptto=bob@example.net relay=yes rcpthosts=no size= authuser=info@example.com authtype=login encrypted=tls sslverified=no localip=192.0.2.10 localport=587 remoteip=198.51.100.20 remoteport=51515 remotehost= qp= pid=4242
 *   (the qlog line is built from qsmtpdlog()'s format)
 *
 * One decision, one count. Where a patch writes two lines for one decision, one is counted and its
 * twin is ignored: sagredo's 'auth: auth-failed' is always followed by 'qlogenvelope ... reason=authfailed'
 * (which carries the IP) → the qlog line counts; sagredo's 'badmailfrom:'/'badrcptto:'/'badhelo:' lines
 * are followed by qlog 'qregexbmf'/'qregexbmt'/'qregexbhelo' → the named lines count (they are also all
 * jms1 and QMailToaster write) and those qlog reasons are ignored; sagredo's 'validrcptto: drop address'
 * and 'rcptcheck:' lines are ignored (qlog counts them), jms1's 'validrcptto [ip] not found:' counts.
 * Note: a sagredo host also writes a CHKUSER line for each RCPT that qlog reports; choosing one of the
 * two sources per host is the caller's business.
 *
 * Attacker text (HELO, addresses, AUTH user names) is never used to find a field that follows it: the
 * qlog pairs are read from the right ('key=' found by lastIndexOf before the previous key), the other
 * forms are anchored on the fixed text around them, from the right where client text comes first.
 */
import type {
  AuthProtocol,
  AuthReason,
  MailEvent,
  RblCode,
  RecipientCase,
  RecipientReason,
  SenderReason,
} from '../events/events.js';
import { acceptedRecipientCase } from './chkuser.js';
import { parseUint } from './scan-text.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';

const PROGRAM = 'qmail-smtpd';

/** The SMTP service an AUTH line belongs to, from the listener name (submission 587, smtps 465, else smtp). */
export function smtpAuthProtocol(listener: string): AuthProtocol {
  const name = listener.toLowerCase();
  if (name.includes('submission') || name.includes('587')) return 'submission';
  if (name.includes('smtps') || name.includes('465')) return 'smtps';
  return 'smtp';
}

/** Recognised lines with nothing to count, by their first words. */
const IGNORED_STARTS = [
  'MAIL FROM:<',
  'RCPT TO:<',
  'DATABYTES exceeded [',
  'MFCHECK pass [',
  'Received-SPF: ',
  'RCPTCHECK error: ',
  'before greeting: ',
  'validrcptto',
  'rcptcheck: ',
  'badhelo: ',
  'badrcptto: excessive rcptto violations',
  'bad-mime-reject: ',
  'bad-loader-reject: ',
  'looping-reject: ',
  'oversized-reject: ',
  'qq hard reject (',
  'qq soft reject (',
  'GREETDELAY from ',
  'auth: auth-failed ',
  // the logging patch (sagredo logit2, eQmail): '{message} ({reason}): {from} from {ip} to {rcpt} helo {helo}'
  'message accepted',
  'message rejected',
  'read failed',
  'reject (',
  'exceeded datasize limit',
  'message too big',
  'SNI provided',
  'SSL error',
] as const;

export const parseQmailSmtpd: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  const at = afterProgramPrefix(message);
  const event = parseLine(message, at, ctx);
  if (event !== null) return event;
  for (const start of IGNORED_STARTS) {
    if (message.startsWith(start, at)) return ignored(ctx);
  }
  return null;
};

function ignored(ctx: ProgramContext): MailEvent {
  return { event: 'ignored', time: ctx.time, program: PROGRAM };
}

/** Index after 'qmail-smtpd: ' or 'qmail-smtpd[123]: ', or 0. */
function afterProgramPrefix(s: string): number {
  if (!s.startsWith('qmail-smtpd')) return 0;
  let i = 11;
  if (s.charCodeAt(i) === 91 /* [ */) {
    const close = s.indexOf(']', i);
    if (close < 0 || close > i + 12) return 0;
    i = close + 1;
  }
  return s.startsWith(': ', i) ? i + 2 : 0;
}

function parseLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  switch (s.charCodeAt(at)) {
    case 113 /* q */:
      if (s.startsWith('qlogenvelope:', at)) return qlog(s, at + 13, false, ctx);
      if (s.startsWith('qlogreceived:', at)) return qlog(s, at + 13, true, ctx);
      return null;
    case 65 /* A */:
      return s.startsWith('AUTH ', at) ? jms1Auth(s, at + 5, ctx) : null;
    case 97 /* a */:
      return s.startsWith('auth: auth-success ', at) ? sagredoAuthSuccess(s, at, ctx) : null;
    case 112 /* p */:
      return s.startsWith('pid ', at) ? pidLine(s, at + 4, ctx) : null;
    case 98 /* b */:
      if (s.startsWith('badmailfrom: <', at)) return badAddress(s, at + 14, 'sender', ctx);
      if (s.startsWith('badmailto: <', at)) return badAddress(s, at + 12, 'recipient', ctx);
      if (s.startsWith('badrcptto: <', at)) return badAddress(s, at + 12, 'recipient', ctx);
      return null;
    case 115 /* s */:
      return s.startsWith('spf-reject: HELO(', at) ? spfReject(s, at, ctx) : null;
    case 52 /* 4 */:
      return s.startsWith('421 badiprbl: ip ', at) ? badIpRbl(s, at + 17, ctx) : null;
    case 118 /* v */:
      return s.startsWith('validrcptto [', at) ? jms1ValidRcptTo(s, at + 13, ctx) : null;
    case 77 /* M */:
      if (s.startsWith('MFCHECK fail [', at)) return jms1MfCheck(s, at + 14, 'invalid_domain', ctx);
      if (s.startsWith('MFCHECK invalid [', at)) return jms1MfCheck(s, at + 17, 'invalid_address', ctx);
      if (s.startsWith('MAXRCPT fail [', at)) {
        const close = s.indexOf(']', at + 14);
        if (close < 0) return null;
        return recipientEvent('inbound_rejected', 'too_many_recipients', '', '', s.slice(at + 14, close), '', ctx);
      }
      return null;
    default:
      return null;
  }
}

function authEvent(
  result: 'success' | 'failure',
  reason: AuthReason,
  user: string,
  remoteIp: string,
  ctx: ProgramContext,
): MailEvent {
  return {
    event: 'auth',
    time: ctx.time,
    protocol: smtpAuthProtocol(ctx.listener),
    result,
    reason,
    user,
    remote_ip: remoteIp,
  };
}

function recipientEvent(
  rcptCase: RecipientCase,
  reason: RecipientReason,
  sender: string,
  authUser: string,
  remoteIp: string,
  recipient: string,
  ctx: ProgramContext,
): MailEvent {
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender,
    auth_user: authUser,
    remote_ip: remoteIp,
    recipient,
  };
}

function senderEvent(
  result: 'accepted' | 'rejected',
  reason: SenderReason,
  sender: string,
  remoteIp: string,
  ctx: ProgramContext,
): MailEvent {
  return { event: 'smtp.sender', time: ctx.time, result, reason, listener: ctx.listener, sender, remote_ip: remoteIp };
}

// ---------------------------------------------------------------------------------------------
// jms1

const JMS1_AUTH: ReadonlyArray<readonly [string, 'success' | 'failure', AuthReason]> = [
  ['successful [', 'success', 'none'],
  ['failed [', 'failure', 'bad_password'],
  ['failed (unknown user) [', 'failure', 'unknown_user'],
  ['failed (bad password) [', 'failure', 'bad_password'],
  ['failed (password expired) [', 'failure', 'password_expired'],
];

/** 'AUTH {outcome} [{ip}] {user}' (at points after 'AUTH '). */
function jms1Auth(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  for (const [start, result, reason] of JMS1_AUTH) {
    if (!s.startsWith(start, at)) continue;
    const ipStart = at + start.length;
    const close = s.indexOf('] ', ipStart);
    if (close < 0) return null;
    return authEvent(result, reason, s.slice(close + 2), s.slice(ipStart, close), ctx);
  }
  return null;
}

/** 'validrcptto [{ip}] not found: {rcpt}'; the other validrcptto lines are ignored by the caller. */
function jms1ValidRcptTo(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const close = s.indexOf('] ', at);
  if (close < 0 || !s.startsWith('not found: ', close + 2)) return null;
  return recipientEvent('inbound_rejected', 'no_mailbox', '', '', s.slice(at, close), s.slice(close + 13), ctx);
}

/** 'MFCHECK fail [{ip}] {domain}' (sender's domain has no MX) / 'MFCHECK invalid [{ip}] {sender}'. */
function jms1MfCheck(s: string, at: number, reason: SenderReason, ctx: ProgramContext): MailEvent | null {
  const close = s.indexOf('] ', at);
  if (close < 0) return null;
  // 'fail' names only the domain, which is not an envelope sender
  const sender = reason === 'invalid_address' ? s.slice(close + 2) : '';
  return senderEvent('rejected', reason, sender, s.slice(at, close), ctx);
}

// ---------------------------------------------------------------------------------------------
// sagredo: auth lines and qlog

/** 'auth: auth-success type={t} user=<{u}>' (no IP on this line). */
function sagredoAuthSuccess(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const open = s.indexOf(' user=<', at);
  if (open < 0) return null;
  const close = s.lastIndexOf('>');
  const user = close > open + 7 ? s.slice(open + 7, close) : '';
  return authEvent('success', 'none', user, '', ctx);
}

/** qsmtpdlog()'s keys, in the order it writes them. */
const QLOG_KEYS = [
  ' result=',
  ' code=',
  ' reason=',
  ' detail=',
  ' helo=',
  ' mailfrom=',
  ' rcptto=',
  ' relay=',
  ' rcpthosts=',
  ' size=',
  ' authuser=',
  ' authtype=',
  ' encrypted=',
  ' sslverified=',
  ' localip=',
  ' localport=',
  ' remoteip=',
  ' remoteport=',
  ' remotehost=',
  ' qp=',
  ' pid=',
] as const;
const Q_RESULT = 0;
const Q_CODE = 1;
const Q_REASON = 2;
const Q_DETAIL = 3;
const Q_MAILFROM = 5;
const Q_RCPTTO = 6;
const Q_RELAY = 7;
const Q_RCPTHOSTS = 8;
const Q_AUTHUSER = 10;
const Q_REMOTEIP = 16;
const Q_QP = 19;

/** Session-level qlog reasons (timeouts, resource errors, protocol violations): nothing to count. */
const QLOG_SESSION_REASONS: ReadonlySet<string> = new Set([
  'alarmtimeout',
  'out_of_memory',
  'cannot_read_controls',
  'unknown_ip_me',
  'bad_newlines',
  'pregreet',
  'qqtfailure',
  'authinvalid',
  // counted from their twin line (badmailfrom:, badrcptto:, badhelo:)
  'qregexbmf',
  'qregexbmt',
  'qregexbhelo',
]);

const QLOG_RELAY_DENIED: ReadonlySet<string> = new Set(['not_in_rcpthosts', 'dontrelay']);

const QLOG_RCPT_REASONS: ReadonlyMap<string, RecipientReason> = new Map<string, RecipientReason>([
  ['nomailbox', 'no_mailbox'],
  ['validrcptto', 'no_mailbox'],
  ['max_rcpt_exceeded', 'too_many_recipients'],
  ['brtlimit', 'too_many_invalid_recipients'],
  ['authrequired', 'must_auth'],
  ['empf', 'policy'],
]);

/** qlog 'reason=chkuser detail={d}' and 'reason=rcptcheck detail={d}'. */
const QLOG_CHECK_DETAILS: ReadonlyMap<string, RecipientReason> = new Map<string, RecipientReason>([
  ['notinrcpthosts', 'relay_denied'],
  ['nomailbox', 'no_mailbox'],
  ['mailboxfull', 'mailbox_full'],
  ['maxrcpt', 'too_many_recipients'],
  ['maxwrongrcpt', 'too_many_invalid_recipients'],
  ['instrusionthreshold', 'intrusion_threshold'], // sic, as qmail-smtpd.c spells it
  ['intrusionthreshold', 'intrusion_threshold'],
  ['rcptformat', 'invalid_address'],
  ['domainmissing', 'invalid_address'],
  ['rcptmxinvalid', 'invalid_domain'],
  ['rcptmxdnstmpfail', 'temporary_failure'],
  ['noauthresource', 'temporary_failure'],
  ['mustauth', 'must_auth'],
]);

/** qlog 'reason=chkusersender detail={d}' (MAIL phase). */
const QLOG_SENDER_DETAILS: ReadonlyMap<string, SenderReason> = new Map<string, SenderReason>([
  ['mustauth', 'must_auth'],
  ['senderformat', 'invalid_address'],
  ['sendermxinvalid', 'invalid_domain'],
  ['sendermxdnstmpfail', 'temporary_failure'],
]);

function rblCode(code: string): RblCode {
  return code === '451' || code === '553' || code === '421' || code === '554' ? code : 'unknown';
}

/** The qlog values, read from the right: each key is the last one before the key that follows it. */
function readQlog(s: string, start: number): string[] {
  const values = new Array<string>(QLOG_KEYS.length).fill('');
  let end = s.length;
  while (end > start && s.charCodeAt(end - 1) <= 32) end--;
  for (let k = QLOG_KEYS.length - 1; k >= 0; k--) {
    const key = QLOG_KEYS[k] as string;
    const mark = s.lastIndexOf(key, end - key.length);
    if (mark < start) continue; // an older qlog without this key
    values[k] = s.slice(mark + key.length, end);
    end = mark;
  }
  return values;
}

function qlog(s: string, start: number, received: boolean, ctx: ProgramContext): MailEvent | null {
  const v = readQlog(s, start);
  const result = v[Q_RESULT] as string;
  const reason = v[Q_REASON] as string;
  if (result !== 'accepted' && result !== 'rejected') return null;
  const mailfrom = v[Q_MAILFROM] as string;
  const rcptto = v[Q_RCPTTO] as string;
  const authuser = v[Q_AUTHUSER] as string;
  const remoteIp = v[Q_REMOTEIP] as string;

  if (received) {
    if (result !== 'accepted' || reason !== 'queueaccept') return ignored(ctx);
    const qp = parseUint(v[Q_QP] as string, 0, (v[Q_QP] as string).length);
    return { event: 'smtp.queued', time: ctx.time, listener: ctx.listener, sender: mailfrom, qp: qp < 0 ? 0 : qp };
  }

  if (result === 'accepted') {
    if (rcptto === '') return ignored(ctx);
    const relayYes = v[Q_RELAY] === 'yes';
    const rcpthosts = v[Q_RCPTHOSTS];
    // an authuser without relay=yes is a failed AUTH attempt of this session, not an authentication
    const auth = relayYes ? authuser : '';
    const relayed = rcpthosts === 'no' || (rcpthosts === '' && relayYes) || v[Q_DETAIL] === 'chkuserrelay';
    return recipientEvent(acceptedRecipientCase(mailfrom, auth, relayed), 'none', mailfrom, auth, remoteIp, rcptto, ctx);
  }

  if (QLOG_SESSION_REASONS.has(reason)) return ignored(ctx);
  switch (reason) {
    case 'authfailed':
      return authEvent('failure', 'auth_failed', authuser, remoteIp, ctx);
    case 'rblreject':
    case 'rbldelay':
      return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: remoteIp, code: rblCode(v[Q_CODE] as string) };
    case 'authnotmailfrom':
      return recipientEvent('rejected_auth_failed', 'auth_not_mailfrom', mailfrom, authuser, remoteIp, rcptto, ctx);
    case 'spf':
      return senderEvent('rejected', 'spf', mailfrom, remoteIp, ctx);
  }
  const detail = v[Q_DETAIL] as string;
  if (rcptto === '') {
    const senderReason =
      reason === 'chkusersender'
        ? (QLOG_SENDER_DETAILS.get(detail) ?? 'other')
        : reason === 'authrequired'
          ? 'must_auth'
          : 'other';
    return senderEvent('rejected', senderReason, mailfrom, remoteIp, ctx);
  }
  const rcptReason = QLOG_RELAY_DENIED.has(reason)
    ? 'relay_denied'
    : reason === 'chkuser' || reason === 'rcptcheck'
      ? (QLOG_CHECK_DETAILS.get(detail) ?? 'other')
      : (QLOG_RCPT_REASONS.get(reason) ?? 'other');
  const rcptCase: RecipientCase =
    rcptReason === 'relay_denied' ? (authuser === '' ? 'rejected_no_auth' : 'rejected_auth_failed') : 'inbound_rejected';
  return recipientEvent(rcptCase, rcptReason, mailfrom, authuser, remoteIp, rcptto, ctx);
}

// ---------------------------------------------------------------------------------------------
// QMailToaster / jms1 / sagredo named rejections

/**
 * '<{x}> at {ip}', '<{x}> at {ip} matches pattern: {re}' (jms1 LOGREGEX) or '<{x}> matches pattern:
 * {re}' (sagredo LOGREGEX, no IP); `at` points after '<'. Both ends are found from the right.
 */
function badAddress(s: string, at: number, kind: 'sender' | 'recipient', ctx: ProgramContext): MailEvent | null {
  const pattern = s.lastIndexOf(' matches pattern: ');
  const end = pattern > at ? pattern : s.length;
  const atMark = s.lastIndexOf('> at ', end - 5);
  let address: string;
  let remoteIp = '';
  if (atMark >= at) {
    address = s.slice(at, atMark);
    remoteIp = s.slice(atMark + 5, end).trimEnd();
  } else if (pattern > at && s.charCodeAt(pattern - 1) === 62 /* > */) {
    address = s.slice(at, pattern - 1);
  } else {
    return null;
  }
  return kind === 'sender'
    ? senderEvent('rejected', 'blacklisted', address, remoteIp, ctx)
    : recipientEvent('inbound_rejected', 'blacklisted', '', '', remoteIp, address, ctx);
}

/** 'spf-reject: HELO({helo}) from {ip}. MAILFROM:{from}': the HELO may hold anything, so from the right. */
function spfReject(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const fromMark = s.lastIndexOf('. MAILFROM:');
  const ipMark = fromMark > at ? s.lastIndexOf(') from ', fromMark - 7) : -1;
  if (ipMark < at) return null;
  return senderEvent('rejected', 'spf', s.slice(fromMark + 11).trimEnd(), s.slice(ipMark + 7, fromMark), ctx);
}

/** '421 badiprbl: ip {ip} rbl: {zone}' (qmail-dnsbl style patch). */
function badIpRbl(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const end = s.indexOf(' rbl: ', at);
  if (end < 0) return null;
  return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: s.slice(at, end), code: '421' };
}

// ---------------------------------------------------------------------------------------------
// 'pid {pid} ...': s/qmail / aQmail and indimail

function pidLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  let i = at;
  while (i < s.length && i - at < 10) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === at || s.charCodeAt(i) !== 32) return null;
  i++;
  if (s.startsWith('from ', i)) return indimailLine(s, i + 5, ctx);
  // a Debian logging patch of unknown origin: 'pid {pid} RCPT TO: <...>' / 'MAIL FROM: <...>'
  if (s.startsWith('RCPT TO:', i) || s.startsWith('MAIL FROM:', i)) return ignored(ctx);
  return sQmailLine(s, i, ctx);
}

/**
 * '{Action}::{Type}::{Condition} P:{proto} S:{ip}:{host} H:{helo}[ F:{from} T:{rcpt}][ ?~ '{info}'|
 * '{info}']'. Accept::AUTH is s/qmail's per-recipient line of an authenticated session (info = the AUTH
 * user); s/qmail writes no line for a successful AUTH itself. Reject::AUTH::{method} is a failed AUTH.
 */
function sQmailLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const space = s.indexOf(' ', at);
  if (space < 0) return null;
  const typeMark = s.indexOf('::', at);
  const conditionMark = typeMark > 0 && typeMark < space ? s.indexOf('::', typeMark + 2) : -1;
  if (conditionMark < 0 || conditionMark > space) return null;
  const action = s.slice(at, typeMark);
  if (action !== 'Accept' && action !== 'Reject') return null;
  const type = s.slice(typeMark + 2, conditionMark);
  const condition = s.slice(conditionMark + 2, space);

  const sMark = s.indexOf(' S:', space);
  const hMark = sMark < 0 ? -1 : s.indexOf(' H:', sMark + 3);
  if (hMark < 0) return null;
  const hostColon = s.lastIndexOf(':', hMark - 1);
  const remoteIp = s.slice(sMark + 3, hostColon > sMark + 3 ? hostColon : hMark);

  let tailEnd = s.length;
  while (tailEnd > hMark && s.charCodeAt(tailEnd - 1) <= 32) tailEnd--;
  let info = '';
  if (s.charCodeAt(tailEnd - 1) === 39 /* ' */) {
    let open = s.lastIndexOf(" ?~ '", tailEnd - 2);
    let openLength = 5;
    if (open <= hMark) {
      open = s.lastIndexOf(" '", tailEnd - 2);
      openLength = 2;
    }
    if (open > hMark) {
      info = s.slice(open + openLength, tailEnd - 1);
      tailEnd = open;
    }
  }

  if (type === 'AUTH' && action === 'Reject') {
    if (condition === 'missing') return senderEvent('rejected', 'must_auth', '', remoteIp, ctx);
    if (condition === 'Auth_Meth') return ignored(ctx); // a mechanism the server does not allow
    return authEvent('failure', 'auth_failed', info, remoteIp, ctx);
  }
  if (type === 'TLS' || type === 'DATA') return ignored(ctx);

  const tMark = s.lastIndexOf(' T:', tailEnd - 3);
  const fMark = tMark > hMark ? s.lastIndexOf(' F:', tMark - 3) : -1;
  if (fMark <= hMark) return null;
  const from = s.slice(fMark + 3, tMark);
  const rcpt = s.slice(tMark + 3, tailEnd);

  if (action === 'Accept') {
    switch (type) {
      case 'AUTH':
        return recipientEvent(acceptedRecipientCase(from, info, true), 'none', from, info, remoteIp, rcpt, ctx);
      case 'ORIG': // Local_Sender: a RELAYCLIENT with a local envelope sender
      case 'SNDR': // Relay_Client
        return recipientEvent('sent_no_auth', 'none', from, '', remoteIp, rcpt, ctx);
      case 'RCPT':
      case 'SPF':
        return recipientEvent('inbound_accepted', 'none', from, '', remoteIp, rcpt, ctx);
      default:
        return ignored(ctx);
    }
  }
  switch (type) {
    case 'SNDR':
      if (condition === 'Invalid_Relay') {
        return recipientEvent('rejected_no_auth', 'relay_denied', from, '', remoteIp, rcpt, ctx);
      }
      return ignored(ctx); // Bad_Helo, DNS_Helo
    case 'ORIG':
      return senderEvent(
        'rejected',
        condition === 'DNS_MF' ? 'invalid_domain' : condition === 'Bad_Mailfrom' ? 'blacklisted' : 'other',
        from,
        remoteIp,
        ctx,
      );
    case 'SPF':
      return senderEvent('rejected', 'spf', from, remoteIp, ctx);
    case 'RCPT': {
      const reason: RecipientReason =
        condition === 'Failed_Rcptto'
          ? 'no_mailbox'
          : condition === 'Bad_Rcptto'
            ? 'blacklisted'
            : condition === 'Toomany_Rcptto'
              ? 'too_many_recipients'
              : 'other';
      return recipientEvent('inbound_rejected', reason, from, '', remoteIp, rcpt, ctx);
    }
    default:
      return ignored(ctx);
  }
}

/**
 * indimail, after a message was queued, one line per recipient:
 * 'from {ip} HELO <{helo}> MAIL from <{from}> RCPT <{rcpt}> AUTH <{auth}> Size: {n}...' where {auth} is
 * '{user}: AUTH {method}[: local-rcpt]' when authenticated, else 'local-rcpt' (recipient in rcpthosts) or
 * 'auth-ip/pop' / 'pop-bef-smtp' (relayed for a trusted IP). 'NOTIFY:' lines (DSN) are ignored.
 */
function indimailLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const heloMark = s.indexOf(' HELO <', at);
  const ipEnd = heloMark >= 0 ? heloMark : s.indexOf(' NOTIFY: ', at);
  if (ipEnd < 0) return null;
  if (heloMark < 0) return ignored(ctx);
  const sizeMark = s.lastIndexOf('> Size: ');
  const authMark = sizeMark > heloMark ? s.lastIndexOf('> AUTH <', sizeMark - 8) : -1;
  const rcptMark = authMark > heloMark ? s.lastIndexOf('> RCPT <', authMark - 8) : -1;
  const fromMark = rcptMark > heloMark ? s.lastIndexOf('> MAIL from <', rcptMark - 13) : -1;
  if (fromMark < heloMark) return null;
  const remoteIp = s.slice(at, ipEnd);
  const from = s.slice(fromMark + 13, rcptMark);
  const rcpt = s.slice(rcptMark + 8, authMark);
  const auth = s.slice(authMark + 8, sizeMark);
  if (auth === 'local-rcpt') return recipientEvent('inbound_accepted', 'none', from, '', remoteIp, rcpt, ctx);
  if (auth === 'auth-ip/pop' || auth === 'pop-bef-smtp') {
    return recipientEvent('sent_no_auth', 'none', from, '', remoteIp, rcpt, ctx);
  }
  const methodMark = auth.indexOf(': AUTH ');
  const user = methodMark >= 0 ? auth.slice(0, methodMark) : auth;
  return recipientEvent(acceptedRecipientCase(from, user, true), 'none', from, user, remoteIp, rcpt, ctx);
}
