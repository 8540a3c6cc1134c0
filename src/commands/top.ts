/**
 * Bounded tallies for the `report` tables. A log can name millions of IPs; memory must not grow
 * with the file, so each table keeps at most `maxKeys` keys and, when full, drops the smaller half.
 * Keys that make the top 10 of a real log are far above that cut, so the tables stay exact in
 * practice; the cut is documented in `report --help`.
 */
export class TopCounter {
  private readonly counts = new Map<string, number>();
  constructor(private readonly maxKeys = 100_000) {}

  add(key: string, n = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + n);
    if (this.counts.size > this.maxKeys) this.prune();
  }

  private prune(): void {
    const values = [...this.counts.values()].sort((a, b) => a - b);
    const cut = values[Math.floor(values.length / 2)] ?? 0;
    for (const [k, v] of this.counts) if (v <= cut) this.counts.delete(k);
  }

  top(n: number): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  }
}

/** Distinct values per key (distinct sending IPs per user), bounded in keys and in values per key. */
export class DistinctCounter {
  private readonly sets = new Map<string, Set<string>>();
  constructor(
    private readonly maxKeys = 100_000,
    private readonly maxValuesPerKey = 10_000,
  ) {}

  add(key: string, value: string): void {
    let s = this.sets.get(key);
    if (s === undefined) {
      if (this.sets.size >= this.maxKeys) this.prune();
      s = new Set();
      this.sets.set(key, s);
    }
    if (s.size < this.maxValuesPerKey) s.add(value);
  }

  private prune(): void {
    const sizes = [...this.sets.values()].map((s) => s.size).sort((a, b) => a - b);
    const cut = sizes[Math.floor(sizes.length / 2)] ?? 0;
    for (const [k, s] of this.sets) if (s.size <= cut) this.sets.delete(k);
  }

  top(n: number): Array<[string, number]> {
    return [...this.sets]
      .map(([k, s]): [string, number] => [k, s.size])
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, n);
  }
}
