/**
 * Exact sliding-window tallies at bucket granularity, for one key and one window.
 *
 * A window of length W is cut into B buckets of W/B ms (bucket number = floor(time / (W/B))).
 * At time `now` the window holds the buckets numbered > current − B: the current, partly
 * filled bucket and the B − 1 before it. So an event stays counted for between W − W/B and W
 * after it was observed, never longer, and every count is exact at that granularity.
 *
 * Only buckets that received something are stored, oldest first, so a key seen once costs one
 * bucket, and a key seen all the time at most B buckets per window.
 *
 * Every tally reports what it holds to a MemoryBudget shared by all boards, which forget their
 * least recently updated keys while the budget is exceeded.
 */

/**
 * Estimated heap bytes per stored item, measured with bench/leaderboard.ts's memory mode
 * (heapUsed after a full GC divided by items held; rounded up).
 */
export const BYTES_PER_KEY = 600;
export const BYTES_PER_BUCKET = 32;
export const BYTES_PER_DISTINCT_ITEM = 60;

/** A running estimate of the bytes the leaderboards hold, against a limit. */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

const NO_BUDGET = new MemoryBudget(Infinity);

/** Counts per bucket, plus their running total so reading the window is O(1). */
export class SlidingCount {
  // [bucket, count, bucket, count, …], oldest first; buckets strictly increasing. Null while empty:
  // most keys hold one or two buckets, and an array literal is allocated at its exact size
  // whereas a first push() reserves room for 16 more.
  private buckets: number[] | null = null;
  total = 0;

  /** `span`: buckets per window. */
  constructor(
    private readonly span: number,
    private readonly budget: MemoryBudget = NO_BUDGET,
  ) {}

  /**
   * Adds to `bucket`, first dropping buckets that have left the window (so a busy key never holds
   * more than `span` buckets, scrape or not). A bucket older than the newest one (cannot happen
   * with a monotone clock) joins the newest.
   */
  add(bucket: number, amount: number): void {
    this.expire(bucket - this.span + 1);
    this.total += amount;
    const b = this.buckets;
    if (b === null) {
      this.buckets = [bucket, amount];
      this.budget.used += BYTES_PER_BUCKET;
      return;
    }
    const n = b.length;
    if (bucket <= b[n - 2]!) b[n - 1]! += amount;
    else {
      b.push(bucket, amount);
      this.budget.used += BYTES_PER_BUCKET;
    }
  }

  /** The key is forgotten: what it held leaves the budget. */
  release(): void {
    if (this.buckets !== null) this.budget.used -= (this.buckets.length / 2) * BYTES_PER_BUCKET;
    this.buckets = null;
    this.total = 0;
  }

  /** Drops buckets numbered below `oldestLive`; returns the remaining total. */
  expire(oldestLive: number): number {
    const b = this.buckets;
    if (b === null || b[0]! >= oldestLive) return this.total;
    let drop = 0;
    while (drop < b.length && b[drop]! < oldestLive) {
      this.total -= b[drop + 1]!;
      drop += 2;
    }
    this.budget.used -= (drop / 2) * BYTES_PER_BUCKET;
    if (drop === b.length) this.buckets = null;
    else b.splice(0, drop);
    return this.total;
  }
}

/**
 * Distinct items (IP addresses) seen in the window, each remembered with the bucket it was last
 * seen in. The Map is kept in last-seen order (touch = delete + set), so expiry pops from the
 * front. At most `cap` items are kept: past that the least recently seen is forgotten, so the
 * count saturates at `cap`.
 */
export class SlidingDistinct {
  private readonly lastSeen = new Map<string, number>();

  /** `span`: buckets per window; `cap`: most items remembered. */
  constructor(
    private readonly span: number,
    private readonly cap: number,
    private readonly budget: MemoryBudget = NO_BUDGET,
  ) {}

  get total(): number {
    return this.lastSeen.size;
  }

  add(bucket: number, item: string): void {
    this.expire(bucket - this.span + 1);
    if (!this.lastSeen.delete(item)) this.budget.used += BYTES_PER_DISTINCT_ITEM;
    this.lastSeen.set(item, bucket);
    if (this.lastSeen.size > this.cap) {
      const oldest = this.lastSeen.keys().next();
      if (oldest.done !== true) {
        this.lastSeen.delete(oldest.value);
        this.budget.used -= BYTES_PER_DISTINCT_ITEM;
      }
    }
  }

  expire(oldestLive: number): number {
    for (const [item, bucket] of this.lastSeen) {
      if (bucket >= oldestLive) break;
      this.lastSeen.delete(item);
      this.budget.used -= BYTES_PER_DISTINCT_ITEM;
    }
    return this.lastSeen.size;
  }

  /** The key is forgotten: what it held leaves the budget. */
  release(): void {
    this.budget.used -= this.lastSeen.size * BYTES_PER_DISTINCT_ITEM;
    this.lastSeen.clear();
  }
}
