/**
 * qmail-smtpd lines of Roberto Puzzanghera's qmail (sagredo-dev/qmail qmail-smtpd.c): the qlog lines
 * 'qlogenvelope:' (one per MAIL/RCPT decision) and 'qlogreceived:' (end of DATA), `key=value` pairs in
 * a fixed order with values without spaces (qsmtpdlog() writes them to stderr with no 'qmail-smtpd'
 * prefix), and 'auth: auth-success|auth-failed type={t} user=<{u}>'. Built from qsmtpdlog()'s format:
 *
 *   qlogenvelope: result=accepted code=250 reason=rcptto detail=chkuserrelay helo=laptop mailfrom=info@example.com rcptto=bob@example.net relay=yes rcpthosts=no size= authuser=info@example.com authtype=login encrypted=tls sslverified=no localip=192.0.2.10 localport=587 remoteip=198.51.100.20 remoteport=51515 remotehost= qp= pid=4242
 *
 * One decision, one count: 'auth: auth-failed' is always followed by 'qlogenvelope ... reason=authfailed'
 * (which carries the IP) → the qlog line counts and the auth line is ignored; 'badmailfrom:'/'badrcptto:'
 * /'badhelo:' are followed by qlog 'qregexbmf'/'qregexbmt'/'qregexbhelo' → the named lines count
 * (qmail-smtpd-qmailtoaster.ts) and those qlog reasons are ignored; 'validrcptto: drop address' and
 * 'rcptcheck:' are ignored (qlog counts them). A sagredo host also writes a CHKUSER line for each RCPT
 * that qlog reports; choosing one of the two sources per host is the caller's business.
 *
 * The qlog pairs are read from the right ('key=' found by lastIndexOf before the previous key), so a
 * HELO or address holding ' remoteip=' cannot move a field.
 */
import type { MailEvent, RblCode, RecipientReason, SenderReason } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { accepted, authEvent, ignored, recipient, refused, senderEvent } from './qmail-smtpd-events.js';
import { parseUint } from './scan-text.js';

/** sagredo's recognised lines with nothing to count (their qlog twin counts). */
export const SAGREDO_IGNORED_STARTS = ['rcptcheck: ', 'auth: auth-failed '] as const;

/** 'auth: auth-success type={t} user=<{u}>' (no IP on this line). */
export function sagredoAuthSuccess(s: string, at: number, ctx: ProgramContext): MailEvent | null {
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

export function qlog(s: string, start: number, received: boolean, ctx: ProgramContext): MailEvent | null {
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
    return recipient(accepted(relayed, mailfrom, auth), remoteIp, rcptto, ctx);
  }

  if (QLOG_SESSION_REASONS.has(reason)) return ignored(ctx);
  switch (reason) {
    case 'authfailed':
      return authEvent('failure', 'auth_failed', authuser, remoteIp, ctx);
    case 'rblreject':
    case 'rbldelay':
      return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: remoteIp, code: rblCode(v[Q_CODE] as string) };
    case 'authnotmailfrom':
      return recipient(refused('relay_refused', 'auth_not_mailfrom', mailfrom, authuser), remoteIp, rcptto, ctx);
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
  const decision = rcptReason === 'relay_denied' ? 'relay_refused' : 'refused';
  return recipient(refused(decision, rcptReason, mailfrom, authuser), remoteIp, rcptto, ctx);
}
