/**
 * vchkpw: vpopmail's checkpassword program, run by qmail-smtpd for SMTP AUTH and by POP3/IMAP servers
 * (brunonymous/vpopmail vchkpw.c, vpopmail 5.4.33). It logs through syslog as `vpopmail[pid]:`; the
 * message starts with the service name chosen from $TCPLOCALPORT (25 smtp, 110 pop3, 143 imap, 465 smtps,
 * 587 submission, 993 imaps, 995 pop3s, any other port as its number; POP/IMAP from 127.0.0.1 becomes
 * webmail). A number becomes the service of that well-known port, any other number `other`: the
 * protocol is a label, and any local user can write `vchkpw-12345:` with logger.
 *
 *   vchkpw-pop3: password fail keith1@example.com:203.0.113.198
 *   vchkpw-submission: (LOGIN) login success info@example.com:198.51.100.20
 *
 * Older vpopmail wrote 'login success' without the '(TYPE)', and an old form has no colon after the
 * service ('vchkpw-2110 password fail ...'). Passwords: with --enable-logging=p/v vchkpw prints
 * `(pass: '{password}')`; the parser steps over it and never copies it (the user text starts after the
 * LAST "') ", which a real user@domain never contains). The user text is `user@domain` (domain may be
 * empty: 'info@:ip'), a bare name for system users and the null/invalid-name messages; the IP is the
 * text after the first ':' following the last '@' (so an IPv6 address keeps its colons). That text is
 * kept only when it is an IP address: a password typed into the user name ('u@d:hunter2:1.2.3.4')
 * would otherwise reach the leaderboards. When it is not, a trailing IPv4 address after its last ':'
 * is kept, else no IP.
 *
 * Internal errors (setuid/setgid/chdir/putenv failures, 'user has no password', maildir auto-creation)
 * are recognised and ignored: they say nothing about the credentials.
 */
import { isIP, isIPv4 } from 'node:net';
import type { AuthProtocol, AuthReason, AuthResult, MailEvent } from '../events/events.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';

const PROGRAM = 'vchkpw';
const SERVICE_PREFIX = 'vchkpw-';
const SQL_LOG_ERROR = "vchkpw: can't write SQL logs";
const PASSWORD_OPEN = "(pass: '";
const PASSWORD_CLOSE = "') ";

const SERVICES: ReadonlyMap<string, AuthProtocol> = new Map<string, AuthProtocol>([
  ['smtp', 'smtp'],
  ['smtps', 'smtps'],
  ['submission', 'submission'],
  ['pop3', 'pop3'],
  ['pop3s', 'pop3s'],
  ['imap', 'imap'],
  ['imaps', 'imaps'],
  ['webmail', 'webmail'],
]);

/** The numbered form's well-known ports; any other number is `other`. */
const PORTS: ReadonlyMap<string, AuthProtocol> = new Map<string, AuthProtocol>([
  ['25', 'smtp'],
  ['587', 'submission'],
  ['465', 'smtps'],
  ['110', 'pop3'],
  ['995', 'pop3s'],
  ['143', 'imap'],
  ['993', 'imaps'],
]);

type Outcome = { result: AuthResult; reason: AuthReason; mayHidePassword: boolean } | 'internal';

const fail = (reason: AuthReason, mayHidePassword = false): Outcome => ({ result: 'failure', reason, mayHidePassword });
const SUCCESS: Outcome = { result: 'success', reason: 'none', mayHidePassword: false };

/** Message starts (after the service) and what they mean; the user text follows each. Checked in order. */
const MESSAGES: ReadonlyArray<readonly [string, Outcome]> = [
  ['password fail ', fail('bad_password', true)],
  ['vpopmail user not found ', fail('unknown_user')],
  ['null user name given ', fail('empty_credentials')],
  ['null password given ', fail('empty_credentials')],
  ['invalid user/domain characters ', fail('invalid_characters')],
  ['login success ', SUCCESS],
  ['pop access denied ', fail('access_denied')],
  ['smtp access denied ', fail('access_denied')],
  ['imap access denied ', fail('access_denied')],
  ['webmail access denied ', fail('access_denied')],
  ['system user not found ', fail('unknown_user')],
  ['system user shadow entry not found ', fail('unknown_user')],
  ['system password fail ', fail('bad_password', true)],
  ['system password login success ', SUCCESS],
  ['user has no password ', 'internal'],
  ['setuid ', 'internal'],
  ['setgid ', 'internal'],
  ['chdir failed ', 'internal'],
  ['autocreate dir ', 'internal'],
  ['dir auto create failed ', 'internal'],
  ['failed to vauth_getpw() ', 'internal'],
  ['putenv(', 'internal'],
];

export const parseVchkpw: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  if (!message.startsWith(SERVICE_PREFIX)) {
    return message.startsWith(SQL_LOG_ERROR) ? { event: 'ignored', time: ctx.time, program: PROGRAM } : null;
  }
  // service name up to ': ' (or ' ' in the old numbered form)
  let at = SERVICE_PREFIX.length;
  const limit = Math.min(message.length, at + 12);
  while (at < limit) {
    const c = message.charCodeAt(at);
    if (c === 58 /* : */ || c === 32) break;
    at++;
  }
  if (at === limit) return null;
  const protocol = serviceProtocol(message, SERVICE_PREFIX.length, at);
  if (protocol === null) return null;
  if (message.charCodeAt(at) === 58) {
    if (message.charCodeAt(at + 1) !== 32) return null;
    at += 2;
  } else {
    at += 1;
  }

  let outcome: Outcome | null = null;
  if (message.charCodeAt(at) === 40 /* ( */) {
    // '({PLAIN|LOGIN|CRAM-MD5|APOP}) login success '
    const close = message.indexOf(') ', at);
    if (close > 0 && close - at <= 16 && message.startsWith('login success ', close + 2)) {
      outcome = SUCCESS;
      at = close + 2 + 'login success '.length;
    }
  } else {
    for (const [start, meaning] of MESSAGES) {
      if (message.startsWith(start, at)) {
        outcome = meaning;
        at += start.length;
        break;
      }
    }
  }
  if (outcome === null) return null;
  if (outcome === 'internal') return { event: 'ignored', time: ctx.time, program: PROGRAM };

  let userStart = at;
  if (outcome.mayHidePassword && message.startsWith(PASSWORD_OPEN, at)) {
    const close = message.lastIndexOf(PASSWORD_CLOSE);
    userStart = close >= at + PASSWORD_OPEN.length ? close + PASSWORD_CLOSE.length : message.length;
  }
  const lastAt = message.lastIndexOf('@');
  const colon = message.indexOf(':', lastAt >= userStart ? lastAt : userStart);
  const user = colon < 0 ? message.slice(userStart) : message.slice(userStart, colon);
  const remoteIp = colon < 0 ? '' : ipField(message.slice(colon + 1).trimEnd());
  return {
    event: 'auth',
    time: ctx.time,
    protocol,
    result: outcome.result,
    reason: outcome.reason,
    user,
    remote_ip: remoteIp,
  };
};

/** 'pop3' → 'pop3', '993' → 'imaps', '2110' → 'other'; null for anything vchkpw does not print. */
function serviceProtocol(s: string, start: number, end: number): AuthProtocol | null {
  if (end === start) return null;
  let digits = true;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) {
      digits = false;
      break;
    }
  }
  if (digits) return end - start <= 5 ? (PORTS.get(s.slice(start, end)) ?? 'other') : null;
  return SERVICES.get(s.slice(start, end)) ?? null;
}

/** The IP field when it is an address; else an IPv4 address after its last ':'; else ''. */
function ipField(text: string): string {
  if (text === '' || isIP(text) !== 0) return text;
  const last = text.lastIndexOf(':');
  const tail = last < 0 ? '' : text.slice(last + 1);
  return isIPv4(tail) ? tail : '';
}
