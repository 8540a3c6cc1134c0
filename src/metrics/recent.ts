/**
 * Counts over the last hour for the landing page, from counters that only ever grow: the totals
 * are sampled at most once a minute into a ring bounded by the window (61 entries for an hour),
 * and "the last hour" is the live total minus the oldest sample still inside the window. Right
 * after start the window is shorter than an hour, and says so (`seconds`), rather than counting
 * values restored from a checkpoint as recent.
 *
 * The clock is injected and sample() is called by the service's status timer; tests call it by hand.
 */
export interface RecentWindow<K extends string> {
  /** Take a sample if the last one is at least a step old (the first call always samples). */
  sample(): void;
  /** Growth of each key over the window, and how many seconds the window really covers. */
  recent(): { seconds: number; counts: Record<K, number> };
}

export interface RecentOptions<K extends string> {
  keys: readonly K[];
  /** current totals; keys absent count as 0 */
  read: () => Partial<Record<K, number>>;
  now: () => number;
  /** default one hour */
  windowMs?: number;
  /** default one minute */
  stepMs?: number;
}

export function createRecentWindow<K extends string>(opts: RecentOptions<K>): RecentWindow<K> {
  const windowMs = opts.windowMs ?? 3_600_000;
  const stepMs = opts.stepMs ?? 60_000;
  const samples: Array<{ t: number; totals: Partial<Record<K, number>> }> = [];

  return {
    sample() {
      const t = opts.now();
      const last = samples[samples.length - 1];
      if (last !== undefined && t - last.t < stepMs) return;
      samples.push({ t, totals: { ...opts.read() } });
      // Keep only samples inside the window, and always the newest one.
      while (samples.length > 1 && samples[0]!.t < t - windowMs) samples.shift();
    },
    recent() {
      const t = opts.now();
      const totals = opts.read();
      const base = samples.find((s) => s.t >= t - windowMs) ?? samples[samples.length - 1];
      const counts = {} as Record<K, number>;
      for (const k of opts.keys) counts[k] = base === undefined ? 0 : Math.max(0, (totals[k] ?? 0) - (base.totals[k] ?? 0));
      return { seconds: base === undefined ? 0 : Math.round((t - base.t) / 1000), counts };
    },
  };
}
