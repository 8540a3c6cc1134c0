/**
 * Metric families that count in plain memory and render through a prom-client Registry.
 *
 * Why not prom-client's Counter directly: its `inc(labels)` re-hashes the label object on every
 * call (about 270 ns when we measured it), which alone would halve our line rate. These families key
 * series by a pre-joined string, so the hot path is one Map lookup and an add; prom-client still
 * formats the exposition (they implement the `get()` it calls on scrape). They also snapshot and
 * restore exactly, which checkpoints need and prom-client cannot do for histograms.
 */
import type { Registry } from 'prom-client';

/** What prom-client's Registry reads from a metric on scrape. */
interface RenderedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}
interface Rendered {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  values: RenderedValue[];
  aggregator: 'sum';
}

const SEP = '\u0001';

interface Series {
  labels: readonly string[];
  value: number;
}

/** The serialisable state of one family: label values and value per series (histograms: see HistogramFamily). */
export interface FamilySnapshot {
  type: 'counter' | 'gauge' | 'histogram';
  series: Array<[string[], number]>;
  buckets?: Array<[string[], number[], number, number]>; // labels, per-bucket counts, sum, count
}

/**
 * The label values of a family's series, in labelNames order: a tuple such as
 * `[listener: string, case: RecipientCase, reason: RecipientReason]`, so that label arguments given
 * in the wrong order, or from the wrong vocabulary, do not compile.
 */
export type LabelValues = readonly string[];
/** One name per label value. */
export type LabelNames<V extends LabelValues> = { readonly [K in keyof V]: string };

abstract class Family<V extends LabelValues> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** The number of labels, for the type checker only: incN() is callable on a family of N labels. */
  declare readonly labelCount: V['length'];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  /** prom-client reads this when it aggregates across workers; we never do. */
  readonly aggregator = 'sum';

  constructor(registry: Registry, name: string, help: string, labelNames: LabelNames<V>) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    // prom-client's types only list its own classes; any object with name/type/get() renders.
    registry.registerMetric(this as never);
  }

  abstract get(): Promise<Rendered>;
  abstract reset(): void;
  abstract snapshot(): FamilySnapshot;
  abstract restore(s: FamilySnapshot): void;

  protected labelObject(values: readonly string[]): Record<string, string> {
    const o: Record<string, string> = {};
    for (let i = 0; i < this.labelNames.length; i++) o[this.labelNames[i]!] = values[i] ?? '';
    return o;
  }
}

/**
 * Shared by counters and gauges: one number per label set. Series are found through one Map per
 * label (label values come from small vocabularies), so counting builds no key string and no array:
 * the hot path is at most three Map lookups and an add.
 */
abstract class ScalarFamily<V extends LabelValues> extends Family<V> {
  /** every series, in creation order, for rendering and snapshots */
  protected readonly series = new Map<string, Series>();
  private readonly index = new Map<string, unknown>();
  private only: Series | null = null;

  protected slot(values: readonly string[]): Series {
    switch (values.length) {
      case 0:
        return this.slot0();
      case 1:
        return this.slot1(values[0]!);
      case 2:
        return this.slot2(values[0]!, values[1]!);
      case 3:
        return this.slot3(values[0]!, values[1]!, values[2]!);
      default:
        return this.create(values);
    }
  }

  /** Forget every series, lookups included (a later series with the same labels starts anew). */
  protected dropAll(): void {
    this.series.clear();
    this.index.clear();
    this.only = null;
  }

  private create(values: readonly string[]): Series {
    const key = values.join(SEP);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: values.slice(), value: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  protected slot0(): Series {
    return (this.only ??= this.create([]));
  }

  protected slot1(a: string): Series {
    let s = this.index.get(a) as Series | undefined;
    if (s === undefined) this.index.set(a, (s = this.create([a])));
    return s;
  }

  protected slot2(a: string, b: string): Series {
    let m = this.index.get(a) as Map<string, Series> | undefined;
    if (m === undefined) this.index.set(a, (m = new Map()));
    let s = m.get(b);
    if (s === undefined) m.set(b, (s = this.create([a, b])));
    return s;
  }

  protected slot3(a: string, b: string, c: string): Series {
    let m = this.index.get(a) as Map<string, Map<string, Series>> | undefined;
    if (m === undefined) this.index.set(a, (m = new Map()));
    let n = m.get(b);
    if (n === undefined) m.set(b, (n = new Map()));
    let s = n.get(c);
    if (s === undefined) n.set(c, (s = this.create([a, b, c])));
    return s;
  }

  /** Make the series visible at 0 before its first event (Prometheus best practice). */
  preset(...values: V): void {
    this.slot(values);
  }

  value(...values: V): number {
    return this.series.get(values.join(SEP))?.value ?? 0;
  }

  async get(): Promise<Rendered> {
    const values: RenderedValue[] = [];
    for (const s of this.series.values()) values.push({ labels: this.labelObject(s.labels), value: s.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  reset(): void {
    for (const s of this.series.values()) s.value = 0;
  }

  snapshot(): FamilySnapshot {
    return { type: this.type, series: [...this.series.values()].map((s) => [s.labels.slice(), s.value]) };
  }

  restore(snap: FamilySnapshot): void {
    for (const [labels, value] of snap.series) {
      if (labels.length === this.labelNames.length && Number.isFinite(value)) this.slot(labels).value = value;
    }
  }
}

export class CounterFamily<V extends LabelValues = LabelValues> extends ScalarFamily<V> {
  readonly type = 'counter' as const;

  /** Adds n (default 1) to the series with these label values, in labelNames order. */
  inc(values: V, n = 1): void {
    this.slot(values).value += n;
  }

  /** The hot-path forms: the label values as arguments, no array. */
  inc0(this: { labelCount: 0 } & CounterFamily<V>, n = 1): void {
    this.slot0().value += n;
  }

  inc1(this: { labelCount: 1 } & CounterFamily<V>, a: V[0], n = 1): void {
    this.slot1(a).value += n;
  }

  inc2(this: { labelCount: 2 } & CounterFamily<V>, a: V[0], b: V[1], n = 1): void {
    this.slot2(a, b).value += n;
  }

  inc3(this: { labelCount: 3 } & CounterFamily<V>, a: V[0], b: V[1], c: V[2], n = 1): void {
    this.slot3(a, b, c).value += n;
  }
}

export class GaugeFamily<V extends LabelValues = LabelValues> extends ScalarFamily<V> {
  readonly type = 'gauge' as const;

  set(values: V, v: number): void {
    this.slot(values).value = v;
  }

  inc(values: V, n = 1): void {
    this.slot(values).value += n;
  }

  /** Drop every series (for gauges recomputed wholesale). */
  clear(): void {
    this.dropAll();
  }
}

interface HistogramSeries {
  labels: readonly string[];
  counts: number[]; // per bucket, not cumulative; last slot is +Inf
  sum: number;
  count: number;
}

export class HistogramFamily<V extends LabelValues = LabelValues> extends Family<V> {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  private readonly series = new Map<string, HistogramSeries>();

  constructor(registry: Registry, name: string, help: string, labelNames: LabelNames<V>, buckets: readonly number[]) {
    super(registry, name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  private slot(values: readonly string[]): HistogramSeries {
    const key = values.join(SEP);
    let s = this.series.get(key);
    if (s === undefined) {
      s = { labels: values.slice(), counts: new Array<number>(this.buckets.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    return s;
  }

  preset(...values: V): void {
    this.slot(values);
  }

  observe(values: V, v: number): void {
    if (!Number.isFinite(v)) return;
    const s = this.slot(values);
    const b = this.buckets;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    s.counts[i]! += 1;
    s.sum += v;
    s.count += 1;
  }

  stats(...values: V): { count: number; sum: number } {
    const s = this.series.get(values.join(SEP));
    return { count: s?.count ?? 0, sum: s?.sum ?? 0 };
  }

  async get(): Promise<Rendered> {
    const values: RenderedValue[] = [];
    for (const s of this.series.values()) {
      const labels = this.labelObject(s.labels);
      let cumulative = 0;
      for (let i = 0; i < this.buckets.length; i++) {
        cumulative += s.counts[i]!;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: this.buckets[i]! }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: s.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  reset(): void {
    for (const s of this.series.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }

  snapshot(): FamilySnapshot {
    return {
      type: 'histogram',
      series: [],
      buckets: [...this.series.values()].map((s) => [s.labels.slice(), s.counts.slice(), s.sum, s.count]),
    };
  }

  restore(snap: FamilySnapshot): void {
    for (const [labels, counts, sum, count] of snap.buckets ?? []) {
      if (labels.length !== this.labelNames.length || counts.length !== this.buckets.length + 1) continue;
      const s = this.slot(labels);
      s.counts = counts.map((c) => (Number.isFinite(c) ? c : 0));
      s.sum = sum;
      s.count = count;
    }
  }
}

export type AnyFamily = CounterFamily | GaugeFamily | HistogramFamily;
