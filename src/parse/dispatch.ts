/**
 * From one log line to what it says: the envelope, which program wrote it, and that program's record
 * or event. The program is chosen by the first word of the message when it is a program's own marker
 * ('tcpserver: ', 'CHKUSER ', 'new msg ', ...), else by the tag ('vpopmail' → vchkpw, 'dovecot' and
 * dovecot's process names, 'spamdyke', ...). A syslog tag that is not a qmail-host program
 * (sshd, CRON, postfix/*) makes the line `foreign`; a line of a known program, or a line without an
 * envelope, that nothing understands is `unrecognised`. One switch on the first character, then
 * startsWith: no regular expression runs on every line.
 *
 * Pure: state (delivery channels, message durations, eMPF pairing, splogger rejoin) is the
 * classifier's. The SMTP listener is resolved by the caller's `listenerOf` (the classifier applies
 * the listener map and its cap).
 */
import { accountingOf, COUNTED_POLICY_RECORDS, UNCOUNTED_QMAIL_SEND_RECORDS } from '../events/accounting.js';
import type { MailEvent, SmtpQueuedEvent } from '../events/events.js';
import { parseChkuser } from './chkuser.js';
import { courierProtocol, parseCourier } from './courier.js';
import { parseDovecot } from './dovecot.js';
import { isSyslogFormat, readEnvelope, type EnvelopeDetail } from './envelope/index.js';
import { parseQmailSend, QMAIL_SEND_PREFIXES, type QmailSendRecord } from './qmail-send.js';
import { parseQmailSmtpd } from './qmail-smtpd.js';
import { isPleskTag, parsePlesk } from './plesk.js';
import { parseMailRecv, parsePolicyCheck, type MailRecvRecord, type PolicyRecord } from './qmailtoaster.js';
import { parseRblsmtpd } from './rblsmtpd.js';
import { isQmailScannerVerdict, parseQmailScanner, parseSimscan, parseSpamd } from './scanners.js';
import { parseSpamdyke } from './spamdyke.js';
import { parseTcpserver } from './tcpserver.js';
import type { LineContext, ProgramContext, ProgramParser } from '../events/parsed-line.js';
import { DEFAULT_SENDER_IDENTITY, type SenderIdentity } from '../events/recipient-case.js';
import { parseVchkpw } from './vchkpw.js';

/** Programs the dispatcher knows (the `program` of ignored / unrecognised events). */
export const PROGRAMS = [
  'qmail-send',
  'qmail-smtpd',
  'chkuser',
  'tcpserver',
  'rblsmtpd',
  'vchkpw',
  'dovecot',
  'spamdyke',
  'simscan',
  'qmail-scanner',
  'spamd',
  'qmail-skim',
  'empf',
  'splogger',
  'plesk',
  'courier',
] as const;
export type Program = (typeof PROGRAMS)[number];

export type ParsedLine =
  /** a stateless program's event, or the line's ignored / unrecognised / foreign accounting */
  | { kind: 'event'; envelope: EnvelopeDetail; program: Program | ''; event: MailEvent }
  | { kind: 'qmail-send'; envelope: EnvelopeDetail; program: 'qmail-send'; record: QmailSendRecord }
  | { kind: 'policy'; envelope: EnvelopeDetail; program: 'empf'; listener: string; record: PolicyRecord }
  | {
      kind: 'mail-recv';
      envelope: EnvelopeDetail;
      program: 'qmail-smtpd';
      listener: string;
      record: MailRecvRecord;
      event: SmtpQueuedEvent;
    };

// The accounting rule (events/accounting.ts) names these record types: they must be ones parsed here.
void (UNCOUNTED_QMAIL_SEND_RECORDS satisfies readonly QmailSendRecord['type'][]);
void (COUNTED_POLICY_RECORDS satisfies readonly PolicyRecord['type'][]);

export interface DispatchOptions {
  /** The SMTP listener of a line (default: `defaultListener`). */
  listenerOf?: (envelope: EnvelopeDetail, ctx: LineContext) => string;
  /** Syslog tags that belong to this qmail host beyond the built-in ones (the listener map's keys). */
  isKnownTag?: (tag: string) => boolean;
  /** How logins and envelope senders are compared, handed to every parser of recipient lines. */
  identity?: SenderIdentity;
}

/**
 * Syslog tags conventionally used for qmail's own programs (splogger's default 'splogger', the LWQ/QMT
 * 'qmail', common service names). A site's other tags come from its listener map; any tag carrying a
 * splogger stamp is qmail's too.
 */
const QMAIL_TAGS = new Set([
  'qmail',
  'qmail-send',
  'qmail-smtpd',
  'qmail-smtpd-tls',
  'qmail-submission',
  'qmail-smtps',
  'splogger',
  'smtp',
  'smtpd',
  'smtps',
  'smtp-mx',
  'submission',
  'send',
  'tcpserver',
  'rblsmtpd',
  // indimail's delivery daemons for its slowq and qmta queues (syslog through splogger)
  'slowq-send',
  'qmta-send',
  'todo-proc',
]);

/** True for the conventional qmail syslog tags (the listener map adds a site's own). */
export function isQmailTag(tag: string): boolean {
  return QMAIL_TAGS.has(tag);
}

/** Dovecot process names as tags (syslog 'dovecot' carries them in the message instead). */
const DOVECOT_PROCESSES = new Set([
  'auth',
  'auth-worker',
  'imap',
  'pop3',
  'lmtp',
  'lda',
  'managesieve',
  'submission',
  'doveadm',
  'indexer-worker',
  'indexer',
  'master',
  'config',
  'anvil',
  'log',
  'stats',
  'dict',
  'quota-status',
]);

export function isDovecotTag(tag: string): boolean {
  if (tag === 'dovecot' || tag === 'dovecot-auth' || tag === 'dovecot-lda' || tag === 'auth') return true;
  if (tag.endsWith('-login')) return true;
  const paren = tag.indexOf('(');
  if (paren < 0) return tag.startsWith('dovecot');
  return DOVECOT_PROCESSES.has(tag.slice(0, paren));
}

/** Listener names are label values: keep [a-zA-Z0-9_.-], at most 64 characters. */
export function sanitizeListener(raw: string): string {
  let ok = raw.length > 0 && raw.length <= 64;
  for (let i = 0; ok && i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
  }
  if (ok) return raw;
  let out = '';
  for (let i = 0; i < raw.length && out.length < 64; i++) {
    const c = raw.charCodeAt(i);
    const keep = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 45;
    out += keep ? raw[i] : '_';
  }
  return out.length > 0 ? out : 'unknown';
}

/**
 * The listener without a map or cap: the syslog tag for syslog lines (the tag is the site's name for
 * the service: 'smtp-mx', 'submission'), else the multilog directory hint. A tag a program printed
 * itself in a multilog file ('vpopmail[2100]:', 'qmail-smtpd[42]:') does not name a listener.
 */
export function defaultListener(envelope: EnvelopeDetail, ctx: LineContext): string {
  const raw = envelope.tag !== null && isSyslogFormat(envelope.format) ? envelope.tag : (ctx.listenerHint ?? 'unknown');
  return sanitizeListener(raw);
}

function event(envelope: EnvelopeDetail, program: Program | '', e: MailEvent | null): ParsedLine {
  return {
    kind: 'event',
    envelope,
    program,
    event: e ?? { event: 'unrecognised', time: envelope.time, program },
  };
}

function unrecognised(envelope: EnvelopeDetail, program: Program | ''): ParsedLine {
  return { kind: 'event', envelope, program, event: { event: 'unrecognised', time: envelope.time, program } };
}

function ignored(envelope: EnvelopeDetail, program: Program): ParsedLine {
  return { kind: 'event', envelope, program, event: { event: 'ignored', time: envelope.time, program } };
}

function foreign(envelope: EnvelopeDetail, program: string): ParsedLine {
  return { kind: 'event', envelope, program: '', event: { event: 'foreign', time: envelope.time, program } };
}

function qmailSend(envelope: EnvelopeDetail, text: string): ParsedLine {
  const record = parseQmailSend(text);
  if (record === null) return unrecognised(envelope, 'qmail-send');
  return { kind: 'qmail-send', envelope, program: 'qmail-send', record };
}

/** First characters of qmail-send's words (QMAIL_SEND_PREFIXES), indexed by char code. */
const QMAIL_SEND_INITIALS = new Uint8Array(128);
for (const p of QMAIL_SEND_PREFIXES) QMAIL_SEND_INITIALS[p.charCodeAt(0)] = 1;

function isQmailSendStart(m: string, c: number): boolean {
  switch (c) {
    case 110:
      return m.startsWith('new msg ');
    case 105:
      return m.startsWith('info msg ');
    case 115:
      return m.startsWith('starting delivery ') || m.startsWith('status: ');
    case 100:
      return m.startsWith('delivery ') || m.startsWith('double bounce: ');
    case 101:
      return m.startsWith('end msg ');
    case 98:
      return m.startsWith('bounce msg ');
    case 116:
      return m.startsWith('triple bounce: ');
    case 119:
      return m.startsWith('warning: ');
    case 97:
      return m.startsWith('alert: ');
    case 108:
      return m.startsWith('local: ');
    case 113:
      return m.startsWith('qmail-daemon: ') || m.startsWith('qscheduler: ');
    default:
      return false;
  }
}

type Resolver = Required<DispatchOptions>;

function programContext(envelope: EnvelopeDetail, ctx: LineContext, opts: Resolver): ProgramContext {
  return { time: envelope.time, listener: opts.listenerOf(envelope, ctx), identity: opts.identity };
}

function run(envelope: EnvelopeDetail, ctx: LineContext, opts: Resolver, program: Program, parser: ProgramParser, text: string): ParsedLine {
  return event(envelope, program, parser(text, programContext(envelope, ctx, opts)));
}

/** 'qmail-smtpd: rest' / 'qmail-smtpd[pid]: rest' → index of rest, or -1. */
function qmailSmtpdBodyAt(m: string): number {
  if (m.startsWith('qmail-smtpd: ')) return 13;
  if (m.startsWith('qmail-smtpd[')) {
    const close = m.indexOf(']: ', 12);
    if (close > 12 && close < 24) return close + 3;
  }
  return -1;
}

/** 'spamdyke[pid]: rest' → index of rest, or -1. */
function spamdykeBodyAt(m: string): number {
  if (m.startsWith('spamdyke[')) {
    const close = m.indexOf(']: ', 9);
    if (close > 9 && close < 21) return close + 3;
  }
  if (m.startsWith('spamdyke: ')) return 10;
  return -1;
}

/**
 * The program named by the message's first word, or null when the first word names none. qmail-send
 * is tried first for its initials (its lines are the most frequent): its parser checks its own words,
 * and only when it declines are the other programs sharing an initial tried.
 */
function byFirstWord(envelope: EnvelopeDetail, ctx: LineContext, opts: Resolver): ParsedLine | null {
  const m = envelope.message;
  const c = m.charCodeAt(0);
  if (QMAIL_SEND_INITIALS[c] === 1) {
    const record = parseQmailSend(m);
    if (record !== null) return { kind: 'qmail-send', envelope, program: 'qmail-send', record };
  }
  switch (c) {
    case 116: // t
      if (m.startsWith('tcpserver: ')) return run(envelope, ctx, opts, 'tcpserver', parseTcpserver, m);
      break;
    case 114: // r
      if (m.startsWith('rblsmtpd: ')) return run(envelope, ctx, opts, 'rblsmtpd', parseRblsmtpd, m);
      break;
    case 67: // C
      if (m.startsWith('CHKUSER ')) return run(envelope, ctx, opts, 'chkuser', parseChkuser, m);
      break;
    case 113: {
      // q
      const at = qmailSmtpdBodyAt(m);
      if (at >= 0) return run(envelope, ctx, opts, 'qmail-smtpd', parseQmailSmtpd, m.slice(at));
      // sagredo's qsmtpdlog() writes its qlog lines with no 'qmail-smtpd' prefix
      if (m.startsWith('qlogenvelope: ') || m.startsWith('qlogreceived: ')) return run(envelope, ctx, opts, 'qmail-smtpd', parseQmailSmtpd, m);
      if (m.startsWith('qmail-scanner[')) {
        const close = m.indexOf(']: ', 14);
        if (close > 0) return run(envelope, ctx, opts, 'qmail-scanner', parseQmailScanner, m.slice(close + 3));
      }
      break;
    }
    case 115: {
      // s
      const c1 = m.charCodeAt(1);
      if (c1 === 105 /* i */ && m.startsWith('simscan:')) return run(envelope, ctx, opts, 'simscan', parseSimscan, m);
      if (c1 === 112 /* p */) {
        const at = spamdykeBodyAt(m);
        if (at >= 0) return run(envelope, ctx, opts, 'spamdyke', parseSpamdyke, m.slice(at));
      }
      break;
    }
    case 112: // p
      if (m.startsWith('policy_check: ')) {
        const record = parsePolicyCheck(m);
        if (record === null) return unrecognised(envelope, 'empf');
        return { kind: 'policy', envelope, program: 'empf', listener: opts.listenerOf(envelope, ctx), record };
      }
      break;
    case 109: // m
      if (m.startsWith('mail recv: ')) {
        const record = parseMailRecv(m);
        if (record === null) return unrecognised(envelope, 'qmail-smtpd');
        const listener = opts.listenerOf(envelope, ctx);
        return {
          kind: 'mail-recv',
          envelope,
          program: 'qmail-smtpd',
          listener,
          record,
          event: { event: 'smtp.queued', time: envelope.time, listener, sender: record.sender, qp: record.qp },
        };
      }
      break;
    case 118: // v
      if (m.startsWith('vchkpw-') || m.startsWith('vchkpw:')) return run(envelope, ctx, opts, 'vchkpw', parseVchkpw, m);
      break;
    case 100: // d
      if (m.startsWith('dovecot: ') || m.startsWith('dovecot[')) return run(envelope, ctx, opts, 'dovecot', parseDovecot, m);
      break;
    default:
      break;
  }
  // a qmail-send word whose line did not parse
  if (QMAIL_SEND_INITIALS[c] === 1 && isQmailSendStart(m, c)) return unrecognised(envelope, 'qmail-send');
  return null;
}

/** The program named by the tag, or null. */
function byTag(envelope: EnvelopeDetail, tag: string, ctx: LineContext, opts: Resolver): ParsedLine | null {
  const m = envelope.message;
  switch (tag) {
    case 'vpopmail':
      return run(envelope, ctx, opts, 'vchkpw', parseVchkpw, m);
    case 'spamdyke':
      return run(envelope, ctx, opts, 'spamdyke', parseSpamdyke, m);
    case 'qmail-smtpd':
      return run(envelope, ctx, opts, 'qmail-smtpd', parseQmailSmtpd, m);
    case 'simscan':
      return run(envelope, ctx, opts, 'simscan', parseSimscan, 'simscan:' + (m.startsWith('[') ? '' : ' ') + m);
    case 'spamd':
      return run(envelope, ctx, opts, 'spamd', parseSpamd, m);
    case 'qmail-skim.pl':
    case 'qmail-skim':
      return ignored(envelope, 'qmail-skim');
    case 'rblsmtpd':
      return run(envelope, ctx, opts, 'rblsmtpd', parseRblsmtpd, m);
    case 'tcpserver':
      return run(envelope, ctx, opts, 'tcpserver', parseTcpserver, m);
    case 'qmail-send':
    case 'slowq-send':
    case 'qmta-send':
    case 'todo-proc':
      return qmailSend(envelope, m);
    default:
      break;
  }
  const program = tag;
  if (isPleskTag(program)) return event(envelope, 'plesk', parsePlesk(program, m, programContext(envelope, ctx, opts)));
  // qmail-scanner under its script's name ('qmail-scanner-queue.pl', 'qmail-scanner-2.08'): its other notes are ignored
  if (program.startsWith('qmail-scanner')) {
    const scanned = parseQmailScanner(m, programContext(envelope, ctx, opts));
    return event(envelope, 'qmail-scanner', scanned ?? { event: 'ignored', time: envelope.time, program: 'qmail-scanner' });
  }
  const courier = courierProtocol(tag);
  if (courier !== null) return event(envelope, 'courier', parseCourier(courier, m, programContext(envelope, ctx, opts)));
  // qmail-scanner under a site's own syslog tag ('qscan', 'X-Qmail-Scanner'): its verdict words
  if (isQmailScannerVerdict(m)) return run(envelope, ctx, opts, 'qmail-scanner', parseQmailScanner, m);
  if (tag === 'dovecot' || envelope.format === 'syslog-hostless') {
    // syslog 'dovecot:' carries the process name in the message; log_path files put it where the tag is
    const parsed = run(envelope, ctx, opts, 'dovecot', parseDovecot, tag === 'dovecot' ? m : `${tag}: ${m}`);
    // another program's line in the same host-less layout ('Dec 03 21:00:49 fetchmail: ...') is foreign
    if (tag !== 'dovecot' && !isDovecotTag(tag) && !DOVECOT_PROCESSES.has(tag) && accountingOf(parsed) === 'unrecognised') {
      return foreign(envelope, tag);
    }
    return parsed;
  }
  if (isDovecotTag(tag)) return run(envelope, ctx, opts, 'dovecot', parseDovecot, `${tag}: ${m}`);
  return null;
}

const NO_EXTRA_TAGS = (): boolean => false;

const DEFAULT_RESOLVER: Resolver = {
  listenerOf: defaultListener,
  isKnownTag: NO_EXTRA_TAGS,
  identity: DEFAULT_SENDER_IDENTITY,
};

function resolver(opts: DispatchOptions | undefined): Resolver {
  if (opts === undefined) return DEFAULT_RESOLVER;
  return {
    listenerOf: opts.listenerOf ?? defaultListener,
    isKnownTag: opts.isKnownTag ?? NO_EXTRA_TAGS,
    identity: opts.identity ?? DEFAULT_SENDER_IDENTITY,
  };
}

/** A dispatcher with its options bound once (the classifier's hot path). */
export function createDispatcher(opts?: DispatchOptions): (envelope: EnvelopeDetail, ctx: LineContext) => ParsedLine {
  const r = resolver(opts);
  return (envelope, ctx) => dispatchWith(envelope, ctx, r);
}

/** Dispatch an envelope already read (e.g. a rejoined splogger record). */
export function dispatchEnvelope(envelope: EnvelopeDetail, ctx: LineContext, opts?: DispatchOptions): ParsedLine {
  return dispatchWith(envelope, ctx, resolver(opts));
}

function dispatchWith(envelope: EnvelopeDetail, ctx: LineContext, r: Resolver): ParsedLine {
  if (envelope.continuation) return unrecognised(envelope, 'splogger');
  const tag = envelope.tag;
  if (tag !== null && isSyslogFormat(envelope.format)) {
    const known = envelope.stamped || QMAIL_TAGS.has(tag) || r.isKnownTag(tag);
    if (!known) {
      // Another program's tag ('postfix/smtpd', 'sshd'): only a qmail line that parses counts
      // (a site tag we were not told about); 'warning: ...' and the like stay foreign.
      const routed = byTag(envelope, tag, ctx, r);
      if (routed !== null) return routed;
      const p = byFirstWord(envelope, ctx, r);
      if (p !== null && accountingOf(p) === 'counted') return p;
      return foreign(envelope, tag);
    }
  }
  const p = byFirstWord(envelope, ctx, r);
  if (p !== null) return p;
  if (tag !== null) {
    const routed = byTag(envelope, tag, ctx, r);
    if (routed !== null) return routed;
    return unrecognised(envelope, '');
  }
  // no tag: a syslog line without one ('last message repeated 3 times') says nothing we can count
  if (isSyslogFormat(envelope.format)) return foreign(envelope, '');
  return unrecognised(envelope, '');
}


/** Read the envelope and dispatch. Pure; never throws. */
export function parseLine(text: string, ctx: LineContext, opts?: DispatchOptions): ParsedLine {
  return dispatchEnvelope(readEnvelope(text, ctx), ctx, opts);
}
