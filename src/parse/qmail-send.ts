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
 * indimail's slowq-send and qmta-send append their queue's name (' slowq', ' qmta', or the base name
 * of any QUEUEDIR) and write rate-control 'info: ...' / 'warning: ... rate exceeded ...' notes and
 * 'status: ... delayed jobs=N' (indimail-virtualdomains .github/README-indimail.md):
 *
 *   2021-06-05 20:42:57.593695500 status: local 0/5 remote 0/5 delayed jobs=1 slowq
 *
 * Since no field but the last can hold a space after logsafe(), a trailing ' {word}' that leaves a
 * line of qmail-send's shape is a queue name. An 'info msg' sender is read with or without its
 * angle brackets (indimail's README shows 'from sender@example.com qp 3223 uid 555');
 * s/qmail's TLS qmail-remote reports '{ip}_TLS_transmitted_message_accepted./...' on success;
 * SPAMCONTROL adds 'double bounce: discarding ...'. Records carry raw fields only; the classifier
 * judges them (delivery reasons, channels, durations).
 */
import type { DeliveryResult, SendChannel } from '../events/events.js';
import { parseUint } from './scan-text.js';

/**
 * One qmail-send line. `queue` is indimail's queue number (' queueN' suffix), a number above
 * NAMED_QUEUE_BASE for a named queue (' slowq', ' qmta', ...), null elsewhere: it only keeps the
 * deliveries of different queues apart.
 */
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
      kind: 'warning' | 'alert' | 'local' | 'qmail-daemon' | 'double-bounce' | 'info';
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
  'qscheduler: ',
  'info: ',
] as const;

/** Named queues are numbered from here (queueN numbers stay below it). */
export const NAMED_QUEUE_BASE = 1_000_000;
const WELL_KNOWN_QUEUES: ReadonlyMap<string, number> = new Map([
  ['slowq', NAMED_QUEUE_BASE + 1],
  ['qmta', NAMED_QUEUE_BASE + 2],
]);

/** A queue name's number: slowq and qmta fixed, others a hash above them (collisions only merge keys). */
export function namedQueueNumber(name: string): number {
  const known = WELL_KNOWN_QUEUES.get(name);
  if (known !== undefined) return known;
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619) >>> 0;
  return NAMED_QUEUE_BASE + 16 + (h % 1_000_000);
}

/** Index of the space before a trailing queue name ([A-Za-z][A-Za-z0-9_.-]*, at most 64), or -1. */
function namedQueueAt(s: string): number {
  const sp = s.lastIndexOf(' ');
  if (sp < 0 || s.length - sp - 1 > 64 || sp === s.length - 1) return -1;
  const first = s.charCodeAt(sp + 1);
  if (!((first >= 97 && first <= 122) || (first >= 65 && first <= 90))) return -1;
  for (let i = sp + 2; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
    if (!ok) return -1;
  }
  return sp;
}

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
  // slowq-send: ' delayed jobs=N' (deliveries waiting for their rate)
  // (indexOf first: a builtin that stays in compiled code, where lastIndexOf calls the runtime)
  const delayed = s.indexOf(' delayed jobs=', remoteAt + 1) < 0 ? -1 : s.lastIndexOf(' delayed jobs=', end);
  if (delayed > remoteAt) {
    if (parseUint(s, delayed + 14, end) < 0) return null; // text after the count: a queue name, stripped by the caller
    end = delayed;
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
  const fromAt = s.indexOf(' from ', bytesStart);
  if (fromAt < 0) return null;
  const bytes = parseUint(s, bytesStart, fromAt);
  // the sender is client text: the fields after it are found from the right
  const qpAt = s.lastIndexOf(' qp ');
  if (qpAt < fromAt + 5) return null;
  const uidAt = s.indexOf(' uid ', qpAt + 4);
  if (uidAt < 0) return null;
  const qp = parseUint(s, qpAt + 4, uidAt);
  const uid = parseUint(s, uidAt + 5, s.length);
  if (bytes < 0 || qp < 0 || uid < 0) return null;
  const bracketed = s.charCodeAt(fromAt + 6) === 60 /* < */ && s.charCodeAt(qpAt - 1) === 62; /* > */
  const sender = bracketed ? s.slice(fromAt + 7, qpAt - 1) : s.slice(fromAt + 6, qpAt);
  return { type: 'info', msg: m.n, bytes, sender, qp, uid, queue };
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
  const q = queueSuffixAt(message);
  if (q >= 0) return parseRecord(message.slice(0, q), parseUint(message, q + 6, message.length));
  const record = parseRecord(message, null);
  if (record !== null && !hasNamedQueue(record)) return record;
  // ' slowq', ' qmta', ' {QUEUEDIR's base name}': retry without it
  const named = namedQueueAt(message);
  if (named < 0) return record;
  const rest = parseRecord(message.slice(0, named), namedQueueNumber(message.slice(named + 1)));
  return rest ?? record;
}

/**
 * True when a record parsed with a queue name still inside its last field: a recipient or a report
 * cannot hold a space (logsafe), so a space there is the queue name's.
 */
function hasNamedQueue(r: QmailSendRecord): boolean {
  if (r.type === 'start') return r.recipient.includes(' ');
  if (r.type === 'result') return r.report.includes(' ');
  return false;
}

function parseRecord(s: string, queue: number | null): QmailSendRecord | null {
  switch (s.charCodeAt(0)) {
    case 110: // n
      if (s.startsWith('new msg ')) {
        const msg = parseUint(s, 8, s.length);
        return msg < 0 ? null : { type: 'new', msg, queue };
      }
      return null;
    case 105: // i
      if (s.startsWith('info msg ')) return parseInfo(s, queue);
      // indimail: 'info: slowq {domain} msg {m}: rate [...] ok since 6 secs', 'info: qmail-send: {queue}: ...'
      return s.startsWith('info: ') ? { type: 'notice', kind: 'info', queue } : null;
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
      // indimail's queue scheduler: 'qmail-daemon:' in older releases, 'qscheduler:' since
      return s.startsWith('qmail-daemon: ') || s.startsWith('qscheduler: ') ? { type: 'notice', kind: 'qmail-daemon', queue } : null;
    default:
      return null;
  }
}
