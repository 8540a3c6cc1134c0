/**
 * Courier-IMAP's POP3 and IMAP servers (`pop3d`, `pop3d-ssl`, `imapd`, `imapd-ssl`), the mailbox
 * servers of Plesk's qmail and of many vpopmail hosts. One line per login, logout and failure,
 * comma-separated `key=value` fields after a verb; Plesk's build stamps them like splogger. Real line
 * (Plesk forum thread "Bare LF's in SMTP", anonymised):
 *
 *   pop3d: 1257871619.663804 DISCONNECTED, user=meg@example.co.uk, ip=[198.51.100.246], top=0, retr=263787, time=485, ...
 *
 * 'LOGIN, user={u}, ip=[{ip}]' → auth success; 'LOGIN FAILED, [method=..., ]user={u}, ip=[{ip}]' → auth
 * failure (courier does not say why: auth_failed). Every other line (DISCONNECTED, LOGOUT, TIMEOUT,
 * Connection, connection limits, TLS notes) is recognised and ignored. The protocol is the program's:
 * pop3d → pop3, pop3d-ssl → pop3s, imapd → imap, imapd-ssl → imaps. The user is client text: the IP is
 * read at the LAST ', ip=[' and the user ends at the ', ip=[' it starts before.
 */
import type { AuthProtocol, MailEvent } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';

const PROGRAM = 'courier';

const SERVICES: ReadonlyMap<string, AuthProtocol> = new Map<string, AuthProtocol>([
  ['pop3d', 'pop3'],
  ['pop3d-ssl', 'pop3s'],
  ['imapd', 'imap'],
  ['imapd-ssl', 'imaps'],
  ['courierpop3login', 'pop3'],
  ['courierpop3d', 'pop3'],
  ['courier-pop3d', 'pop3'],
  ['courier-imapd', 'imap'],
]);

/** The auth protocol of a courier program's tag, or null for another tag. */
export function courierProtocol(tag: string): AuthProtocol | null {
  return SERVICES.get(tag) ?? null;
}

/** A courier line (the message after the tag and any stamp); never unrecognised. */
export function parseCourier(protocol: AuthProtocol, message: string, ctx: ProgramContext): MailEvent {
  const login = message.startsWith('LOGIN, ');
  const failed = !login && message.startsWith('LOGIN FAILED, ');
  if (!login && !failed) return { event: 'ignored', time: ctx.time, program: PROGRAM };
  const ipMark = message.lastIndexOf(', ip=[');
  let ip = '';
  if (ipMark >= 0) {
    const close = message.indexOf(']', ipMark + 6);
    ip = message.slice(ipMark + 6, close < 0 ? message.length : close);
  }
  const userMark = message.indexOf('user=');
  const userEnd = ipMark > userMark ? ipMark : message.indexOf(',', userMark + 5);
  const user = userMark >= 0 ? message.slice(userMark + 5, userEnd < 0 ? message.length : userEnd) : '';
  return {
    event: 'auth',
    time: ctx.time,
    protocol,
    result: login ? 'success' : 'failure',
    reason: login ? 'none' : 'auth_failed',
    user,
    remote_ip: ip,
  };
}
