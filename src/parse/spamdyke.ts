/**
 * spamdyke: the SMTP front-end filter in front of qmail-smtpd (chrisboulton/spamdyke 4.1.0 spamdyke.c,
 * documentation/README.html "Logging"). Syslog ident `spamdyke[pid]`, one line per recipient decision
 * (examples built from the format string):
 *
 *   ALLOWED from: info@example.com to: bob@example.net origin_ip: 198.51.100.20 origin_rdns: (unknown) auth: info@example.com encryption: TLS
 *   DENIED_RBL_MATCH from: x@example.org to: info@example.com origin_ip: 203.0.113.9 origin_rdns: host.example.org auth: (unknown) encryption: (none) reason: DENIED_RBL_MATCH
 *
 * `(unknown)` stands for a missing value and is read as ''. `auth:` is the SMTP-AUTH user spamdyke saw
 * succeed. spamdyke cannot see rcpthosts: an ALLOWED recipient without auth is counted as
 * inbound_accepted even when a RELAYCLIENT relays it. DENIED_RBL_MATCH is an rbl.reject (code unknown),
 * one per refused recipient. FAILED_AUTH is an auth failure (protocol from the listener name, 'smtp' for
 * port 25). TIMEOUT (which may repeat an earlier code as its reason), TLS_ENCRYPTED (spamdyke sees
 * nothing inside qmail's TLS), UNKNOWN_AUTH, FAILED_TLS and DENIED_ZERO_RECIPIENTS (no recipient) are
 * recognised and ignored, as are spamdyke's ERROR:/FILTER:/DEBUG:/EXCESSIVE: lines.
 *
 * Fields are found from the right ('encryption: ' last, then 'auth: ', 'origin_rdns: ', 'origin_ip: ',
 * 'to: ' each the last one before the previous), so an address or AUTH name holding ' origin_ip: '
 * cannot move the IP.
 */
import type { MailEvent, RecipientReason, SenderReason } from '../events/events.js';
import { recipientEvent } from '../events/recipient-case.js';
import { smtpAuthProtocol } from './qmail-smtpd.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';

const PROGRAM = 'spamdyke';
const UNKNOWN = '(unknown)';

type CodeMeaning =
  | { kind: 'accepted' }
  | { kind: 'relay_denied' }
  | { kind: 'recipient'; reason: RecipientReason }
  | { kind: 'sender'; reason: SenderReason }
  | { kind: 'rbl' }
  | { kind: 'auth_failed' }
  | { kind: 'ignored' };

const recipient = (reason: RecipientReason): CodeMeaning => ({ kind: 'recipient', reason });
const sender = (reason: SenderReason): CodeMeaning => ({ kind: 'sender', reason });
const ACCEPTED: CodeMeaning = { kind: 'accepted' };
const IGNORED: CodeMeaning = { kind: 'ignored' };

const CODES: ReadonlyMap<string, CodeMeaning> = new Map<string, CodeMeaning>([
  ['ALLOWED', ACCEPTED],
  ['ALLOWED_AUTHENTICATED', ACCEPTED],
  ['ALLOWED_TLS', ACCEPTED],
  ['DENIED_RELAYING', { kind: 'relay_denied' }],
  ['DENIED_RBL_MATCH', { kind: 'rbl' }],
  ['DENIED_RHSBL_MATCH', recipient('rbl')],
  ['DENIED_RDNS_MISSING', recipient('rdns')],
  ['DENIED_RDNS_RESOLVE', recipient('rdns')],
  ['DENIED_IP_IN_RDNS', recipient('rdns')],
  ['DENIED_IP_IN_CC_RDNS', recipient('rdns')],
  ['DENIED_GRAYLISTED', recipient('greylisted')],
  ['DENIED_SENDER_NO_MX', sender('invalid_domain')],
  ['DENIED_SENDER_BLACKLISTED', sender('blacklisted')],
  ['DENIED_BLACKLIST_IP', recipient('blacklisted')],
  ['DENIED_BLACKLIST_NAME', recipient('blacklisted')],
  ['DENIED_RECIPIENT_BLACKLISTED', recipient('blacklisted')],
  ['DENIED_ACCESS_DENIED', recipient('blacklisted')], // the access file's 'deny' for this IP or rDNS
  ['DENIED_TOO_MANY_RECIPIENTS', recipient('too_many_recipients')],
  ['DENIED_UNQUALIFIED_RECIPIENT', recipient('invalid_address')],
  ['DENIED_AUTH_REQUIRED', recipient('must_auth')],
  ['DENIED_EARLYTALKER', recipient('other')],
  ['DENIED_REJECT_ALL', recipient('other')],
  ['DENIED_IDENTICAL_SENDER_RECIPIENT', recipient('other')],
  ['DENIED_OTHER', recipient('other')], // qmail itself refused
  ['FAILED_AUTH', { kind: 'auth_failed' }],
  ['UNKNOWN_AUTH', IGNORED],
  ['FAILED_TLS', IGNORED],
  ['TLS_ENCRYPTED', IGNORED],
  ['TIMEOUT', IGNORED],
  ['DENIED_ZERO_RECIPIENTS', IGNORED],
]);

const DIAGNOSTIC_STARTS = ['ERROR', 'FILTER', 'DEBUG', 'EXCESSIVE', 'TLS passthrough', 'TLS negotiated', 'TLS ended'] as const;

function value(s: string, start: number, end: number): string {
  return end - start === UNKNOWN.length && s.startsWith(UNKNOWN, start) ? '' : s.slice(start, end);
}

export const parseSpamdyke: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  const codeEnd = message.indexOf(' from: ');
  const meaning = codeEnd > 0 && codeEnd <= 40 ? CODES.get(message.slice(0, codeEnd)) : undefined;
  if (meaning === undefined) {
    for (const start of DIAGNOSTIC_STARTS) {
      if (message.startsWith(start)) return { event: 'ignored', time: ctx.time, program: PROGRAM };
    }
    return null;
  }
  const encryption = message.lastIndexOf(' encryption: ');
  const auth = encryption > codeEnd ? message.lastIndexOf(' auth: ', encryption - 7) : -1;
  const rdns = auth > codeEnd ? message.lastIndexOf(' origin_rdns: ', auth - 14) : -1;
  const ip = rdns > codeEnd ? message.lastIndexOf(' origin_ip: ', rdns - 12) : -1;
  const to = ip > codeEnd ? message.lastIndexOf(' to: ', ip - 5) : -1;
  if (to < codeEnd + 6) return null;
  if (meaning.kind === 'ignored') return { event: 'ignored', time: ctx.time, program: PROGRAM };

  const from = value(message, codeEnd + 7, to);
  const rcpt = value(message, to + 5, ip);
  const remoteIp = value(message, ip + 12, rdns);
  const authUser = value(message, auth + 7, encryption);
  const time = ctx.time;
  const listener = ctx.listener;
  switch (meaning.kind) {
    case 'rbl':
      return { event: 'rbl.reject', time, listener, remote_ip: remoteIp, code: 'unknown' };
    case 'auth_failed':
      return {
        event: 'auth',
        time,
        protocol: smtpAuthProtocol(listener),
        result: 'failure',
        reason: 'auth_failed',
        user: authUser,
        remote_ip: remoteIp,
      };
    case 'sender':
      return { event: 'smtp.sender', time, result: 'rejected', reason: meaning.reason, listener, sender: from, remote_ip: remoteIp };
  }
  return recipientEvent(
    {
      decision: meaning.kind === 'accepted' ? 'accepted' : meaning.kind === 'relay_denied' ? 'relay_refused' : 'refused',
      relayed: false,
      sender: from,
      authUser,
      refusal: meaning.kind === 'accepted' ? 'none' : meaning.kind === 'relay_denied' ? 'relay_denied' : meaning.reason,
    },
    ctx,
    remoteIp,
    rcpt,
  );
};
