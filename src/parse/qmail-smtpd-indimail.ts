/**
 * qmail-smtpd lines of IndiMail (indimail-mta qmail-smtpd.c log_trans()): after a message was queued,
 * one line per recipient, 'pid {pid} from {ip} HELO <{helo}> MAIL from <{from}> RCPT <{rcpt}> AUTH
 * <{auth}> Size: {n} ...'. The text handed in follows 'pid {pid} from '. Built from log_trans():
 *
 *   pid 4242 from 198.51.100.20 HELO <laptop> MAIL from <info@example.com> RCPT <bob@example.net> AUTH <info@example.com: AUTH LOGIN> Size: 1234 TLS=TLSv1.3
 */
import type { MailEvent } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { accepted, ignored, recipient } from './qmail-smtpd-events.js';

/**
 * indimail, after a message was queued, one line per recipient:
 * 'from {ip} HELO <{helo}> MAIL from <{from}> RCPT <{rcpt}> AUTH <{auth}> Size: {n}...' where {auth} is
 * '{user}: AUTH {method}[: local-rcpt]' when authenticated, else 'local-rcpt' (recipient in rcpthosts) or
 * 'auth-ip/pop' / 'pop-bef-smtp' (relayed for a trusted IP). 'NOTIFY:' lines (DSN) are ignored.
 */
export function indimailLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
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
  if (auth === 'local-rcpt') return recipient(accepted(false, from, ''), remoteIp, rcpt, ctx);
  if (auth === 'auth-ip/pop' || auth === 'pop-bef-smtp') {
    return recipient(accepted(true, from, ''), remoteIp, rcpt, ctx);
  }
  const methodMark = auth.indexOf(': AUTH ');
  const user = methodMark >= 0 ? auth.slice(0, methodMark) : auth;
  return recipient(accepted(true, from, user), remoteIp, rcpt, ctx);
}
