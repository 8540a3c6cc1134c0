/**
 * The classifier: the only stateful stage. It reads each line (envelope + dispatch, pure), applies
 * the line-accounting rule (events/accounting.ts), and hands each parsed line to the concern that
 * keeps the little state qmail's logs need, each in its own module and each bounded:
 *
 * - listeners.ts — the bounded `listener` names, and which listeners log through CHKUSER;
 * - send-correlation.ts — qmail-send's numbered deliveries and messages ('delivery N:' gets its
 *   channel, 'end msg' its time in the queue);
 * - empf-pairing.ts — eMPF's authenticated recipients, held until the session's 'mail recv:' names
 *   the envelope sender;
 * - splogger-joining.ts — splogger records of 799+ characters, held until the next line of the
 *   same tag shows whether a continuation follows;
 * - state.ts — the checkpoint state made of each part's, and its check.
 *
 * This file only routes: which concern a parsed line goes to, and in which order events come out.
 */
import { accountingOf, isAccountingEvent, type Classification } from '../events/accounting.js';
import type { LineResult, MailEvent } from '../events/events.js';
import type { LineContext } from '../events/parsed-line.js';
import { DEFAULT_SENDER_IDENTITY, type SenderIdentity } from '../events/recipient-case.js';
import { readEnvelope } from '../parse/envelope/index.js';
import { YEAR_LOOKAHEAD_SECONDS } from '../parse/envelope/local-time.js';
import { EARLIEST_ANCHOR_SECONDS } from '../parse/envelope/year.js';
import { createDispatcher, type ParsedLine } from '../parse/dispatch.js';
import { createEmpfPairing } from './empf-pairing.js';
import { createListeners } from './listeners.js';
import { createSendCorrelation } from './send-correlation.js';
import { createSploggerJoining } from './splogger-joining.js';
import { exportClassifierState, importClassifierState } from './state.js';

export type { Classification } from '../events/accounting.js';
export { checkClassifierState } from './state.js';

export interface ClassifierOptions {
  /** syslog tag → listener name (--qmail.listener-map) */
  listenerMap?: Record<string, string>;
  /** cap of each state map (default 10000) */
  maxPending?: number;
  /** distinct listener names before the rest become 'other' (default MAX_LISTENERS) */
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

export interface Classifier {
  classify(text: string, ctx: LineContext): Classification;
  /** end of input: the events of records still held */
  flush(): MailEvent[];
  /**
   * For an event this classifier returned for an earlier line than the one being classified (a held
   * splogger record, an eMPF recipient paired at 'mail recv'), that line's number (1 = the first line
   * classified); undefined for a line's own events. Kept beside the events, so the event contract
   * stays as it is.
   */
  originOf(e: MailEvent): number | undefined;
  stats(): ClassifierStats;
  /** JSON-serialisable state for checkpoints */
  exportState(): unknown;
  /** restores exportState()'s value; anything else is ignored */
  importState(state: unknown): void;
}

export function createClassifier(opts: ClassifierOptions = {}): Classifier {
  const maxPending = Math.max(1, Math.floor(opts.maxPending ?? 10000));
  const identity = opts.identity ?? DEFAULT_SENDER_IDENTITY;
  let lineNo = 0;

  const origins = new WeakMap<MailEvent, number>();
  const markOrigin = (e: MailEvent, line: number): void => void origins.set(e, line);

  const listeners = createListeners(opts);
  const dispatch = createDispatcher({ listenerOf: listeners.of, isKnownTag: listeners.isKnownTag, identity });
  const send = createSendCorrelation({ maxPending });
  const empf = createEmpfPairing({ maxPending, identity, markOrigin });
  const joining = createSploggerJoining({
    isKnownTag: listeners.isKnownTag,
    dispatch,
    applyHeld: (parsed, events) => void apply(parsed, events, false),
    markOrigin,
  });
  // import order: the held records are parsed again, with the listeners already restored
  const stateParts = [send, listeners, empf, joining];

  /**
   * Applies a parsed line to the state and pushes its events. The line's accounting is accountingOf's,
   * with the two stateful exceptions that rule names. `withAccounting` false leaves out the
   * ignored/unrecognised/foreign event (a held record already accounted for when it was read).
   */
  function apply(p: ParsedLine, events: MailEvent[], withAccounting: boolean): LineResult {
    const own = accountingOf(p);
    let result = own;
    switch (p.kind) {
      case 'qmail-send':
        if (own === 'counted') send.apply(p.record, p.envelope, events);
        break;
      case 'policy':
        result = empf.apply(p.record, p.listener, p.envelope, events, own, lineNo);
        break;
      case 'mail-recv':
        // the recipients belong to earlier (held) policy_check lines: they go first, this line's own event last
        empf.resolve(p.listener, p.record.sender, p.envelope.time, events);
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
      if (p.program === 'chkuser') listeners.markChkuser(e.listener);
      else if (listeners.hasChkuser(e.listener) && p.envelope.message.includes('qlogenvelope: ')) return 'ignored';
    }
    if (e.event === 'connection.status' && e.active === 0) empf.dropListener(e.listener);
    events.push(e);
    return 'counted';
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
    if (joining.join(envelope, lineNo, events)) {
      events.push({ event: 'ignored', time: envelope.time, program: 'splogger' });
      return { result: 'ignored', events };
    }
    if (envelope.continuation) {
      events.push({ event: 'unrecognised', time: envelope.time, program: 'splogger' });
      return { result: 'unrecognised', events };
    }
    const parsed = dispatch(envelope, ctx);
    if (joining.mayBeContinued(envelope)) {
      // The first part of a split record rarely parses on its own (a chkuser line cut inside its
      // HELO): it is accounted as counted, and its event comes with the continuation. Only a
      // record released alone that still does not parse goes uncounted (documented in docs/metrics.md).
      const own = accountingOf(parsed);
      joining.hold(envelope, ctx, parsed, lineNo, events);
      if (own === 'unrecognised') return { result: 'counted', events };
      if (parsed.kind === 'event' && isAccountingEvent(parsed.event)) events.push(parsed.event);
      return { result: own, events };
    }
    return { result: apply(parsed, events, true), events };
  }

  return {
    classify,
    flush(): MailEvent[] {
      const events: MailEvent[] = [];
      joining.flush(events);
      return events;
    },
    originOf: (e) => origins.get(e),
    stats: (): ClassifierStats => ({ ...send.stats(), ...empf.stats(), ...joining.stats() }),
    exportState: () => exportClassifierState(stateParts),
    importState: (state) => importClassifierState(state, stateParts),
  };
}
