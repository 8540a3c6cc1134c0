/**
 * splogger joining. splogger cuts a message longer than its record (799+ characters) and writes the
 * rest as a continuation record `sec.usec+rest` under the same tag. A long record is therefore held
 * until the next line of the same host and tag shows whether a continuation follows: then the two
 * are joined and parsed as one line; otherwise the record is released and applied alone. A record is
 * released alone too after HOLD_LINES lines without its continuation, when more than MAX_HELD are
 * held, and at the end of input.
 *
 * The first part of a held record is accounted when it is read (counted, or its accounting event);
 * its events come with the line that releases it, marked as belonging to the held line.
 */
import type { MailEvent } from '../events/events.js';
import type { LineContext } from '../events/parsed-line.js';
import type { ParsedLine } from '../parse/dispatch.js';
import { isQmailTag } from '../parse/dispatch.js';
import { isSyslogFormat, SPLOGGER_RECORD_LENGTH, type EnvelopeDetail } from '../parse/envelope/index.js';

/** A held splogger record is released alone after this many lines without its continuation. */
const HOLD_LINES = 8;
export const MAX_HELD = 64;
const FORMATS = new Set(['syslog', 'syslog-hostless', 'rfc3339', 'tai64n', 'tai64n-local', 'ctime', 'bare']);

interface Held {
  key: string;
  envelope: EnvelopeDetail;
  ctx: LineContext;
  parsed: ParsedLine;
  /** the classifier's number of the line the record was read on */
  line: number;
}

export interface SploggerJoiningOptions {
  /** tags of this host beyond qmail's own (a splogger-nostamp record under such a tag may be continued) */
  isKnownTag(tag: string): boolean;
  dispatch(envelope: EnvelopeDetail, ctx: LineContext): ParsedLine;
  /** applies a released record's parsed line, leaving out its accounting event (accounted when read) */
  applyHeld(parsed: ParsedLine, events: MailEvent[]): void;
  /** records that an event belongs to an earlier line */
  markOrigin(event: MailEvent, line: number): void;
}

export interface SploggerJoining {
  /** Whether a line of this envelope may be the first part of a longer record. */
  mayBeContinued(envelope: EnvelopeDetail): boolean;
  /** Holds the first part of a record read on `line`. */
  hold(envelope: EnvelopeDetail, ctx: LineContext, parsed: ParsedLine, line: number, events: MailEvent[]): void;
  /**
   * Before line `line` is classified: joins it to the record it continues (returns true: the line is
   * used up), or releases the record of its host and tag that it does not continue, and any record
   * held too long (returns false). Released and joined events go to `events`.
   */
  join(envelope: EnvelopeDetail, line: number, events: MailEvent[]): boolean;
  /** End of input: every held record, released alone. */
  flush(events: MailEvent[]): void;
  stats(): { heldRecords: number };
  /** Checkpoint part: the held records' envelopes and contexts (they are parsed again at import). */
  exportState(): { held: Array<{ envelope: Record<string, unknown>; ctx: { referenceTime: number; listenerHint: string | null } }> };
  importState(state: Record<string, unknown>): void;
}

export function createSploggerJoining(opts: SploggerJoiningOptions): SploggerJoining {
  const held = new Map<string, Held>();

  const keyOf = (envelope: EnvelopeDetail): string => `${envelope.host ?? ''}\u0000${envelope.tag ?? ''}`;

  function applyReleased(parsed: ParsedLine, line: number, events: MailEvent[]): void {
    const from = events.length;
    opts.applyHeld(parsed, events);
    if (line > 0) for (let i = from; i < events.length; i++) opts.markOrigin(events[i]!, line);
  }

  function release(h: Held, events: MailEvent[]): void {
    held.delete(h.key);
    applyReleased(h.parsed, h.line, events);
  }

  function expire(line: number, events: MailEvent[]): void {
    for (const h of held.values()) {
      if (line - h.line > HOLD_LINES) release(h, events);
    }
  }

  function holdAt(key: string, envelope: EnvelopeDetail, ctx: LineContext, parsed: ParsedLine, line: number, events: MailEvent[]): void {
    held.set(key, { key, envelope, ctx, parsed, line });
    if (held.size > MAX_HELD) {
      const oldest = held.values().next();
      if (!oldest.done) release(oldest.value, events);
    }
  }

  return {
    mayBeContinued(envelope) {
      if (envelope.message.length < SPLOGGER_RECORD_LENGTH) return false;
      if (envelope.stamped) return true;
      // QMailToaster's splogger-nostamp: a qmail tag without a stamp
      return envelope.tag !== null && isSyslogFormat(envelope.format) && (isQmailTag(envelope.tag) || opts.isKnownTag(envelope.tag));
    },
    hold(envelope, ctx, parsed, line, events) {
      holdAt(keyOf(envelope), envelope, ctx, parsed, line, events);
    },
    join(envelope, line, events) {
      if (held.size === 0) return false;
      const key = keyOf(envelope);
      const h = held.get(key);
      if (h !== undefined) {
        held.delete(key);
        // a stamped record continues with the same stamp; a splogger-nostamp one with any '+' record
        if (envelope.continuation && (!h.envelope.stamped || h.envelope.time === envelope.time)) {
          const joined: EnvelopeDetail = { ...h.envelope, message: h.envelope.message + envelope.message };
          const parsed = opts.dispatch(joined, h.ctx);
          if (envelope.message.length >= SPLOGGER_RECORD_LENGTH) {
            holdAt(key, joined, h.ctx, parsed, h.line, events); // longer still: a further continuation may follow
          } else {
            applyReleased(parsed, h.line, events);
          }
          expire(line, events);
          return true;
        }
        release(h, events);
      }
      expire(line, events);
      return false;
    },
    flush(events) {
      for (const h of [...held.values()]) release(h, events);
    },
    stats: () => ({ heldRecords: held.size }),
    exportState: () => ({
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
    }),
    importState(s) {
      if (!Array.isArray(s.held)) return;
      for (const h of s.held) {
        if (typeof h !== 'object' || h === null) continue;
        const env = (h as Record<string, unknown>).envelope as Record<string, unknown> | undefined;
        const c = (h as Record<string, unknown>).ctx as Record<string, unknown> | undefined;
        if (!env || !c || typeof env.message !== 'string' || !(env.time === null || (typeof env.time === 'number' && Number.isFinite(env.time)))) continue;
        if (!FORMATS.has(env.format as string) || typeof c.referenceTime !== 'number') continue;
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
        const ctx: LineContext = { referenceTime: c.referenceTime, listenerHint: typeof c.listenerHint === 'string' ? c.listenerHint : null };
        // restored records have no line number in this run: their events are the releasing line's
        holdAt(keyOf(envelope), envelope, ctx, opts.dispatch(envelope, ctx), 0, []);
      }
    },
  };
}
