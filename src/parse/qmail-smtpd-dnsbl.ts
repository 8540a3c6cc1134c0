/**
 * qmail-smtpd's line of the qmail-dnsbl style patch, which refuses a client listed on a DNS blocklist
 * before the greeting: '421 badiprbl: ip {ip} rbl: {zone}'. Real line (fail2ban/fail2ban:
 * fail2ban/tests/files/logs/qmail, anonymised):
 *
 *   421 badiprbl: ip 198.51.100.54 rbl: example.com
 */
import type { MailEvent } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';

/** '421 badiprbl: ip {ip} rbl: {zone}' (at points after 'ip '). */
export function badIpRbl(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const end = s.indexOf(' rbl: ', at);
  if (end < 0) return null;
  return { event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: s.slice(at, end), code: '421' };
}
