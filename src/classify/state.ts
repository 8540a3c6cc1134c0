/**
 * The classifier's checkpoint state: one versioned object made of each concern's part (listeners,
 * qmail-send correlation, eMPF pairing, splogger joining), and the check a checkpoint's state must
 * pass before any of it is restored.
 *
 * The format (version 1) is what earlier releases wrote: `{ version, deliveries, messages, hosts,
 * listeners, policy, held }`. A part's import skips entries it cannot use; checkClassifierState
 * refuses a damaged state whole before that (storage/checkpoint-schema.ts).
 */
import { MAX_LISTENERS } from '../events/events.js';
import { MAX_HELD } from './splogger-joining.js';
import { MAX_HOSTS } from './send-correlation.js';

export const STATE_VERSION = 1;

/** A concern that keeps state across lines. */
export interface StatePart {
  exportState(): object;
  importState(state: Record<string, unknown>): void;
}

/** The checkpoint object: every part's fields under one version. */
export function exportClassifierState(parts: readonly StatePart[]): unknown {
  return Object.assign({ version: STATE_VERSION }, ...parts.map((p) => p.exportState()));
}

/**
 * Restores exportClassifierState()'s value into the parts, in the order given (a part that parses
 * held lines needs the listeners restored first). Anything that is not a version-1 object is ignored.
 */
export function importClassifierState(state: unknown, parts: readonly StatePart[]): void {
  if (typeof state !== 'object' || state === null) return;
  const s = state as Record<string, unknown>;
  if (s.version !== STATE_VERSION) return;
  try {
    for (const p of parts) p.importState(s);
  } catch {
    // a damaged checkpoint: keep whatever was restored so far
  }
}

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
  if (s.version !== STATE_VERSION) return 'unknown version';
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
