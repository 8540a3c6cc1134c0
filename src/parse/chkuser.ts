/**
 * chkuser: Antonio Nati's recipient/sender checking patch for qmail-smtpd (2.0.8 / 2.0.9, as shipped in
 * QMailToaster's qmailtoaster-1.3.2.patch and sagredo-dev/qmail-stuff chkuser-2.0.9-release.patch), and
 * Roberto Puzzanghera's variant that names its fields (sagredo-dev/qmail chkuser.c, since 2013).
 * chkuser_commonlog() writes one line per RCPT (or MAIL) decision to qmail-smtpd's stderr (built from the
 * format: hardly any real CHKUSER line has been published):
 *
 *   CHKUSER relaying rcpt: from <info@example.com:info@example.com:> remote <laptop:unknown:192.0.2.44> rcpt <bob@example.net> : client allowed to relay
 *   CHKUSER accepted rcpt: from <a@example.org|remoteinfo/auth:|chkuser-identify:> remote <helo:mx.example.org|remotehostname:unknown|remotehostip:198.51.100.7> rcpt <info@example.com> : found existing recipient
 *
 * Fields of `from <sender:remoteinfo:identify>`: remoteinfo is the SMTP-AUTH user after a successful AUTH,
 * otherwise the ident reply or the value of `MAIL FROM:<..> AUTH=<x>` ('unknown' for AUTH=<>); identify
 * is the operator's CHKUSER_IDENTIFY value. `remote <helo:remotehost:remoteip>`: helo is the client's
 * HELO text when it differs from remotehost (anything, ':' '<' '>' and spaces included), remotehost is
 * 'unknown' or a DNS name (djbdns escapes every byte outside [A-Za-z0-9._-], so it never holds ':'),
 * remoteip is IPv4 or, with ucspi-tcp6, IPv6 text ('::ffff:192.0.2.1', '2001:db8::25').
 *
 * How the line is cut, so that client text cannot move a field (every step is one indexOf/lastIndexOf,
 * linear in the line length whatever it holds):
 *  - the title is fixed vocabulary ending at the first ':' ; unknown titles are not chkuser lines;
 *  - no description contains ' : ', so the LAST ' : ' starts the description;
 *  - the recipient ends just before it (`>`), and starts after the last '> rcpt <' before that point: a
 *    HELO holding '> rcpt <' sits further left and is never taken;
 *  - `from <...>` ends at the first '> remote <' (a sender holding that text must have been quoted by
 *    the client: it is then cut short, the remote IP is still read from the right);
 *  - `from <...>` is split from the right: identify after the last ':', remoteinfo before it (a sender
 *    may contain ':'; a remoteinfo holding ':' — an ident or AUTH= value — would be cut, rare);
 *  - remote IP (original layout): the longest suffix after a ':' that is a valid IPv4 or IPv6 address
 *    and has another ':' before it (the helo/remotehost separator). IPv6 colons are thereby kept; the
 *    only mis-read left is a remotehost that is a bare 1-4 hex-digit label ('cafe') in front of an IPv6
 *    address with '::' — PTR names are fully qualified, so real lines do not have it.
 *
 * The line's facts (accepted or refused, relayed, sender, remoteinfo) go to events/recipient-case.ts,
 * which decides the case; a remoteinfo of 'unknown' (from AUTH=<>) or an ident reply counts as a named
 * user there.
 */
import type { MailEvent, RecipientReason, SenderReason } from '../events/events.js';
import { recipientEvent, type RecipientDecision } from '../events/recipient-case.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';
import { lastIndexOfChar } from './scan-text.js';

const PREFIX = 'CHKUSER ';
const FROM_OPEN = ': from <';
const REMOTE_OPEN = '> remote <';
const RCPT_OPEN = '> rcpt <';
const DESCRIPTION_SEPARATOR = ' : ';
const PIPE_AUTH = '|remoteinfo/auth:';
const PIPE_IDENTIFY = '|chkuser-identify:';
const PIPE_HOST = '|remotehostname:';
const PIPE_IP = '|remotehostip:';
/** '0000:0000:0000:0000:0000:ffff:255.255.255.255' */
const MAX_IP_TEXT = 45;

/** What a title says, before the description and the auth field are read. */
type TitleKind =
  | 'accepted_local' // recipient in rcpthosts accepted
  | 'accepted_relay' // recipient outside rcpthosts accepted for a RELAYCLIENT
  | 'relay_denied'
  | 'rcpt_rejected' // reason from the description
  | 'rcpt_intrusion'
  | 'rcpt_no_auth_resource'
  | 'rcpt_overquota'
  | 'must_auth' // RCPT or MAIL phase, by whether rcpt is empty
  | 'sender_accepted'
  | 'sender_rejected'; // reason from the description

const TITLES: ReadonlyArray<readonly [string, TitleKind]> = [
  ['accepted rcpt', 'accepted_local'],
  ['accepted any rcpt', 'accepted_local'],
  ['relaying rcpt', 'accepted_relay'],
  ['rejected relaying', 'relay_denied'],
  ['rejected rcpt', 'rcpt_rejected'],
  ['intrusion threshold', 'rcpt_intrusion'],
  ['rejected intrusion', 'rcpt_intrusion'],
  ['no auth resource', 'rcpt_no_auth_resource'],
  ['mbx overquota', 'rcpt_overquota'],
  ['must auth', 'must_auth'],
  ['accepted sender', 'sender_accepted'],
  ['accepted null sender', 'sender_accepted'],
  ['accepted doublebounce', 'sender_accepted'],
  ['rejected sender', 'sender_rejected'],
];

/**
 * The kind of the title that runs from after 'CHKUSER ' to `titleEnd`, or undefined. Compared in
 * place, by length first: no title string is cut out and hashed for every line.
 */
function titleKindAt(message: string, titleEnd: number): TitleKind | undefined {
  const length = titleEnd - PREFIX.length;
  for (const [title, kind] of TITLES) {
    if (title.length === length && message.startsWith(title, PREFIX.length)) return kind;
  }
  return undefined;
}

/** 'rejected rcpt' descriptions; any other description of that title is counted as 'other'. */
const RCPT_REJECTIONS: ReadonlyMap<string, RecipientReason> = new Map<string, RecipientReason>([
  ['not existing recipient', 'no_mailbox'],
  ['max number of recipients', 'too_many_recipients'],
  ['max number of invalid recipients', 'too_many_invalid_recipients'],
  ['invalid rcpt address format', 'invalid_address'],
  ['invalid rcpt MX domain', 'invalid_domain'],
  ['temporary DNS problem', 'temporary_failure'],
]);

/** 'rejected sender' descriptions; any other is 'other'. */
const SENDER_REJECTIONS: ReadonlyMap<string, SenderReason> = new Map<string, SenderReason>([
  ['invalid sender address format', 'invalid_address'],
  ['invalid sender MX domain', 'invalid_domain'],
  ['temporary DNS problem', 'temporary_failure'],
]);

export const parseChkuser: ProgramParser = (message: string, ctx: ProgramContext): MailEvent | null => {
  if (!message.startsWith(PREFIX)) return null;
  const titleEnd = message.indexOf(':', PREFIX.length);
  if (titleEnd < 0 || !message.startsWith(FROM_OPEN, titleEnd)) return null;
  const kind = titleKindAt(message, titleEnd);
  if (kind === undefined) return null;

  const fromStart = titleEnd + FROM_OPEN.length;
  const fromEnd = message.indexOf(REMOTE_OPEN, fromStart);
  if (fromEnd < 0) return null;
  const remoteStart = fromEnd + REMOTE_OPEN.length;
  const separator = message.lastIndexOf(DESCRIPTION_SEPARATOR);
  // '> rcpt <' + '>' must fit between the remote part and the separator.
  if (separator < remoteStart + RCPT_OPEN.length || message.charCodeAt(separator - 1) !== 62 /* > */) return null;
  const rcptMark = message.lastIndexOf(RCPT_OPEN, separator - 1 - RCPT_OPEN.length);
  if (rcptMark < remoteStart) return null;

  // from <...>: the pipe layout names its fields; the original one is split from the right.
  let sender: string;
  let authUser: string;
  let pipeLayout = false;
  // Only the pipe layout has a '|' in the from part: the original one skips the search for its marks.
  const pipe = message.indexOf('|', fromStart);
  const identifyMark =
    pipe >= 0 && pipe < fromEnd ? message.lastIndexOf(PIPE_IDENTIFY, fromEnd - PIPE_IDENTIFY.length) : -1;
  const authMark = identifyMark >= fromStart ? message.lastIndexOf(PIPE_AUTH, identifyMark - PIPE_AUTH.length) : -1;
  if (authMark >= fromStart) {
    pipeLayout = true;
    sender = message.slice(fromStart, authMark);
    authUser = message.slice(authMark + PIPE_AUTH.length, identifyMark);
  } else {
    // bounded scans: a ':' before fromStart would be rejected below anyway
    const lastColon = lastIndexOfChar(message, 58 /* : */, fromStart, fromEnd);
    const authColon = lastColon > fromStart ? lastIndexOfChar(message, 58 /* : */, fromStart, lastColon) : -1;
    if (lastColon < fromStart || authColon < fromStart) return null;
    sender = message.slice(fromStart, authColon);
    authUser = message.slice(authColon + 1, lastColon);
  }

  const remoteIp = pipeLayout
    ? pipeRemoteIp(message, remoteStart, rcptMark)
    : colonRemoteIp(message, remoteStart, rcptMark);
  if (remoteIp === null) return null;
  const recipient = message.slice(rcptMark + RCPT_OPEN.length, separator - 1);
  let descriptionEnd = message.length;
  while (descriptionEnd > separator + 3 && message.charCodeAt(descriptionEnd - 1) <= 32) descriptionEnd--;
  const description = message.slice(separator + DESCRIPTION_SEPARATOR.length, descriptionEnd);

  const listener = ctx.listener;
  const time = ctx.time;
  let decision: RecipientDecision;
  let refusal: RecipientReason = 'none';
  switch (kind) {
    case 'accepted_local':
    case 'accepted_relay':
      decision = 'accepted';
      break;
    case 'relay_denied':
      decision = 'relay_refused';
      refusal = 'relay_denied';
      break;
    case 'rcpt_rejected':
      decision = 'refused';
      refusal = RCPT_REJECTIONS.get(description) ?? 'other';
      break;
    case 'rcpt_intrusion':
      decision = 'refused';
      refusal = 'intrusion_threshold';
      break;
    case 'rcpt_no_auth_resource':
      decision = 'refused';
      refusal = 'temporary_failure';
      break;
    case 'rcpt_overquota':
      decision = 'refused';
      refusal = 'mailbox_full';
      break;
    case 'must_auth':
      if (recipient === '') {
        return { event: 'smtp.sender', time, result: 'rejected', reason: 'must_auth', listener, sender, remote_ip: remoteIp };
      }
      decision = 'refused';
      refusal = 'must_auth';
      break;
    case 'sender_accepted':
      return { event: 'smtp.sender', time, result: 'accepted', reason: 'none', listener, sender, remote_ip: remoteIp };
    case 'sender_rejected':
      return {
        event: 'smtp.sender',
        time,
        result: 'rejected',
        reason: SENDER_REJECTIONS.get(description) ?? 'other',
        listener,
        sender,
        remote_ip: remoteIp,
      };
  }
  return recipientEvent(
    { decision, relayed: kind === 'accepted_relay', sender, authUser, refusal },
    ctx,
    remoteIp,
    recipient,
  );
};

/** `helo:{h}|remotehostname:{host}|remotehostip:{ip}`: the IP follows the last '|remotehostip:'. */
function pipeRemoteIp(s: string, start: number, end: number): string | null {
  if (!s.startsWith('helo:', start)) return null;
  const ipMark = s.lastIndexOf(PIPE_IP, end - PIPE_IP.length);
  if (ipMark < start || s.lastIndexOf(PIPE_HOST, ipMark - PIPE_HOST.length) < start) return null;
  return s.slice(ipMark + PIPE_IP.length, end);
}

/**
 * `{helo}:{remotehost}:{remoteip}`: the longest valid IP suffix that follows a ':' with another ':'
 * before it (see the file comment). Only the last 46 characters can hold the IP, so the scan is bounded
 * whatever the HELO is. Without a valid IP (TCPREMOTEIP unset: qmail-smtpd prints its default), the
 * text after the last ':' is taken as is.
 */
function colonRemoteIp(s: string, start: number, end: number): string | null {
  const last = lastIndexOfChar(s, 58 /* : */, start, end);
  if (last < start) return null;
  // Nearly every line: an IPv4 after the last ':', and before it a field that cannot be an IPv6
  // group ('unknown', a host name). Every longer suffix would hold that field as a group, so none is
  // a valid address and the IPv4 is the answer the scan below would give, found without it.
  if (isIpv4Text(s, last + 1, end)) {
    const before = lastIndexOfChar(s, 58 /* : */, start, last);
    if (before >= start && !isIpv6Group(s, before + 1, last)) return s.slice(last + 1, end);
  }
  let best = -1;
  let p = last;
  while (p > start && end - p - 1 <= MAX_IP_TEXT) {
    const before = lastIndexOfChar(s, 58 /* : */, start, p);
    if (before < start) break;
    if (isIpText(s, p + 1, end)) best = p;
    p = before;
  }
  if (best < 0) {
    if (lastIndexOfChar(s, 58 /* : */, start, last) < start) return null;
    best = last;
  }
  return s.slice(best + 1, end);
}

/** True when s[from, to) is a dotted-quad IPv4 or an RFC 4291 IPv6 text address (optionally IPv4-suffixed). */
export function isIpText(s: string, from: number, to: number): boolean {
  const n = to - from;
  if (n < 2 || n > MAX_IP_TEXT) return false;
  for (let i = from; i < to; i++) if (s.charCodeAt(i) === 58 /* : */) return isIpv6Text(s, from, to);
  return isIpv4Text(s, from, to);
}

function isIpv4Text(s: string, from: number, to: number): boolean {
  let dots = 0;
  let digits = 0;
  let value = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits === 3) return false;
      value = value * 10 + (c - 48);
      if (value > 255) return false;
      digits++;
    } else if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return false;
      digits = 0;
      value = 0;
    } else {
      return false;
    }
  }
  return dots === 3 && digits > 0;
}

/** True when s[from, to) is empty or 1–4 hex digits: what may stand between two colons of an IPv6 text. */
function isIpv6Group(s: string, from: number, to: number): boolean {
  if (to - from > 4) return false;
  for (let i = from; i < to; i++) if (!isHexDigit(s.charCodeAt(i))) return false;
  return true;
}

function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isIpv6Text(s: string, from: number, to: number): boolean {
  let groups = 0;
  let compressed = false;
  let i = from;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    compressed = true;
    i += 2;
    if (i === to) return true; // '::'
  }
  for (;;) {
    let j = i;
    while (j < to && j - i < 5 && isHexDigit(s.charCodeAt(j))) j++;
    if (j < to && s.charCodeAt(j) === 46 /* . */) {
      // an embedded IPv4 ends the address and stands for two groups
      if (!isIpv4Text(s, i, to)) return false;
      groups += 2;
      break;
    }
    if (j === i || j - i > 4) return false;
    groups++;
    if (j === to) break;
    if (s.charCodeAt(j) !== 58) return false;
    i = j + 1;
    if (i === to) return false; // a single trailing ':'
    if (s.charCodeAt(i) === 58) {
      if (compressed) return false;
      compressed = true;
      i++;
      if (i === to) break; // trailing '::'
    }
  }
  return compressed ? groups <= 7 : groups === 8;
}
