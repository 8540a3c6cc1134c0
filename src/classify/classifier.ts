/**
 * The classifier: the only stateful stage. It reads each line (envelope + dispatch, pure), turns
 * records into MailEvents, and keeps the little state qmail's logs need, each part bounded:
 *
 * - qmail-send delivery number → {channel, msg} from 'starting delivery', so that 'delivery N:' results
 *   carry their channel ('unknown' when the start was not seen);
 * - qmail-send message id → time of 'new msg', so that 'end msg' carries the time spent in the queue.
 *   Ids are inode numbers reused after 'end msg', so the entry is cleared there;
 * - eMPF: authenticated 'policy_check:' recipients per listener, until the session's QMailToaster
 *   'mail recv:' line names the envelope sender (then each becomes an smtp.recipient);
 * - splogger records of 799+ characters, until the next line of the same tag shows whether a
 *   continuation ('sec.usec+rest') follows.
 *
 * Keys of the qmail-send maps include the syslog host and indimail's queue number, so several hosts
 * or queues in one log do not mix. Every map is capped at `maxPending`: the oldest entry is dropped
 * and counted (`stats()`).
 */
import { MAX_LISTENERS, type DeliveryChannel, type LineResult, type MailEvent } from '../events/events.js';
import { DEFAULT_SENDER_IDENTITY, recipientEvent, sameAddress, sameSender, type SenderIdentity } from '../events/recipient-case.js';
import { classifyDeliveryReason } from './delivery-reasons.js';

import type { LineContext } from '../events/parsed-line.js';
import { readEnvelope, isSyslogFormat, SPLOGGER_RECORD_LENGTH, type EnvelopeDetail } from '../parse/envelope/index.js';
import { YEAR_LOOKAHEAD_SECONDS } from '../parse/envelope/local-time.js';
import { EARLIEST_ANCHOR_SECONDS } from '../parse/envelope/year.js';
import { accountingOf, isAccountingEvent, type Classification } from '../events/accounting.js';
import { createDispatcher, isQmailTag, sanitizeListener, type ParsedLine } from '../parse/dispatch.js';
import type { QmailSendRecord } from '../parse/qmail-send.js';
import type { PolicyRecord } from '../parse/qmailtoaster.js';

export interface ClassifierOptions {
  /** syslog tag → listener name (--qmail.listener-map) */
  listenerMap?: Record<string, string>;
  /** cap of each state map (default 10000) */
  maxPending?: number;
  /** distinct listener names before the rest become 'other' (default 32) */
  maxListeners?: number;
  /** how logins and envelope senders are compared (default domain, extensions, aliases) */
  identity?: SenderIdentity;
}

export interface ClassifierStats {
  pendingDeliveries: number;
  pendingMessages: number;
  pendingPolicy: number;
  heldRecords: number;
  /** entries dropped because a map reached its cap (or, for policy, expired unresolved) */
  droppedDeliveries: number;
  droppedMessages: number;
  droppedPolicy: number;
}

export type { Classification } from '../events/accounting.js';

export interface Classifier {
  classify(text: string, ctx: LineContext): Classification;
  /** end of input: the events of records still held */
  flush(): MailEvent[];
  stats(): ClassifierStats;
  /** JSON-serialisable state for checkpoints */
  exportState(): unknown;
  /** restores exportState()'s value; anything else is ignored */
  importState(state: unknown): void;
}

/** eMPF recipients older than qmail-smtpd's DATA timeout (1200 s) plus a margin can no longer be queued. */
const POLICY_MAX_AGE_SECONDS = 1800;
/** A held splogger record is released alone after this many lines without its continuation. */
const HOLD_LINES = 8;
const MAX_HELD = 64;
const MAX_HOSTS = 63;
const TWO_POW_40 = 2 ** 40;
const LISTENER_CACHE_LIMIT = 1024;

interface DeliveryEntry {
  channel: 'local' | 'remote';
  msg: number;
  /** a remote delivery's recipient domain, lower-case and at most MAX_DOMAIN_LENGTH characters ('' if none) */
  domain: string;
}

/** Longer than any DNS name (253); bounds what one delivery keeps in memory and in a checkpoint. */
const MAX_DOMAIN_LENGTH = 255;

/** The domain of a remote recipient ('user@Example.ORG' → 'example.org'); '' for a local delivery or no '@'. */
function recipientDomain(channel: 'local' | 'remote', recipient: string): string {
  if (channel !== 'remote') return '';
  const at = recipient.lastIndexOf('@');
  if (at < 0 || at === recipient.length - 1) return '';
  return recipient.slice(at + 1, at + 1 + MAX_DOMAIN_LENGTH).toLowerCase();
}

interface PolicyEntry {
  authUser: string;
  recipient: string;
  time: number | null;
  /** the classifier's line number of the policy_check line (0 when restored from a checkpoint) */
  line: number;
}

/**
 * For events that belong to an earlier line than the one that produced them (held splogger records,
 * eMPF recipients), the classifier's number of that line (1 = the first line it classified). Kept
 * beside the events rather than in them, so the event contract stays as it is.
 */
const eventOrigins = new WeakMap<MailEvent, number>();

/** The line an event belongs to, when that is not the line whose classification returned it. */
export function originLineOf(e: MailEvent): number | undefined {
  return eventOrigins.get(e);
}

function markOrigin(events: MailEvent[], from: number, line: number): void {
  if (line <= 0) return;
  for (let i = from; i < events.length; i++) eventOrigins.set(events[i]!, line);
}

interface LastPolicy {
  from: string;
  recipient: string;
  authenticated: boolean;
}

interface Held {
  key: string;
  envelope: EnvelopeDetail;
  ctx: LineContext;
  parsed: ParsedLine;
  line: number;
}

/** Map.set that drops (and counts) the oldest entry past `cap`. Returns 1 when one was dropped. */
function setCapped<K, V>(map: Map<K, V>, key: K, value: V, cap: number): number {
  if (map.has(key)) map.delete(key); // re-insert as newest
  map.set(key, value);
  if (map.size > cap) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
    return 1;
  }
  return 0;
}

export function createClassifier(opts: ClassifierOptions = {}): Classifier {
  const listenerMap = new Map(Object.entries(opts.listenerMap ?? {}));
  const maxPending = Math.max(1, Math.floor(opts.maxPending ?? 10000));
  const maxListeners = Math.max(1, Math.floor(opts.maxListeners ?? MAX_LISTENERS));
  const identity = opts.identity ?? DEFAULT_SENDER_IDENTITY;

  const deliveries = new Map<number | string, DeliveryEntry>();
  const messages = new Map<number | string, number | null>();
  const policy = new Map<string, PolicyEntry[]>();
  let policyCount = 0;
  const lastPolicy = new Map<string, LastPolicy>();
  const held = new Map<string, Held>();
  /** listeners whose recipients are logged by chkuser (bounded by maxListeners) */
  const chkuserListeners = new Set<string>();
  const listeners = new Set<string>();
  const listenerCache = new Map<string, string>();
  const hostIds = new Map<string, number>();
  let droppedDeliveries = 0;
  let droppedMessages = 0;
  let droppedPolicy = 0;
  let lineNo = 0;

  // ---- listeners -------------------------------------------------------------------------------

  function admitListener(raw: string): string {
    const cached = listenerCache.get(raw);
    if (cached !== undefined) return cached;
    let name = sanitizeListener(raw);
    if (!listeners.has(name)) {
      if (listeners.size >= maxListeners) name = 'other';
      else listeners.add(name);
    }
    if (listenerCache.size >= LISTENER_CACHE_LIMIT) listenerCache.clear();
    listenerCache.set(raw, name);
    return name;
  }

  // consecutive lines mostly share a tag: remember the last answer
  let lastTag = '';
  let lastTagListener = '';

  function listenerOf(envelope: EnvelopeDetail, ctx: LineContext): string {
    const tag = envelope.tag;
    if (tag !== null && isSyslogFormat(envelope.format)) {
      if (tag === lastTag && lastTagListener !== '') return lastTagListener;
      const name = admitListener(listenerMap.get(tag) ?? tag);
      lastTag = tag;
      lastTagListener = name;
      return name;
    }
    return admitListener(ctx.listenerHint ?? 'unknown');
  }

  // the configured names are admitted first, so that they never become 'other'
  for (const name of listenerMap.values()) admitListener(name);

  const isKnownTag = (tag: string): boolean => listenerMap.has(tag);
  const dispatch = createDispatcher({ listenerOf, isKnownTag, identity });

  // ---- qmail-send ------------------------------------------------------------------------------

  let lastHost = '';
  let lastHostId = 0;

  /** A numeric key for (host, queue, n); a string when n is too large to pack. */
  function sendKey(envelope: EnvelopeDetail, queue: number | null, n: number): number | string {
    let hostId = 0;
    if (envelope.host !== null) {
      const id = envelope.host === lastHost ? lastHostId : hostIds.get(envelope.host);
      if (id !== undefined) {
        hostId = id;
        lastHost = envelope.host;
        lastHostId = id;
      }
      else if (hostIds.size < MAX_HOSTS) {
        hostId = hostIds.size + 1;
        hostIds.set(envelope.host, hostId);
      } else {
        return `${envelope.host}|${queue ?? ''}|${n}`;
      }
    }
    const q = queue ?? 0;
    if (n >= TWO_POW_40 || q > 127) return `${envelope.host ?? ''}|${q}|${n}`;
    return (hostId * 128 + q) * TWO_POW_40 + n;
  }

  /** A counted qmail-send record (accountingOf decided): its event, and the state it moves. */
  function applyQmailSend(r: QmailSendRecord, envelope: EnvelopeDetail, events: MailEvent[]): void {
    const time = envelope.time;
    switch (r.type) {
      case 'new':
        droppedMessages += setCapped(messages, sendKey(envelope, r.queue, r.msg), time, maxPending);
        events.push({ event: 'queue.new', time, msg: r.msg });
        return;
      case 'info':
        events.push({ event: 'queue.info', time, msg: r.msg, bytes: r.bytes, sender: r.sender, qp: r.qp, uid: r.uid });
        return;
      case 'start':
        droppedDeliveries += setCapped(
          deliveries,
          sendKey(envelope, r.queue, r.delivery),
          { channel: r.channel, msg: r.msg, domain: recipientDomain(r.channel, r.recipient) },
          maxPending,
        );
        events.push({ event: 'delivery.start', time, delivery: r.delivery, msg: r.msg, channel: r.channel, recipient: r.recipient });
        return;
      case 'result': {
        const key = sendKey(envelope, r.queue, r.delivery);
        const entry = deliveries.get(key);
        let channel: DeliveryChannel = 'unknown';
        let domain: string | null = null;
        if (entry !== undefined) {
          channel = entry.channel;
          if (entry.domain !== '') domain = entry.domain;
          deliveries.delete(key);
        }
        events.push({
          event: 'delivery.result',
          time,
          delivery: r.delivery,
          result: r.result,
          reason: classifyDeliveryReason(r.result, r.report, r.mangled),
          channel,
          domain,
        });
        return;
      }
      case 'status':
        events.push({
          event: 'send.status',
          time,
          local: r.local,
          local_limit: r.localLimit,
          remote: r.remote,
          remote_limit: r.remoteLimit,
        });
        return;
      case 'bounce':
        events.push({ event: 'queue.bounce', time, kind: 'bounce', msg: r.msg });
        return;
      case 'triple-bounce':
        events.push({ event: 'queue.bounce', time, kind: 'triple_bounce_discarded', msg: r.msg });
        return;
      case 'end': {
        let key = sendKey(envelope, r.queue, r.msg);
        let started = messages.get(key);
        if (started === undefined && r.queue !== null) {
          // indimail's slowq-send logs 'new msg N' without the ' slowq' its other lines carry
          key = sendKey(envelope, null, r.msg);
          started = messages.get(key);
        }
        let duration: number | null = null;
        if (started !== undefined) {
          messages.delete(key);
          if (started !== null && time !== null) duration = Math.max(0, time - started);
        }
        events.push({ event: 'queue.end', time, msg: r.msg, duration_seconds: duration });
        return;
      }
      case 'exiting':
      case 'notice':
        return; // recognised, nothing to count
    }
  }

  // ---- eMPF ------------------------------------------------------------------------------------

  function dropPolicy(listener: string): void {
    const list = policy.get(listener);
    if (list !== undefined) {
      droppedPolicy += list.length;
      policyCount -= list.length;
      policy.delete(listener);
    }
    lastPolicy.delete(listener);
  }

  function holdPolicy(listener: string, entry: PolicyEntry): void {
    let list = policy.get(listener);
    if (list === undefined) {
      list = [];
      policy.set(listener, list);
    }
    list.push(entry);
    policyCount++;
    if (policyCount > maxPending) {
      // drop the oldest entry of this listener, or of the first listener holding any
      let victim: PolicyEntry[] | undefined = list.length > 1 ? list : undefined;
      if (victim === undefined) {
        for (const l of policy.values()) {
          if (l !== list && l.length > 0) {
            victim = l;
            break;
          }
        }
      }
      (victim ?? list).shift();
      policyCount--;
      droppedPolicy++;
    }
  }

  /**
   * An eMPF record: the session state it moves, and the event of a refusal. Returns the line's
   * accounting: accountingOf's, except that a refusal with no policy_check before it is ignored.
   */
  function applyPolicy(r: PolicyRecord, listener: string, envelope: EnvelopeDetail, events: MailEvent[], own: LineResult): LineResult {
    const time = envelope.time;
    switch (r.type) {
      case 'check':
        lastPolicy.set(listener, { from: r.from, recipient: r.recipient, authenticated: r.authenticated });
        if (r.authenticated) holdPolicy(listener, { authUser: r.from, recipient: r.recipient, time, line: lineNo });
        return own;
      case 'forbids':
      case 'sender-not-authenticated': {
        const last = lastPolicy.get(listener);
        lastPolicy.delete(listener);
        if (last === undefined) return 'ignored';
        if (last.authenticated) {
          const list = policy.get(listener);
          if (list !== undefined) {
            for (let i = list.length - 1; i >= 0; i--) {
              const e = list[i]!;
              if (e.recipient === last.recipient && e.authUser === last.from) {
                list.splice(i, 1);
                policyCount--;
                break;
              }
            }
          }
        }
        events.push(
          recipientEvent(
            {
              decision: r.type === 'forbids' ? 'refused' : 'auth_required',
              relayed: false,
              sender: last.authenticated ? '' : last.from,
              authUser: last.authenticated ? last.from : '',
              refusal: r.type === 'forbids' ? 'policy' : 'must_auth',
            },
            { time, listener, identity },
            '',
            last.recipient,
          ),
        );
        return own;
      }
      case 'allows':
        lastPolicy.delete(listener);
        return own;
      case 'other':
        return own;
    }
  }

  /** At 'mail recv': the held recipients of this listener's session become smtp.recipient events. */
  function resolvePolicy(listener: string, sender: string, time: number | null, events: MailEvent[]): void {
    lastPolicy.delete(listener);
    const list = policy.get(listener);
    if (list === undefined || list.length === 0) return;
    if (time !== null) {
      let expired = 0;
      while (expired < list.length) {
        const t = list[expired]!.time;
        if (t === null || t >= time - POLICY_MAX_AGE_SECONDS) break;
        expired++;
      }
      if (expired > 0) {
        list.splice(0, expired);
        policyCount -= expired;
        droppedPolicy += expired;
      }
    }
    if (list.length === 0) return;
    // Policy lines carry no session id: take the recipients whose AUTH user is this sender; failing
    // that (a different-user send), those of the oldest pending AUTH user.
    let pick = list[0]!.authUser;
    for (const e of list) {
      if (sameSender(e.authUser, sender, identity)) {
        pick = e.authUser;
        break;
      }
    }
    const keep: PolicyEntry[] = [];
    for (const e of list) {
      if (sameAddress(e.authUser, pick)) {
        events.push(
          recipientEvent(
            { decision: 'accepted', relayed: true, sender, authUser: e.authUser, refusal: 'none' },
            { time: e.time, listener, identity },
            '',
            e.recipient,
          ),
        );
        markOrigin(events, events.length - 1, e.line);
      } else {
        keep.push(e);
      }
    }
    policyCount -= list.length - keep.length;
    if (keep.length === 0) policy.delete(listener);
    else policy.set(listener, keep);
  }

  // ---- one parsed line -------------------------------------------------------------------------

  /**
   * Applies a parsed line to the state and pushes its events. The line's accounting is accountingOf's
   * (events/accounting.ts), with the two stateful exceptions that rule names. `withAccounting` false
   * leaves out the ignored/unrecognised/foreign event (a held record already accounted for when read).
   */
  function apply(p: ParsedLine, events: MailEvent[], withAccounting: boolean): LineResult {
    const own = accountingOf(p);
    let result = own;
    switch (p.kind) {
      case 'qmail-send':
        if (own === 'counted') applyQmailSend(p.record, p.envelope, events);
        break;
      case 'policy':
        result = applyPolicy(p.record, p.listener, p.envelope, events, own);
        break;
      case 'mail-recv':
        // the recipients belong to earlier (held) policy_check lines: they go first, this line's own event last
        resolvePolicy(p.listener, p.record.sender, p.envelope.time, events);
        events.push(p.event);
        break;
      case 'event':
        if (own === 'counted') result = applyEvent(p, events);
        break;
    }
    if (result !== 'counted' && withAccounting) {
      if (p.kind === 'event' && isAccountingEvent(p.event)) events.push(p.event);
      // the only counted-looking event made ignored is the qlogenvelope twin of a CHKUSER line
      else events.push({ event: 'ignored', time: p.envelope.time, program: p.kind === 'event' ? 'qmail-smtpd' : p.program });
    }
    return result;
  }

  /** A counted stateless event: pushed, unless it is the qlogenvelope twin of a CHKUSER line. */
  function applyEvent(p: Extract<ParsedLine, { kind: 'event' }>, events: MailEvent[]): LineResult {
    const e = p.event;
    if (e.event === 'smtp.recipient' || e.event === 'smtp.sender') {
      // sagredo's qmail-smtpd logs every RCPT decision twice: a CHKUSER line and a qlogenvelope
      // line. Where a listener has CHKUSER lines, they count; the qlog twin is recognised only.
      if (p.program === 'chkuser') chkuserListeners.add(e.listener);
      else if (chkuserListeners.has(e.listener) && p.envelope.message.includes('qlogenvelope: ')) return 'ignored';
    }
    if (e.event === 'connection.status' && e.active === 0) dropPolicy(e.listener);
    events.push(e);
    return 'counted';
  }

  // ---- splogger continuation -------------------------------------------------------------------

  function holdKeyOf(envelope: EnvelopeDetail): string {
    return `${envelope.host ?? ''}\u0000${envelope.tag ?? ''}`;
  }

  function mayBeContinued(envelope: EnvelopeDetail): boolean {
    if (envelope.message.length < SPLOGGER_RECORD_LENGTH) return false;
    if (envelope.stamped) return true;
    // QMailToaster's splogger-nostamp: a qmail tag without a stamp
    return envelope.tag !== null && isSyslogFormat(envelope.format) && (isQmailTag(envelope.tag) || listenerMap.has(envelope.tag));
  }

  function release(h: Held, events: MailEvent[]): void {
    held.delete(h.key);
    const from = events.length;
    apply(h.parsed, events, false);
    markOrigin(events, from, h.line);
  }

  function expireHeld(events: MailEvent[]): void {
    for (const h of held.values()) {
      if (lineNo - h.line > HOLD_LINES) release(h, events);
    }
  }

  function hold(key: string, envelope: EnvelopeDetail, ctx: LineContext, parsed: ParsedLine, events: MailEvent[], line = lineNo): void {
    held.set(key, { key, envelope, ctx, parsed, line });
    if (held.size > MAX_HELD) {
      const oldest = held.values().next();
      if (!oldest.done) release(oldest.value, events);
    }
  }

  // ---- one year per stream ---------------------------------------------------------------------

  // The caller passes one LineContext per stream (a file, standard input, a live batch); the year of
  // a year-less syslog line follows the stream's previous dated line (envelope/year.ts).
  let streamContext: LineContext | null = null;
  let datedContext: LineContext = { referenceTime: 0, listenerHint: null, yearAnchor: null };

  function contextOfStream(ctx: LineContext): LineContext {
    if (ctx !== streamContext) {
      streamContext = ctx;
      datedContext = { referenceTime: ctx.referenceTime, listenerHint: ctx.listenerHint, yearAnchor: ctx.yearAnchor ?? null };
    }
    return datedContext;
  }

  function classify(text: string, ctx: LineContext): Classification {
    lineNo++;
    const dated = contextOfStream(ctx);
    const envelope = readEnvelope(text, dated);
    const t = envelope.time;
    if (t !== null && t >= EARLIEST_ANCHOR_SECONDS && t <= dated.referenceTime + YEAR_LOOKAHEAD_SECONDS) dated.yearAnchor = t;
    const events: MailEvent[] = [];
    if (held.size > 0) {
      const key = holdKeyOf(envelope);
      const h = held.get(key);
      if (h !== undefined) {
        held.delete(key);
        // a stamped record continues with the same stamp; a splogger-nostamp one with any '+' record
        if (envelope.continuation && (!h.envelope.stamped || h.envelope.time === envelope.time)) {
          const joined: EnvelopeDetail = { ...h.envelope, message: h.envelope.message + envelope.message };
          const parsed = dispatch(joined, h.ctx);
          if (envelope.message.length >= SPLOGGER_RECORD_LENGTH) {
            hold(key, joined, h.ctx, parsed, events, h.line); // longer still: a further continuation may follow
          } else {
            const from = events.length;
            apply(parsed, events, false);
            markOrigin(events, from, h.line);
          }
          expireHeld(events);
          events.push({ event: 'ignored', time: envelope.time, program: 'splogger' });
          return { result: 'ignored', events };
        }
        release(h, events);
      }
      expireHeld(events);
    }
    if (envelope.continuation) {
      events.push({ event: 'unrecognised', time: envelope.time, program: 'splogger' });
      return { result: 'unrecognised', events };
    }
    const parsed = dispatch(envelope, ctx);
    if (mayBeContinued(envelope)) {
      // The first part of a split record rarely parses on its own (a chkuser line cut inside its
      // HELO): it is accounted as counted, and its event comes with the continuation. Only a
      // record released alone that still does not parse goes uncounted (documented in docs/metrics.md).
      const own = accountingOf(parsed);
      hold(holdKeyOf(envelope), envelope, ctx, parsed, events);
      if (own === 'unrecognised') return { result: 'counted', events };
      if (parsed.kind === 'event' && isAccountingEvent(parsed.event)) events.push(parsed.event);
      return { result: own, events };
    }
    return { result: apply(parsed, events, true), events };
  }

  // ---- checkpoints -----------------------------------------------------------------------------

  function exportState(): unknown {
    return {
      version: 1,
      deliveries: [...deliveries].map(([k, v]) => [k, v.channel, v.msg, v.domain]),
      messages: [...messages],
      policy: [...policy].map(([l, list]) => [l, list.map((e) => [e.authUser, e.recipient, e.time])]),
      hosts: [...hostIds],
      listeners: [...listeners],
      held: [...held.values()].map((h) => ({
        envelope: {
          time: h.envelope.time,
          host: h.envelope.host,
          tag: h.envelope.tag,
          pid: h.envelope.pid,
          message: h.envelope.message,
          continuation: h.envelope.continuation,
          format: h.envelope.format,
          stamped: h.envelope.stamped,
        },
        ctx: { referenceTime: h.ctx.referenceTime, listenerHint: h.ctx.listenerHint },
      })),
    };
  }

  const isKey = (k: unknown): k is number | string => typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k));
  const isTime = (t: unknown): t is number | null => t === null || (typeof t === 'number' && Number.isFinite(t));
  const FORMATS = new Set(['syslog', 'syslog-hostless', 'rfc3339', 'tai64n', 'tai64n-local', 'ctime', 'bare']);

  function importState(state: unknown): void {
    if (typeof state !== 'object' || state === null) return;
    const s = state as Record<string, unknown>;
    if (s.version !== 1) return;
    try {
      if (Array.isArray(s.hosts)) {
        for (const h of s.hosts) {
          if (Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'number' && hostIds.size < MAX_HOSTS) {
            hostIds.set(h[0], h[1]);
          }
        }
      }
      if (Array.isArray(s.deliveries)) {
        for (const d of s.deliveries) {
          if (!Array.isArray(d) || !isKey(d[0]) || (d[1] !== 'local' && d[1] !== 'remote') || typeof d[2] !== 'number') continue;
          // a checkpoint written before domains were kept has no fourth field
          const domain = typeof d[3] === 'string' ? d[3].slice(0, MAX_DOMAIN_LENGTH).toLowerCase() : '';
          droppedDeliveries += setCapped(deliveries, d[0], { channel: d[1], msg: d[2], domain }, maxPending);
        }
      }
      if (Array.isArray(s.messages)) {
        for (const m of s.messages) {
          if (!Array.isArray(m) || !isKey(m[0]) || !isTime(m[1])) continue;
          droppedMessages += setCapped(messages, m[0], m[1], maxPending);
        }
      }
      if (Array.isArray(s.listeners)) {
        for (const l of s.listeners) {
          if (typeof l === 'string' && listeners.size < maxListeners) listeners.add(sanitizeListener(l));
        }
      }
      if (Array.isArray(s.policy)) {
        for (const p of s.policy) {
          if (!Array.isArray(p) || typeof p[0] !== 'string' || !Array.isArray(p[1])) continue;
          for (const e of p[1] as unknown[]) {
            if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !isTime(e[2])) continue;
            holdPolicy(sanitizeListener(p[0]), { authUser: e[0], recipient: e[1], time: e[2], line: 0 });
          }
        }
      }
      if (Array.isArray(s.held)) {
        for (const h of s.held) {
          if (typeof h !== 'object' || h === null) continue;
          const env = (h as Record<string, unknown>).envelope as Record<string, unknown> | undefined;
          const c = (h as Record<string, unknown>).ctx as Record<string, unknown> | undefined;
          if (!env || !c || typeof env.message !== 'string' || !isTime(env.time) || !FORMATS.has(env.format as string)) continue;
          if (typeof c.referenceTime !== 'number') continue;
          const envelope: EnvelopeDetail = {
            time: env.time,
            host: typeof env.host === 'string' ? env.host : null,
            tag: typeof env.tag === 'string' ? env.tag : null,
            pid: typeof env.pid === 'number' ? env.pid : null,
            message: env.message,
            continuation: false,
            format: env.format as EnvelopeDetail['format'],
            stamped: env.stamped === true,
          };
          const ctx: LineContext = {
            referenceTime: c.referenceTime,
            listenerHint: typeof c.listenerHint === 'string' ? c.listenerHint : null,
          };
          const sink: MailEvent[] = [];
          hold(holdKeyOf(envelope), envelope, ctx, dispatch(envelope, ctx), sink);
        }
      }
    } catch {
      // a damaged checkpoint: keep whatever was restored so far
    }
  }

  return {
    classify,
    flush(): MailEvent[] {
      const events: MailEvent[] = [];
      for (const h of [...held.values()]) release(h, events);
      return events;
    },
    stats(): ClassifierStats {
      return {
        pendingDeliveries: deliveries.size,
        pendingMessages: messages.size,
        pendingPolicy: policyCount,
        heldRecords: held.size,
        droppedDeliveries,
        droppedMessages,
        droppedPolicy,
      };
    },
    exportState,
    importState,
  };
}

// ---- checkpoint check ----------------------------------------------------------------------------

const STATE_FORMATS = new Set(['syslog', 'syslog-hostless', 'rfc3339', 'tai64n', 'tai64n-local', 'ctime', 'bare']);
const STATE_LISTENER = /^[A-Za-z0-9_.-]{1,64}$/;
/** Longer than any line the follower hands out (1 MiB + 1 KiB), joined continuations included. */
const MAX_STATE_TEXT = 4 * 1024 * 1024;
const MAX_STATE_NAME = 1024;

/**
 * null when `state` is a state exportState() could have written with the default caps, else what is
 * wrong. A checkpoint whose classifier state fails this is refused whole (storage/checkpoint-schema.ts);
 * `undefined` (no state saved) passes.
 */
export function checkClassifierState(state: unknown, maxPending = 10000): string | null {
  if (state === undefined) return null;
  if (typeof state !== 'object' || state === null || Array.isArray(state)) return 'not an object';
  const s = state as Record<string, unknown>;
  if (s.version !== 1) return 'unknown version';
  const isKey = (k: unknown): boolean =>
    (typeof k === 'string' && k.length <= MAX_STATE_NAME) || (typeof k === 'number' && Number.isSafeInteger(k) && k >= 0);
  const isTime = (t: unknown): boolean => t === null || (typeof t === 'number' && Number.isFinite(t));
  const isText = (t: unknown, max = MAX_STATE_TEXT): t is string => typeof t === 'string' && t.length <= max;
  const isCount = (n: unknown): boolean => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  const list = (name: string, max: number): unknown[] | string => {
    const v = s[name];
    if (v === undefined) return [];
    if (!Array.isArray(v)) return `${name} is not a list`;
    if (v.length > max) return `${name}: ${v.length} entries (at most ${max})`;
    return v;
  };
  const hosts = list('hosts', MAX_HOSTS);
  if (typeof hosts === 'string') return hosts;
  const ids = new Set<number>();
  for (const h of hosts) {
    if (!Array.isArray(h) || !isText(h[0], MAX_STATE_NAME) || !Number.isSafeInteger(h[1]) || h[1] < 1 || h[1] > MAX_HOSTS || ids.has(h[1])) return 'a host entry';
    ids.add(h[1]);
  }
  const deliveries = list('deliveries', maxPending);
  if (typeof deliveries === 'string') return deliveries;
  for (const d of deliveries) {
    if (!Array.isArray(d) || !isKey(d[0]) || (d[1] !== 'local' && d[1] !== 'remote') || !isCount(d[2])) return 'a delivery entry';
  }
  const messages = list('messages', maxPending);
  if (typeof messages === 'string') return messages;
  for (const m of messages) if (!Array.isArray(m) || !isKey(m[0]) || !isTime(m[1])) return 'a message entry';
  const listeners = list('listeners', MAX_LISTENERS);
  if (typeof listeners === 'string') return listeners;
  for (const l of listeners) if (typeof l !== 'string' || !STATE_LISTENER.test(l)) return 'a listener name';
  const policy = list('policy', MAX_LISTENERS + 1);
  if (typeof policy === 'string') return policy;
  let recipients = 0;
  for (const p of policy) {
    if (!Array.isArray(p) || typeof p[0] !== 'string' || !STATE_LISTENER.test(p[0]) || !Array.isArray(p[1])) return 'a policy entry';
    recipients += p[1].length;
    if (recipients > maxPending) return `policy: more than ${maxPending} recipients`;
    for (const e of p[1] as unknown[]) {
      if (!Array.isArray(e) || !isText(e[0], MAX_STATE_NAME) || !isText(e[1], MAX_STATE_NAME) || !isTime(e[2])) return 'a policy recipient';
    }
  }
  const held = list('held', MAX_HELD);
  if (typeof held === 'string') return held;
  for (const h of held) {
    if (typeof h !== 'object' || h === null || Array.isArray(h)) return 'a held record';
    const env = (h as Record<string, unknown>).envelope as Record<string, unknown> | undefined;
    const c = (h as Record<string, unknown>).ctx as Record<string, unknown> | undefined;
    if (typeof env !== 'object' || env === null || typeof c !== 'object' || c === null) return 'a held record';
    if (!isText(env.message) || !isTime(env.time) || !STATE_FORMATS.has(env.format as string)) return 'a held record envelope';
    if (!(env.host === null || isText(env.host, MAX_STATE_NAME)) || !(env.tag === null || isText(env.tag, MAX_STATE_NAME))) return 'a held record host or tag';
    if (!(env.pid === null || isCount(env.pid)) || typeof env.stamped !== 'boolean') return 'a held record pid';
    if (typeof c.referenceTime !== 'number' || !Number.isFinite(c.referenceTime)) return 'a held record reference time';
    if (!(c.listenerHint === null || c.listenerHint === undefined || isText(c.listenerHint, MAX_STATE_NAME))) return 'a held record listener hint';
  }
  return null;
}
