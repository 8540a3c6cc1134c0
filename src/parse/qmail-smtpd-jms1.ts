/**
 * qmail-smtpd lines of John Simpson's combined patch (jms1, v7.08, qmail.jms1.net): AUTH results,
 * validrcptto, MFCHECK and MAXRCPT decisions, and the trace lines it writes when logging is on
 * ('MAIL FROM:<..>', 'RCPT TO:<..>', 'DATABYTES exceeded', 'Received-SPF:', ...), which are ignored.
 * The text handed in follows the 'qmail-smtpd: ' prefix. Built from the patch's format strings:
 *
 *   AUTH failed (bad password) [198.51.100.20] info@example.com
 *   validrcptto [198.51.100.20] not found: nobody@example.com
 *
 * Client text (the AUTH name, the address) always comes last and is never searched for a field.
 */
import type { AuthReason, MailEvent, SenderReason } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { authEvent, recipient, refused, senderEvent } from './qmail-smtpd-events.js';

/** jms1's recognised lines with nothing to count, by their first words. */
export const JMS1_IGNORED_STARTS = [
  'MAIL FROM:<',
  'RCPT TO:<',
  'DATABYTES exceeded [',
  'MFCHECK pass [',
  'Received-SPF: ',
  'RCPTCHECK error: ',
  'before greeting: ',
  'validrcptto',
  'badrcptto: excessive rcptto violations',
  'GREETDELAY from ',
] as const;

const JMS1_AUTH: ReadonlyArray<readonly [string, 'success' | 'failure', AuthReason]> = [
  ['successful [', 'success', 'none'],
  ['failed [', 'failure', 'bad_password'],
  ['failed (unknown user) [', 'failure', 'unknown_user'],
  ['failed (bad password) [', 'failure', 'bad_password'],
  ['failed (password expired) [', 'failure', 'password_expired'],
];

/** 'AUTH {outcome} [{ip}] {user}' (at points after 'AUTH '). */
export function jms1Auth(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  for (const [start, result, reason] of JMS1_AUTH) {
    if (!s.startsWith(start, at)) continue;
    const ipStart = at + start.length;
    const close = s.indexOf('] ', ipStart);
    if (close < 0) return null;
    return authEvent(result, reason, s.slice(close + 2), s.slice(ipStart, close), ctx);
  }
  return null;
}

/** 'validrcptto [{ip}] not found: {rcpt}' (at points after 'validrcptto ['); the other validrcptto lines are ignored. */
export function jms1ValidRcptTo(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const close = s.indexOf('] ', at);
  if (close < 0 || !s.startsWith('not found: ', close + 2)) return null;
  return recipient(refused('refused', 'no_mailbox', '', ''), s.slice(at, close), s.slice(close + 13), ctx);
}

/** 'MFCHECK fail [{ip}] {domain}' (sender's domain has no MX) / 'MFCHECK invalid [{ip}] {sender}'. */
export function jms1MfCheck(s: string, at: number, reason: SenderReason, ctx: ProgramContext): MailEvent | null {
  const close = s.indexOf('] ', at);
  if (close < 0) return null;
  // 'fail' names only the domain, which is not an envelope sender
  const sender = reason === 'invalid_address' ? s.slice(close + 2) : '';
  return senderEvent('rejected', reason, sender, s.slice(at, close), ctx);
}

/** 'MAXRCPT fail [{ip}]' (at points after '['). */
export function jms1MaxRcpt(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const close = s.indexOf(']', at);
  if (close < 0) return null;
  return recipient(refused('refused', 'too_many_recipients', '', ''), s.slice(at, close), '', ctx);
}
