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
 */

/** Counts per bucket, plus their running total so reading the window is O(1). */
export class SlidingCount {
  // [bucket, count, bucket, count, …], oldest first; buckets strictly increasing.
  private readonly buckets: number[] = [];
  total = 0;

  /** Adds to `bucket`; a bucket older than the newest one (cannot happen with a monotone clock) joins the newest. */
  add(bucket: number, amount: number): void {
    const n = this.buckets.length;
    if (n > 0 && bucket <= this.buckets[n - 2]!) {
      this.buckets[n - 1]! += amount;
    } else {
      this.buckets.push(bucket, amount);
    }
    this.total += amount;
  }

  /** Drops buckets numbered below `oldestLive`; returns the remaining total. */
  expire(oldestLive: number): number {
    const b = this.buckets;
    let drop = 0;
    while (drop < b.length && b[drop]! < oldestLive) {
      this.total -= b[drop + 1]!;
      drop += 2;
    }
    if (drop > 0) b.splice(0, drop);
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

  constructor(private readonly cap: number) {}

  get total(): number {
    return this.lastSeen.size;
  }

  add(bucket: number, item: string): void {
    this.lastSeen.delete(item);
    this.lastSeen.set(item, bucket);
    if (this.lastSeen.size > this.cap) {
      const oldest = this.lastSeen.keys().next();
      if (oldest.done !== true) this.lastSeen.delete(oldest.value);
    }
  }

  expire(oldestLive: number): number {
    for (const [item, bucket] of this.lastSeen) {
      if (bucket >= oldestLive) break;
      this.lastSeen.delete(item);
    }
    return this.lastSeen.size;
  }
}
