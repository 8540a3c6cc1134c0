/**
 * dovecot: the IMAP/POP3/submission/ManageSieve login processes and the auth processes (dovecot/core
 * src/login-common/client-common.c client_get_extra_disconnect_reason(), src/auth/auth-request.c;
 * wording from 1.x to 2.4). The text handed in starts at the dovecot process name (after the syslog or
 * log_path envelope); a leading 'dovecot: ' is dropped, and so is a log level ('Info: ', ...) after the
 * process name:
 *
 *   imap-login: Info: Login: user=<info@example.com>, method=PLAIN, rip=203.0.113.207, lip=192.0.2.10, mpid=70157, TLS, session=<fzDAEldbr82XVI7P>
 *   pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<ivo>, method=PLAIN, rip=1.2.3.4, lip=1.1.2.2, TLS: Disconnected, session=<q454Xu/vMwBZApgg>
 *
 * dovecot 1.0 wrote the login process's lines without fields: 'Login: {user} [{ip}]' (a success) and
 * 'Aborted login [{ip}]' / 'Disconnected [{ip}]' (ignored: they do not say whether a login failed).
 *
 * What counts:
 *  - `Login:` (2.4: `Logged in:`) → auth success; protocol from the service (`imap-login` from 127.0.0.1 or ::1 is the
 *    webmail, which connects from localhost, and is counted as 'webmail', success or failure);
 *  - the login process's summary of a session that failed to log in: any text whose reason group holds
 *    '(auth failed, N attempts' (or '(authorization failed, N attempts') → ONE failure 'auth_failed' per
 *    line, whatever N is: the line is the unit dovecot reports, and N is not carried by the contract;
 *    '(user disabled)' / '(login disabled)' → access_denied, '(password expired)', '(proxy dest auth
 *    failed)' → proxy_failed;
 *  - every other login-process summary (no auth attempts, TLS handshake failures, disallowed plaintext,
 *    client didn't finish SASL, proxy progress...) is recognised and ignored.
 * The auth process's detail lines (`auth:`, `auth-worker(..):`, `auth(user,ip,...)<session>:`,
 * `dovecot-auth:`, pam_unix) for unknown users, password mismatches, PAM failures and vpopmail 'disabled'
 * are recognised and NOT counted: the summary line of the same attempt is, and counting both would count
 * one attempt twice. Mailbox-process session ends ('Logged out', 'Disconnected: ...') are ignored.
 *
 * Attacker text: the user name inside `user=<...>` is what the client sent. The summary is cut at the
 * first ': user=<' (dovecot's own text precedes it), rip= is read at the LAST ' rip=', and the user ends
 * at the last '>' before rip=, so a user name holding '(auth failed, ', '>' or ', rip=' moves nothing.
 */
import type { AuthProtocol, AuthReason, MailEvent } from '../events/events.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';
import { lastIndexOfChar } from './scan-text.js';

const PROGRAM = 'dovecot';
const LEVELS = ['Info: ', 'Warning: ', 'Error: ', 'Debug: ', 'Fatal: ', 'Panic: '] as const;

const LOGIN_SERVICES: ReadonlyArray<readonly [string, AuthProtocol]> = [
  ['imap-login: ', 'imap'],
  ['pop3-login: ', 'pop3'],
  ['submission-login: ', 'submission'],
  ['managesieve-login: ', 'managesieve'],
];

// dovecot 1.x wrote the mailbox processes in capitals: 'POP3(user): Disconnected: Logged out ...'
const MAILBOX_SERVICES = ['imap(', 'pop3(', 'submission(', 'managesieve(', 'lmtp(', 'IMAP(', 'POP3('] as const;

/**
 * dovecot's processes that never report a login: start-up and housekeeping notes ('master: Dovecot
 * v2.2.29.1 starting up', 'ssl-params: Generating SSL parameters'), deliveries, indexing. Ignored.
 */
const OTHER_PROCESSES = [
  'master: ',
  'ssl-params: ',
  'config: ',
  'log: ',
  'log(',
  'anvil: ',
  'stats: ',
  'dict: ',
  'dict(',
  'indexer',
  'doveadm: ',
  'doveadm(',
  'lda(',
  'lda: ',
  'quota-status',
  'replicator',
  'director',
  'imap-hibernate',
  'pop3-login: Warning',
  'imap-login: Warning',
] as const;

/** Reason groups that mean a failed login, in the order they are looked for. */
const FAILURES: ReadonlyArray<readonly [string, AuthReason]> = [
  ['(auth failed, ', 'auth_failed'],
  ['(authorization failed, ', 'auth_failed'],
  ['(user disabled)', 'access_denied'],
  ['(login disabled)', 'access_denied'],
  ['(password expired)', 'password_expired'],
  ['(proxy dest auth failed)', 'proxy_failed'],
];

/** Auth-process texts that detail one attempt whose login-process summary is counted instead. */
const AUTH_DETAILS = [
  'unknown user',
  'Password mismatch',
  'password mismatch',
  'pam_authenticate() failed',
  'invalid credentials',
  'authentication failure',
  'User not known',
  ' disabled',
] as const;

export const parseDovecot: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  let at = message.startsWith('dovecot: ') ? 9 : 0;
  const first = message.charCodeAt(at);
  // 'i'map 'p'op3 's'ubmission 'm'anagesieve 'l'mtp 'a'uth 'd'ovecot-auth
  if (first === 97 /* a */ || first === 100 /* d */ || message.startsWith('pam_unix(', at)) {
    const detail = authDetail(message, at, ctx);
    if (detail !== null) return detail;
  }
  for (const [prefix, protocol] of LOGIN_SERVICES) {
    if (message.startsWith(prefix, at)) return loginLine(message, at + prefix.length, protocol, ctx);
  }
  for (const prefix of MAILBOX_SERVICES) {
    if (message.startsWith(prefix, at)) return mailboxLine(message, at + prefix.length, ctx);
  }
  for (const prefix of OTHER_PROCESSES) {
    if (message.startsWith(prefix, at)) return ignored(ctx);
  }
  return null;
};

function skipLevel(s: string, at: number): number {
  for (const level of LEVELS) if (s.startsWith(level, at)) return at + level.length;
  return at;
}

function loginLine(s: string, start: number, service: AuthProtocol, ctx: ProgramContext): MailEvent | null {
  const at = skipLevel(s, start);
  // 'Logged in: ' is dovecot 2.4's wording of 'Login: '
  const loggedIn = s.startsWith('Logged in: ', at);
  if (loggedIn || s.startsWith('Login: ', at)) {
    const rip = s.lastIndexOf(' rip=');
    if (!loggedIn && rip < 0 && !s.includes('user=<', at)) return oldLogin(s, at + 7, service, ctx);
    return authEvent(service, remoteIpField(s, rip), 'success', 'none', userField(s, at, rip), ctx);
  }
  // The elements start at the first of 'user=<', 'method=', 'rip=' (empty ones are dropped).
  let summaryEnd = s.indexOf(': user=<', at);
  if (summaryEnd < 0) summaryEnd = s.indexOf(': method=', at);
  if (summaryEnd < 0) summaryEnd = s.indexOf(': rip=', at);
  if (summaryEnd < 0) {
    // dovecot 1.0: 'Aborted login [192.0.2.5]', 'Disconnected: Inactivity [192.0.2.5]' (no failure is said)
    if (s.charCodeAt(s.length - 1) === 93 /* ] */ && s.lastIndexOf(' [') > at) return ignored(ctx);
    // a login process's warnings and errors without a session summary (TLS failures, limits)
    return s.startsWith('Error: ', start) || s.startsWith('Warning: ', start) || s.startsWith('Info: ', start) ? ignored(ctx) : null;
  }
  for (const [group, reason] of FAILURES) {
    const found = s.indexOf(group, at);
    if (found >= 0 && found < summaryEnd) {
      const rip = s.lastIndexOf(' rip=');
      return authEvent(service, remoteIpField(s, rip), 'failure', reason, userField(s, summaryEnd, rip), ctx);
    }
  }
  return { event: 'ignored', time: ctx.time, program: PROGRAM };
}

/** dovecot 1.0's 'Login: {user} [{ip}]' (at points at the user; the user is client text, the IP is last). */
function oldLogin(s: string, at: number, service: AuthProtocol, ctx: ProgramContext): MailEvent | null {
  const open = s.lastIndexOf(' [');
  if (open < at || s.charCodeAt(s.length - 1) !== 93 /* ] */) return null;
  return authEvent(service, s.slice(open + 2, s.length - 1), 'success', 'none', s.slice(at, open), ctx);
}

function ignored(ctx: ProgramContext): MailEvent {
  return { event: 'ignored', time: ctx.time, program: PROGRAM };
}

function authEvent(
  service: AuthProtocol,
  remoteIp: string,
  result: 'success' | 'failure',
  reason: AuthReason,
  user: string,
  ctx: ProgramContext,
): MailEvent {
  const protocol = service === 'imap' && (remoteIp === '127.0.0.1' || remoteIp === '::1') ? 'webmail' : service;
  return { event: 'auth', time: ctx.time, protocol, result, reason, user, remote_ip: remoteIp };
}

/**
 * The value of the LAST ' rip=' (at `mark`, -1 without one) up to ',' or the end ('' without one): it
 * follows every client text.
 */
function remoteIpField(s: string, mark: number): string {
  if (mark < 0) return '';
  const comma = s.indexOf(',', mark + 5);
  return s.slice(mark + 5, comma < 0 ? s.length : comma).trimEnd();
}

/** `user=<...>` from `from` on: up to the last '>' before the last ' rip=' at `rip` (the name is client text). */
function userField(s: string, from: number, rip: number): string {
  const open = s.indexOf('user=<', from);
  if (open < 0) return '';
  const start = open + 6;
  const close = rip > start ? lastIndexOfChar(s, 62 /* > */, start, rip) : s.indexOf('>', start);
  return close >= start ? s.slice(start, close) : '';
}

function authDetail(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const isAuthProcess =
    s.startsWith('auth: ', at) ||
    s.startsWith('auth-worker(', at) ||
    s.startsWith('auth(', at) ||
    s.startsWith('dovecot-auth: ', at) ||
    s.startsWith('pam_unix(dovecot', at);
  if (!isAuthProcess) return null;
  for (const detail of AUTH_DETAILS) {
    if (s.includes(detail, at)) return { event: 'ignored', time: ctx.time, program: PROGRAM };
  }
  // a passdb/userdb's note on one request ('checkpassword(user,ip,<session>): Login failed'): its
  // login process's summary is what counts
  const colon = s.indexOf(': ', at);
  const body = colon < 0 ? -1 : skipLevel(s, colon + 2);
  if (body > 0 && /^[a-z][a-z0-9_-]{1,24}\([^)]*,/.test(s.slice(body, body + 64))) return ignored(ctx);
  return null;
}

/** `imap({user})[<pid><session>]: [Info: ]Logged out ...` and the other session ends. */
function mailboxLine(s: string, start: number, ctx: ProgramContext): MailEvent | null {
  if (s.indexOf(': ', start) < 0) return null;
  // session ends, lmtp's 'Connect from'/'Disconnect from', sieve deliveries, mailbox errors: the
  // mailbox processes never report a login, so all their lines are recognised and ignored
  return ignored(ctx);
}
