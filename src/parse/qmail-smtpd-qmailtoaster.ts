/**
 * qmail-smtpd lines of QMailToaster's spf/qq reject logging patch, whose named rejections jms1 and
 * sagredo write in the same words: 'badmailfrom|badmailto|badrcptto: <{x}> at {ip}', 'spf-reject:
 * HELO({h}) from {ip}. MAILFROM:{f}', and the ignored 'badhelo:', 'looping-reject', 'oversized-reject',
 * 'bad-mime-reject', 'bad-loader-reject', 'qq hard|soft reject' lines. Built from the patch's format:
 *
 *   badmailfrom: <spammer@example.org> at 203.0.113.9
 *   spf-reject: HELO(mail.example.org) from 203.0.113.9. MAILFROM:info@example.org
 */
import type { MailEvent } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { recipient, refused, senderEvent } from './qmail-smtpd-events.js';

export const QMAILTOASTER_IGNORED_STARTS = [
  'badhelo: ',
  'bad-mime-reject: ',
  'bad-loader-reject: ',
  'looping-reject: ',
  'oversized-reject: ',
  'qq hard reject (',
  'qq soft reject (',
] as const;

/**
 * '<{x}> at {ip}', '<{x}> at {ip} matches pattern: {re}' (jms1 LOGREGEX) or '<{x}> matches pattern:
 * {re}' (sagredo LOGREGEX, no IP); `at` points after '<'. Both ends are found from the right.
 */
export function badAddress(s: string, at: number, kind: 'sender' | 'recipient', ctx: ProgramContext): MailEvent | null {
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
    : recipient(refused('refused', 'blacklisted', '', ''), remoteIp, address, ctx);
}

/** 'spf-reject: HELO({helo}) from {ip}. MAILFROM:{from}': the HELO may hold anything, so from the right. */
export function spfReject(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const fromMark = s.lastIndexOf('. MAILFROM:');
  const ipMark = fromMark > at ? s.lastIndexOf(') from ', fromMark - 7) : -1;
  if (ipMark < at) return null;
  return senderEvent('rejected', 'spf', s.slice(fromMark + 11).trimEnd(), s.slice(ipMark + 7, fromMark), ctx);
}
