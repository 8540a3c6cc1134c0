/**
 * qmail-send: the queue manager's own log (qmail-log(5); notqmail `qmail-send.c`, `qsutil.c`; same text
 * as qmail 1.03). qmail-lspawn, qmail-rspawn and qmail-clean never log: their results reach the log
 * only through qmail-send's 'delivery N:' lines.
 *
 *   starting delivery 119: msg 161214 to remote turbo@tripnet.se
 *   delivery 119: success: 195.100.21.7_accepted_message./Remote_host_said:_250_OK_id=19LGuQ-0003OJ-00/
 *
 * Report text went through qsutil's logsafe(): newline → '/', space and other bytes < 33 or > 126 → '_',
 * so a report never holds a space. Variants read here: indimail's multi-queue qmail-send appends
 * ' queueN' to every line and adds 'local: from to size queueN' lines and 'qmail-daemon:' lines;
 * s/qmail's TLS qmail-remote reports '{ip}_TLS_transmitted_message_accepted./...' on success;
 * SPAMCONTROL adds 'double bounce: discarding ...'. Records carry raw fields only; the classifier
 * judges them (delivery reasons, channels, durations).
 */
import type { DeliveryResult, SendChannel } from '../events/events.js';
import { parseUint } from './scan-text.js';

/** One qmail-send line. `queue` is indimail's queue number (' queueN' suffix), null elsewhere. */
export type QmailSendRecord =
  | { type: 'new'; msg: number; queue: number | null }
  | { type: 'info'; msg: number; bytes: number; sender: string; qp: number; uid: number; queue: number | null }
  | { type: 'start'; delivery: number; msg: number; channel: SendChannel; recipient: string; queue: number | null }
  | {
      type: 'result';
      delivery: number;
      result: DeliveryResult;
      /** the logsafe'd report ('' for 'report mangled') */
      report: string;
      /** 'delivery N: report mangled, will defer' (spawn protocol error) */
      mangled: boolean;
      queue: number | null;
    }
  | {
      type: 'status';
      local: number;
      localLimit: number;
      remote: number;
      remoteLimit: number;
      /** ' exitasap' appended while qmail-send is stopping */
      exitasap: boolean;
      queue: number | null;
    }
  | { type: 'exiting'; queue: number | null }
  | { type: 'bounce'; msg: number; qp: number; queue: number | null }
  | { type: 'triple-bounce'; msg: number; queue: number | null }
  | { type: 'end'; msg: number; queue: number | null }
  | {
      /** recognised, nothing to count: 'warning:', 'alert:', indimail 'local:' and 'qmail-daemon:', 'double bounce:' */
      type: 'notice';
      kind: 'warning' | 'alert' | 'local' | 'qmail-daemon' | 'double-bounce';
      queue: number | null;
    };

/** First words that make a message a qmail-send line (the dispatcher switches on these). */
export const QMAIL_SEND_PREFIXES = [
  'new msg ',
  'info msg ',
  'starting delivery ',
  'delivery ',
  'status: ',
  'end msg ',
  'bounce msg ',
  'triple bounce: ',
  'double bounce: ',
  'warning: ',
  'alert: ',
  'local: ',
  'qmail-daemon: ',
] as const;

/** Index where an indimail ' queueN' suffix starts, or -1. */
function queueSuffixAt(s: string): number {
  let i = s.length - 1;
  const lastDigit = i;
  while (i >= 0) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    i--;
  }
  if (i === lastDigit || i < 6) return -1;
  const at = i - 5; // ' queue'
  return s.startsWith(' queue', at) ? at : -1;
}

/** 'D' in 'text D: ...' (digits from `start` up to ':'), with the index of the ':'; null when malformed. */
function numberBeforeColon(s: string, start: number): { n: number; colon: number } | null {
  const colon = s.indexOf(':', start);
  if (colon < 0) return null;
  const n = parseUint(s, start, colon);
  return n < 0 ? null : { n, colon };
}

/** 'l/L' between start and end. */
function fraction(s: string, start: number, end: number): [number, number] | null {
  const slash = s.indexOf('/', start);
  if (slash < 0 || slash >= end) return null;
  const a = parseUint(s, start, slash);
  const b = parseUint(s, slash + 1, end);
  return a < 0 || b < 0 ? null : [a, b];
}

function parseStatus(s: string, queue: number | null): QmailSendRecord | null {
  // 'status: local 0/10 remote 1/20[ exitasap]' or 'status: exiting'
  if (s === 'status: exiting') return { type: 'exiting', queue };
  if (!s.startsWith('status: local ')) return null;
  const remoteAt = s.indexOf(' remote ', 14);
  if (remoteAt < 0) return null;
  const local = fraction(s, 14, remoteAt);
  let end = s.length;
  let exitasap = false;
  if (s.endsWith(' exitasap')) {
    exitasap = true;
    end -= 9;
  }
  const remote = fraction(s, remoteAt + 8, end);
  if (!local || !remote) return null;
  return { type: 'status', local: local[0], localLimit: local[1], remote: remote[0], remoteLimit: remote[1], exitasap, queue };
}

function parseInfo(s: string, queue: number | null): QmailSendRecord | null {
  // 'info msg M: bytes B from <S> qp Q uid U'
  const m = numberBeforeColon(s, 9);
  if (!m || !s.startsWith(' bytes ', m.colon + 1)) return null;
  const bytesStart = m.colon + 8;
  const fromAt = s.indexOf(' from <', bytesStart);
  if (fromAt < 0) return null;
  const bytes = parseUint(s, bytesStart, fromAt);
  const qpAt = s.lastIndexOf('> qp ');
  if (qpAt < fromAt + 6) return null;
  const uidAt = s.indexOf(' uid ', qpAt + 5);
  if (uidAt < 0) return null;
  const qp = parseUint(s, qpAt + 5, uidAt);
  const uid = parseUint(s, uidAt + 5, s.length);
  if (bytes < 0 || qp < 0 || uid < 0) return null;
  return { type: 'info', msg: m.n, bytes, sender: s.slice(fromAt + 7, qpAt), qp, uid, queue };
}

function parseStart(s: string, queue: number | null): QmailSendRecord | null {
  // 'starting delivery D: msg M to local|remote R'
  const d = numberBeforeColon(s, 18);
  if (!d || !s.startsWith(' msg ', d.colon + 1)) return null;
  const toAt = s.indexOf(' to ', d.colon + 6);
  if (toAt < 0) return null;
  const msg = parseUint(s, d.colon + 6, toAt);
  if (msg < 0) return null;
  let channel: SendChannel;
  let rcptStart: number;
  if (s.startsWith('local ', toAt + 4)) {
    channel = 'local';
    rcptStart = toAt + 10;
  } else if (s.startsWith('remote ', toAt + 4)) {
    channel = 'remote';
    rcptStart = toAt + 11;
  } else {
    return null;
  }
  return { type: 'start', delivery: d.n, msg, channel, recipient: s.slice(rcptStart), queue };
}

function parseResult(s: string, queue: number | null): QmailSendRecord | null {
  // 'delivery D: success|deferral|failure: report' or 'delivery D: report mangled, will defer'
  const d = numberBeforeColon(s, 9);
  if (!d || s.charCodeAt(d.colon + 1) !== 32) return null;
  const at = d.colon + 2;
  let result: DeliveryResult;
  let reportStart: number;
  if (s.startsWith('success:', at)) {
    result = 'success';
    reportStart = at + 8;
  } else if (s.startsWith('deferral:', at)) {
    result = 'deferral';
    reportStart = at + 9;
  } else if (s.startsWith('failure:', at)) {
    result = 'failure';
    reportStart = at + 8;
  } else if (s.startsWith('report mangled', at)) {
    return { type: 'result', delivery: d.n, result: 'deferral', report: '', mangled: true, queue };
  } else {
    return null;
  }
  if (s.charCodeAt(reportStart) === 32) reportStart++;
  return { type: 'result', delivery: d.n, result, report: s.slice(reportStart), mangled: false, queue };
}

/**
 * One qmail-send message (the text after the envelope) → its record, or null when it is not a
 * qmail-send line. Pure; never throws.
 */
export function parseQmailSend(message: string): QmailSendRecord | null {
  let s = message;
  let queue: number | null = null;
  const q = queueSuffixAt(s);
  if (q >= 0) {
    queue = parseUint(s, q + 6, s.length);
    s = s.slice(0, q);
  }
  switch (s.charCodeAt(0)) {
    case 110: // n
      if (s.startsWith('new msg ')) {
        const msg = parseUint(s, 8, s.length);
        return msg < 0 ? null : { type: 'new', msg, queue };
      }
      return null;
    case 105: // i
      return s.startsWith('info msg ') ? parseInfo(s, queue) : null;
    case 115: // s
      if (s.startsWith('starting delivery ')) return parseStart(s, queue);
      if (s.startsWith('status: ')) return parseStatus(s, queue);
      return null;
    case 100: // d
      if (s.startsWith('delivery ')) return parseResult(s, queue);
      if (s.startsWith('double bounce: ')) return { type: 'notice', kind: 'double-bounce', queue };
      return null;
    case 101: // e
      if (s.startsWith('end msg ')) {
        const msg = parseUint(s, 8, s.length);
        return msg < 0 ? null : { type: 'end', msg, queue };
      }
      return null;
    case 98: // b
      if (s.startsWith('bounce msg ')) {
        const qpAt = s.indexOf(' qp ', 11);
        const msg = parseUint(s, 11, qpAt < 0 ? s.length : qpAt);
        const qp = qpAt < 0 ? 0 : parseUint(s, qpAt + 4, s.length);
        return msg < 0 || qp < 0 ? null : { type: 'bounce', msg, qp, queue };
      }
      return null;
    case 116: // t
      if (s.startsWith('triple bounce: discarding bounce/')) {
        const msg = parseUint(s, 33, s.length);
        return msg < 0 ? null : { type: 'triple-bounce', msg, queue };
      }
      return null;
    case 119: // w
      return s.startsWith('warning: ') ? { type: 'notice', kind: 'warning', queue } : null;
    case 97: // a
      return s.startsWith('alert: ') ? { type: 'notice', kind: 'alert', queue } : null;
    case 108: // l
      return s.startsWith('local: ') ? { type: 'notice', kind: 'local', queue } : null;
    case 113: // q
      return s.startsWith('qmail-daemon: ') ? { type: 'notice', kind: 'qmail-daemon', queue } : null;
    default:
      return null;
  }
}
