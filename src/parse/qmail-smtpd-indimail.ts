/**
 * qmail-smtpd lines of IndiMail (indimail-mta qmail-smtpd.c log_trans()): after a message was queued,
 * one line per recipient, 'pid {pid} from {ip} HELO <{helo}> MAIL from <{from}> RCPT <{rcpt}> AUTH
 * <{auth}> Size: {n} ...'. The text handed in follows 'pid {pid} from '. Real line (indimail's
 * README, the custom-queue demo; test/fixtures/logs/indimail/tcpserver-smtpd-demo.log):
 *
 *   qmail-smtpd: pid 68723 from ::1 HELO <unknown> MAIL from <sender@example.org> RCPT <user@mail.example.org> AUTH <local-rcpt> Size: 141 TLS=tcpserver
 */
import type { MailEvent, RecipientReason } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { accepted, authEvent, ignored, recipient, refused, senderEvent } from './qmail-smtpd-events.js';

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
  let fromMark = rcptMark > heloMark ? s.lastIndexOf('> MAIL from <', rcptMark - 13) : -1;
  let fromLength = 13;
  if (fromMark < heloMark && rcptMark > heloMark) {
    // IndiMail before 2005: 'MAIL from: <...>'
    fromMark = s.lastIndexOf('> MAIL from: <', rcptMark - 14);
    fromLength = 14;
  }
  if (fromMark < heloMark) return null;
  const remoteIp = s.slice(at, ipEnd);
  const from = s.slice(fromMark + fromLength, rcptMark);
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

/** IndiMail's rejections, 'pid {pid} from {ip} {what}: MAIL from <{from}>[ RCPT <{rcpt}>]...', by their words. */
const REJECTIONS: ReadonlyArray<readonly [string, RecipientReason]> = [
  ['Invalid RELAY client: ', 'relay_denied'],
  ['Invalid RECIPIENT address: ', 'no_mailbox'],
  ['Blackholed RECIPIENT address: ', 'blacklisted'],
  ['Too many RECIPIENTS: ', 'too_many_recipients'],
  ['Too many Invalid RECIPIENTS (', 'too_many_invalid_recipients'],
];

/**
 * IndiMail's other 'pid {pid} from {ip} ...' lines (smtpd.c logerr()), `at` after 'from ': the refused
 * relay, recipient and AUTH lines are counted, every other note (greylisting, TLS, database errors,
 * 'data size exceeded', ...) is IndiMail's and ignored. The addresses are client text: the recipient is
 * read from the last ' RCPT <' / ' Last RCPT <', the sender up to it.
 *
 *   qmail-smtpd: pid 1821 from 127.0.0.1 Invalid RELAY client: MAIL from: <user@example.com>, RCPT <user@example.net>
 */
export function indimailNote(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const ipEnd = s.indexOf(' ', at);
  if (ipEnd < 0) return null;
  const remoteIp = s.slice(at, ipEnd);
  let i = ipEnd + 1;
  while (s.charCodeAt(i) === 32) i++;
  if (s.startsWith('AUTH USER [', i)) {
    const close = s.lastIndexOf('] status=[');
    const user = close > i + 11 ? s.slice(i + 11, close) : '';
    return authEvent('failure', 'auth_failed', user, remoteIp, ctx);
  }
  if (s.startsWith('Invalid SENDER address: BAD MAIL from <', i)) {
    const close = s.lastIndexOf('>');
    return senderEvent('rejected', 'blacklisted', close > i + 39 ? s.slice(i + 39, close) : '', remoteIp, ctx);
  }
  for (const [start, reason] of REJECTIONS) {
    if (!s.startsWith(start, i)) continue;
    // 'MAIL from <' (older IndiMail: 'MAIL from: <')
    const mail = s.indexOf('MAIL from', i);
    const open = mail < 0 ? -1 : s.indexOf('<', mail + 9);
    const fromAt = open < 0 || open > mail + 11 ? -1 : open + 1;
    let rcptMark = s.lastIndexOf(' RCPT <');
    if (rcptMark < fromAt) rcptMark = -1;
    const fromEnd = rcptMark >= 0 ? s.lastIndexOf('>', rcptMark) : s.lastIndexOf('>');
    const from = fromAt >= 0 && fromEnd >= fromAt ? s.slice(fromAt, fromEnd) : '';
    let rcpt = '';
    if (rcptMark >= 0) {
      // 'RCPT <{rcpt}>' may be followed by ' state <{why}>'
      const close = s.indexOf('>', rcptMark + 7);
      rcpt = s.slice(rcptMark + 7, close < 0 ? s.length : close);
    }
    // 'Invalid RELAY client: ... AUTH <{user}>': the session had authenticated
    const authMark = rcptMark >= 0 ? s.indexOf('> AUTH <', rcptMark) : -1;
    const authUser = authMark >= 0 ? s.slice(authMark + 8, s.lastIndexOf('>') > authMark + 8 ? s.lastIndexOf('>') : s.length) : '';
    const facts = reason === 'relay_denied' ? refused('relay_refused', reason, from, authUser) : refused('refused', reason, from, authUser);
    return recipient(facts, remoteIp, rcpt, ctx);
  }
  return ignored(ctx);
}
