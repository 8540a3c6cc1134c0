/**
 * One leaderboard: per-key sliding tallies for every window, at most `maxKeys` keys.
 *
 * Keys are found through a Map and chained in a list from least to most recently updated, so the
 * key to evict is always the head, and keys whose last update is older than the longest window
 * (every tally empty) are dropped from the head for free before anything is evicted. (A Map kept
 * in order by delete + set would do the same, but V8 leaves holes at the front of a Map that
 * every walk from the front must skip: eviction measured 30 µs per event that way.)
 */

import { BYTES_PER_KEY, MemoryBudget } from './sliding.js';

export interface WindowSpec {
  label: string;
  ms: number;
  /** Number of buckets the window is cut into; the granularity is ms / buckets. */
  buckets: number;
}

export interface Tally {
  readonly total: number;
  /** Drops buckets numbered below `oldestLive`; returns what is left. */
  expire(oldestLive: number): number;
  /** The key is forgotten: give back what it held (to the memory budget). */
  release(): void;
}

export interface Ranked {
  key: string;
  value: number;
}

interface KeyEntry<T> {
  key: string;
  lastUpdate: number;
  tallies: T[]; // one per window, in window order
  // Recency list, least recently updated first.
  older: KeyEntry<T> | null;
  newer: KeyEntry<T> | null;
}

export class Board<T extends Tally> {
  private readonly keys = new Map<string, KeyEntry<T>>();
  private oldest: KeyEntry<T> | null = null;
  private newest: KeyEntry<T> | null = null;
  private readonly bucketMs: number[];
  private readonly longestMs: number;
  evictions = 0;

  constructor(
    private readonly windows: readonly WindowSpec[],
    private readonly maxKeys: number,
    private readonly newTally: () => T,
    private readonly budget: MemoryBudget = new MemoryBudget(Infinity),
  ) {
    this.bucketMs = windows.map((w) => w.ms / w.buckets);
    this.longestMs = Math.max(...windows.map((w) => w.ms));
  }

  get size(): number {
    return this.keys.size;
  }

  bucketOf(window: number, now: number): number {
    return Math.floor(now / this.bucketMs[window]!);
  }

  /** The tallies of `key` (created if new, evicting the least recently updated key if full), now the most recent. */
  touch(key: string, now: number): T[] {
    let entry = this.keys.get(key);
    if (entry !== undefined) {
      this.unlink(entry);
    } else {
      this.dropIdle(now);
      if (this.keys.size >= this.maxKeys && this.oldest !== null) {
        this.forget(this.oldest);
        this.evictions++;
      }
      entry = { key, lastUpdate: now, tallies: this.windows.map(() => this.newTally()), older: null, newer: null };
      this.keys.set(key, entry);
      this.budget.used += BYTES_PER_KEY + key.length * 2;
    }
    entry.lastUpdate = now;
    this.append(entry);
    return entry.tallies;
  }

  /** Expires every key's buckets, forgets keys left empty, and returns the top `size` of each window. */
  rank(now: number, size: number): Ranked[][] {
    const oldestLive = this.windows.map((w, i) => this.bucketOf(i, now) - w.buckets + 1);
    const tops = this.windows.map(() => new TopN(size));
    for (let entry = this.oldest; entry !== null; ) {
      const next = entry.newer;
      let any = false;
      for (let i = 0; i < entry.tallies.length; i++) {
        const value = entry.tallies[i]!.expire(oldestLive[i]!);
        if (value > 0) {
          any = true;
          tops[i]!.offer(entry.key, value);
        }
      }
      if (!any) this.forget(entry);
      entry = next;
    }
    return tops.map((t) => t.entries);
  }

  // An event leaves every window at most `longestMs` after it was observed.
  private dropIdle(now: number): void {
    while (this.oldest !== null && now - this.oldest.lastUpdate >= this.longestMs) this.forget(this.oldest);
  }

  /** When the least recently updated key was last updated; null when the board is empty. */
  oldestUpdate(): number | null {
    return this.oldest === null ? null : this.oldest.lastUpdate;
  }

  /** Forget the least recently updated key (to keep within the memory budget); counted as an eviction. */
  evictOldest(): void {
    if (this.oldest === null) return;
    this.forget(this.oldest);
    this.evictions++;
  }

  private forget(entry: KeyEntry<T>): void {
    this.unlink(entry);
    this.keys.delete(entry.key);
    for (const t of entry.tallies) t.release();
    this.budget.used -= BYTES_PER_KEY + entry.key.length * 2;
  }

  private unlink(entry: KeyEntry<T>): void {
    if (entry.older !== null) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    if (entry.newer !== null) entry.newer.older = entry.older;
    else this.newest = entry.older;
    entry.older = entry.newer = null;
  }

  private append(entry: KeyEntry<T>): void {
    entry.older = this.newest;
    if (this.newest !== null) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }
}

/** The best `size` entries offered: highest value first, ties by key in code-unit order. */
export class TopN {
  readonly entries: Ranked[] = [];

  constructor(private readonly size: number) {}

  offer(key: string, value: number): void {
    const e = this.entries;
    if (e.length === this.size) {
      const last = e[e.length - 1];
      if (last === undefined || !ranksBefore(key, value, last)) return;
      e.pop();
    }
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ranksBefore(key, value, e[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    e.splice(lo, 0, { key, value });
  }
}

function ranksBefore(key: string, value: number, other: Ranked): boolean {
  return value > other.value || (value === other.value && key < other.key);
}
