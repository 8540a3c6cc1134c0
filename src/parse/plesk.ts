/**
 * Plesk's own qmail programs (Plesk 7–12 with its qmail build, 'Plesk qmail'): the SMTP AUTH checker
 * `smtp_auth`, the POP-before-SMTP wrapper `relaylock`, and the mail handlers ('qmail-queue-handlers',
 * 'qmail-local-handlers', 'psa-pc-remote', 'handlers_stderr', ...). They log through syslog, one tag
 * each; the text handed in is the message after that tag. Real lines (anonymised):
 *
 *   smtp_auth: SMTP connect from unknown@ [192.0.2.194]
 *   smtp_auth: smtp_auth: SMTP user user1 : /var/qmail/mailnames/example.com/user1 logged in from unknown@ [192.0.2.194]
 *   smtp_auth: smtp_auth: FAILED: user1 - password incorrect  from unknown@ [192.0.2.194]
 *   smtp_auth: SMTP user test@example.com : logged in from server1.example.net [192.0.2.130]
 *   relaylock: /var/qmail/bin/relaylock: mail from 198.51.100.11:17249 (desktop.example.com)
 *   qmail-queue-handlers[10036]: possibly qmail-smtpd exited by timeout, reset connection. ...
 * (major.io, "Finding compromised mail accounts in Plesk" and "qmail: temporary envelope failure";
 * a Plesk forum thread "Bare LF's in SMTP": see test/fixtures/logs/README.md)
 *
 * What counts:
 *  - 'SMTP user {user} : [{maildir}] logged in from {host} [{ip}]' → auth success, protocol smtp;
 *  - 'FAILED: {user} - {why} from {host} [{ip}]' → auth failure: 'password incorrect' is bad_password,
 *    a missing user unknown_user, anything else auth_failed;
 *  - relaylock's 'mail from {ip}:{port} ({host})', written for every SMTP connection it wraps →
 *    connection.open (xinetd starts Plesk's qmail-smtpd: there is no tcpserver line);
 *  - smtp_auth's 'SMTP connect from' (written before every AUTH attempt, whose outcome line counts),
 *    relaylock's other notes and every mail-handler line are recognised and ignored.
 * The user and host are client text: the IP is read inside the LAST '[...]', the user up to the last
 * ' - ' / ' : ' before the last ' from '.
 */
import type { AuthReason, MailEvent } from '../events/events.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';

const PROGRAM = 'plesk';

/** Plesk's mail programs' syslog tags (besides smtp_auth and relaylock). */
const HANDLER_TAGS = new Set([
  'qmail-queue-handlers',
  'qmail-local-handlers',
  'handlers_stderr',
  'mail-handlers',
  'mail_handlers',
  'psa-pc-remote',
  'plesk-sendmail',
  'check-quota',
  'dk_check',
  'dkim_check',
  'mailmng',
  'mailmng-core',
  'mailmng-outgoing',
  'mailmng-service',
  'mail-outgoing',
  'limit-out',
  'spf',
  'grey',
  'greylisting',
]);

/** True for the tags of Plesk's mail programs. */
export function isPleskTag(tag: string): boolean {
  return tag === 'smtp_auth' || tag === 'relaylock' || HANDLER_TAGS.has(tag) || tag.endsWith('-handlers');
}

function ignored(ctx: ProgramContext): MailEvent {
  return { event: 'ignored', time: ctx.time, program: PROGRAM };
}

/** A Plesk program's message, routed by its syslog tag. Lines of these tags are never unrecognised. */
export function parsePlesk(tag: string, message: string, ctx: ProgramContext): MailEvent {
  if (tag === 'smtp_auth') return parseSmtpAuth(message, ctx) ?? ignored(ctx);
  if (tag === 'relaylock') return parseRelaylock(message, ctx) ?? ignored(ctx);
  return ignored(ctx);
}

/** smtp_auth's message: 'smtp_auth: ' may be repeated in front of it (the program prints its own name). */
export const parseSmtpAuth: ProgramParser = (message, ctx) => {
  let at = 0;
  while (message.startsWith('smtp_auth: ', at)) at += 11;
  if (message.startsWith('SMTP user ', at)) return loggedIn(message, at + 10, ctx);
  if (message.startsWith('FAILED: ', at)) return failed(message, at + 8, ctx);
  if (message.startsWith('SMTP connect from ', at)) return ignored(ctx);
  return null;
};

/** The IP inside the last '[...]' after `from`, or ''. */
function bracketedIp(s: string, from: number): string {
  const open = s.lastIndexOf('[');
  if (open < from) return '';
  const close = s.indexOf(']', open + 1);
  return s.slice(open + 1, close < 0 ? s.length : close);
}

function auth(result: 'success' | 'failure', reason: AuthReason, user: string, ip: string, ctx: ProgramContext): MailEvent {
  return { event: 'auth', time: ctx.time, protocol: 'smtp', result, reason, user, remote_ip: ip };
}

/** '{user} : [{maildir} ]logged in from {host} [{ip}]' (at points at the user). */
function loggedIn(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const from = s.lastIndexOf(' logged in from ');
  if (from < at) return null;
  const sep = s.lastIndexOf(' : ', from);
  const user = s.slice(at, sep >= at ? sep : from).trim();
  return auth('success', 'none', user, bracketedIp(s, from), ctx);
}

/** '{user} - {why}  from {host} [{ip}]' (at points at the user). */
function failed(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const from = s.lastIndexOf(' from ');
  if (from < at) return null;
  const dash = s.lastIndexOf(' - ', from);
  const user = dash >= at ? s.slice(at, dash).trim() : '';
  const why = dash >= at ? s.slice(dash + 3, from) : s.slice(at, from);
  return auth('failure', failureReason(why), user, bracketedIp(s, from), ctx);
}

function failureReason(why: string): AuthReason {
  const w = why.toLowerCase();
  if (w.includes('password incorrect') || w.includes('incorrect password') || w.includes('bad password') || w.includes('wrong password')) {
    return 'bad_password';
  }
  if (w.includes('no such user') || w.includes('not found') || w.includes('unknown user')) return 'unknown_user';
  return 'auth_failed';
}

/** relaylock: '{path}relaylock: mail from {ip}:{port} ({host})' → connection.open. */
export const parseRelaylock: ProgramParser = (message, ctx) => {
  const mark = message.indexOf('relaylock: mail from ');
  if (mark < 0) return null;
  const start = mark + 21;
  let end = message.indexOf(' ', start);
  if (end < 0) end = message.length;
  const portColon = message.lastIndexOf(':', end - 1);
  const ip = portColon > start ? message.slice(start, portColon) : message.slice(start, end);
  if (ip.length === 0) return null;
  return { event: 'connection.open', time: ctx.time, listener: ctx.listener, pid: 0, remote_ip: ip };
};
