/**
 * qmail-smtpd's own lines, written by the patches that make it log (stock qmail-smtpd logs nothing).
 * This file only routes: it drops the 'qmail-smtpd: ' / 'qmail-smtpd[pid]: ' prefix when it is still
 * there and hands the text to the parser of the patch whose words it starts with, one file per patch:
 *  - qmail-smtpd-jms1.ts         jms1 combined patch ('AUTH ...', 'validrcptto [', 'MFCHECK', 'MAXRCPT')
 *  - qmail-smtpd-sagredo.ts      sagredo-dev/qmail ('qlogenvelope:', 'qlogreceived:', 'auth: ...')
 *  - qmail-smtpd-qmailtoaster.ts QMailToaster reject logging ('badmailfrom: <', 'spf-reject:', ...)
 *  - qmail-smtpd-dnsbl.ts        qmail-dnsbl ('421 badiprbl: ip ...')
 *  - qmail-smtpd-aqmail.ts       s/qmail and aQmail ('pid {pid} Accept::RCPT::...')
 *  - qmail-smtpd-indimail.ts     IndiMail ('pid {pid} from {ip} HELO <...> ...')
 *  - qmail-smtpd-logging-patch.ts the logging patch ('message accepted (...)', ignored)
 * Real line (fail2ban/fail2ban:fail2ban/tests/files/logs/qmail, anonymised), after the syslog envelope:
 *
 *   qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com
 *
 * One decision, one count: where a patch writes two lines for one decision, one counts and its twin is
 * ignored (each patch file says which). Attacker text (HELO, addresses, AUTH names) is never used to
 * find a field that follows it.
 */
import type { MailEvent } from '../events/events.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';
import { sQmailLine } from './qmail-smtpd-aqmail.js';
import { badIpRbl } from './qmail-smtpd-dnsbl.js';
import { ignored } from './qmail-smtpd-events.js';
import { indimailLine, indimailNote } from './qmail-smtpd-indimail.js';
import { JMS1_IGNORED_STARTS, jms1Auth, jms1MaxRcpt, jms1MfCheck, jms1ValidRcptTo } from './qmail-smtpd-jms1.js';
import { LOGGING_PATCH_IGNORED_STARTS } from './qmail-smtpd-logging-patch.js';
import { QMAILTOASTER_IGNORED_STARTS, badAddress, spfReject } from './qmail-smtpd-qmailtoaster.js';
import { SAGREDO_IGNORED_STARTS, qlog, sagredoAuthSuccess } from './qmail-smtpd-sagredo.js';

export { smtpAuthProtocol } from './qmail-smtpd-events.js';

/** Recognised lines with nothing to count, by their first words (every patch's list). */
const IGNORED_STARTS: readonly string[] = [
  ...JMS1_IGNORED_STARTS,
  ...SAGREDO_IGNORED_STARTS,
  ...QMAILTOASTER_IGNORED_STARTS,
  ...LOGGING_PATCH_IGNORED_STARTS,
];

export const parseQmailSmtpd: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  const at = afterProgramPrefix(message);
  const event = parseLine(message, at, ctx);
  if (event !== null) return event;
  for (const start of IGNORED_STARTS) {
    if (message.startsWith(start, at)) return ignored(ctx);
  }
  return null;
};

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
      if (s.startsWith('MAXRCPT fail [', at)) return jms1MaxRcpt(s, at + 14, ctx);
      return null;
    default:
      return null;
  }
}

/**
 * 'pid {pid} ...': IndiMail ('from {ip} HELO <'), s/qmail and aQmail ('{Action}::'), or a Debian trace.
 * An IndiMail transaction record whose fields cannot all be found (a README that lost its '<...>', a
 * record cut by the logger) is still IndiMail's and is ignored rather than unrecognised.
 */
function pidLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  let i = at;
  while (i < s.length && i - at < 10) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) break;
    i++;
  }
  if (i === at || s.charCodeAt(i) !== 32) return null;
  i++;
  if (s.startsWith('from ', i)) return indimailLine(s, i + 5, ctx) ?? indimailNote(s, i + 5, ctx) ?? ignored(ctx);
  // IndiMail's start-up notes ('pid 68723 gsasl header version=2.2.0 library version=2.2.0')
  if (s.startsWith('gsasl ', i)) return ignored(ctx);
  // a Debian logging patch of unknown origin: 'pid {pid} RCPT TO: <...>' / 'MAIL FROM: <...>'
  if (s.startsWith('RCPT TO:', i) || s.startsWith('MAIL FROM:', i)) return ignored(ctx);
  return sQmailLine(s, i, ctx);
}
