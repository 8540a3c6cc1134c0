/**
 * rblsmtpd (ucspi-tcp 0.88 `rblsmtpd.c`) and the patched forms seen in real logs:
 *
 *   rblsmtpd: 192.0.2.9 pid 4242: 451 http://www.spamhaus.org/query/bl?ip=192.0.2.9      (vanilla 0.88)
 *   rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 http://www.spamhaus.org/... (zone before ':')
 *   rblsmtpd: relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -                   (tjsi.com patch)
 *
 * 451 = temporary refusal (no -b), 553 = bounce; 421/554 from other patches; the tjsi form prints no
 * code ('unknown'). Under syslog the tag may itself be 'rblsmtpd' (then the message starts with the IP
 * or zone), so the 'rblsmtpd: ' first word is optional here.
 */
import type { RblCode } from '../events/events.js';
import type { ProgramParser } from '../events/parsed-line.js';
import { parseUint } from './scan-text.js';

const PREFIX = 'rblsmtpd: ';

function codeOf(s: string, at: number): RblCode {
  const n = parseUint(s, at, at + 3);
  const next = s.charCodeAt(at + 3);
  if (n < 0 || !(Number.isNaN(next) || next === 32 || next === 45 /* 451-... */)) return 'unknown';
  switch (n) {
    case 451:
      return '451';
    case 553:
      return '553';
    case 421:
      return '421';
    case 554:
      return '554';
    default:
      return 'unknown';
  }
}

export const parseRblsmtpd: ProgramParser = (message, ctx) => {
  const s = message;
  const p = s.startsWith(PREFIX) ? PREFIX.length : 0;
  const sp = s.indexOf(' ', p);
  if (sp <= p) return null;
  if (s.startsWith(' pid ', sp)) {
    // '{ip} pid {pid}[ {zone}]: {code} {text}'
    const ip = s.slice(p, sp);
    const colon = s.indexOf(': ', sp + 5);
    if (colon < 0) return null;
    let pidEnd = s.indexOf(' ', sp + 5);
    if (pidEnd < 0 || pidEnd > colon) pidEnd = colon;
    if (parseUint(s, sp + 5, pidEnd) < 0) return null;
    return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: ip, code: codeOf(s, colon + 2) };
  }
  if (s.startsWith(' blocked ', sp)) {
    // '{zone} blocked {ip} {rdns} -'
    const ipStart = sp + 9;
    let ipEnd = s.indexOf(' ', ipStart);
    if (ipEnd < 0) ipEnd = s.length;
    if (ipEnd === ipStart) return null;
    return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: s.slice(ipStart, ipEnd), code: 'unknown' };
  }
  if (s.startsWith('warning: ', p) || s.startsWith('fatal: ', p)) {
    return { event: 'ignored', time: ctx.time, program: 'rblsmtpd' };
  }
  return null;
};
