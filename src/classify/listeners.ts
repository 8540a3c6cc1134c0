/**
 * The `listener` label: which SMTP service a line belongs to (a syslog tag mapped through
 * --qmail.listener-map, or the multilog directory of a tagless line), bounded to `maxListeners` names
 * (the configured names first; past the bound every new one is 'other').
 *
 * Also which listeners log their RCPT decisions through CHKUSER: on those, sagredo's qlogenvelope twin
 * of each decision is recognised but not counted (see classifier.ts).
 */
import { MAX_LISTENERS } from '../events/events.js';
import type { LineContext } from '../events/parsed-line.js';
import { isSyslogFormat, type EnvelopeDetail } from '../parse/envelope/index.js';
import { sanitizeListener } from '../parse/dispatch.js';

/** Raw name → admitted name, forgotten whole when it grows past this (names repeat; a flood of new ones must not grow it). */
const LISTENER_CACHE_LIMIT = 1024;

export interface ListenerOptions {
  /** syslog tag → listener name (--qmail.listener-map) */
  listenerMap?: Record<string, string>;
  /** distinct listener names before the rest become 'other' (default MAX_LISTENERS) */
  maxListeners?: number;
}

export interface Listeners {
  /** The bounded listener name of a line. */
  of(envelope: EnvelopeDetail, ctx: LineContext): string;
  /** Tags of this host beyond qmail's own: the listener map's keys. */
  isKnownTag(tag: string): boolean;
  /** CHKUSER logged a recipient or sender decision on this listener. */
  markChkuser(listener: string): void;
  /** Whether CHKUSER lines were seen on this listener. */
  hasChkuser(listener: string): boolean;
  stats(): { listeners: number };
  /** Checkpoint part: the admitted names, so a restart keeps the same names inside the bound. */
  exportState(): { listeners: string[] };
  importState(state: Record<string, unknown>): void;
}

export function createListeners(opts: ListenerOptions = {}): Listeners {
  const listenerMap = new Map(Object.entries(opts.listenerMap ?? {}));
  const maxListeners = Math.max(1, Math.floor(opts.maxListeners ?? MAX_LISTENERS));
  const admitted = new Set<string>();
  const cache = new Map<string, string>();
  /** listeners whose recipients are logged by chkuser (a subset of `admitted`, so bounded too) */
  const chkuser = new Set<string>();

  function admit(raw: string): string {
    const cached = cache.get(raw);
    if (cached !== undefined) return cached;
    let name = sanitizeListener(raw);
    if (!admitted.has(name)) {
      if (admitted.size >= maxListeners) name = 'other';
      else admitted.add(name);
    }
    if (cache.size >= LISTENER_CACHE_LIMIT) cache.clear();
    cache.set(raw, name);
    return name;
  }

  // consecutive lines mostly share a tag: remember the last answer
  let lastTag = '';
  let lastTagListener = '';

  // the configured names are admitted first, so that they never become 'other'
  for (const name of listenerMap.values()) admit(name);

  return {
    of(envelope, ctx) {
      const tag = envelope.tag;
      if (tag !== null && isSyslogFormat(envelope.format)) {
        if (tag === lastTag && lastTagListener !== '') return lastTagListener;
        const name = admit(listenerMap.get(tag) ?? tag);
        lastTag = tag;
        lastTagListener = name;
        return name;
      }
      return admit(ctx.listenerHint ?? 'unknown');
    },
    isKnownTag: (tag) => listenerMap.has(tag),
    markChkuser: (listener) => void chkuser.add(listener),
    hasChkuser: (listener) => chkuser.has(listener),
    stats: () => ({ listeners: admitted.size }),
    exportState: () => ({ listeners: [...admitted] }),
    importState(state) {
      if (!Array.isArray(state.listeners)) return;
      for (const l of state.listeners) {
        if (typeof l === 'string' && admitted.size < maxListeners) admitted.add(sanitizeListener(l));
      }
    },
  };
}
