/**
 * Samples the metric catalogue at every step of LOG time (the times written in the lines, never
 * the wall clock), as a Prometheus scraping the live exporter every `step` would have seen it.
 *
 * OpenMetrics wants each series' samples together (series after series, each in time order), while
 * the log gives all series at one time, then all at the next. So the values are kept per series in
 * chunked Float64Arrays until the end: 8 bytes per value, nothing per line read. Memory is
 * (number of steps) × (number of sampled values per step) × 8 bytes; see docs/backfill.md.
 */
import type { AnyFamily } from '../metrics/tally.js';

const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const SEP = '\u0001';

/** A growable list of numbers in fixed 8 KiB chunks: no copying as it grows, no object per value. */
export class Column {
  private readonly chunks: Float64Array[] = [];
  length = 0;

  push(v: number): void {
    const offset = this.length & (CHUNK - 1);
    if (offset === 0) this.chunks.push(new Float64Array(CHUNK));
    this.chunks[this.chunks.length - 1]![offset] = v;
    this.length++;
  }

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  last(): number {
    return this.get(this.length - 1);
  }
}

/** An unbroken run of samples of one series, from step `firstStep` on. */
export interface Segment {
  firstStep: number;
  /**
   * Counters and gauges: one column. Histograms: the cumulative count of each bucket in `buckets`
   * order, then +Inf, then sum, then count.
   */
  columns: Column[];
}

export interface SampledSeries {
  /** label values in the family's labelNames order */
  labels: readonly string[];
  /** normally one; a series that vanished from its family and came back has one per run */
  segments: Segment[];
}

export interface SampledFamily {
  family: AnyFamily;
  /** in order of first appearance */
  series: SampledSeries[];
}

export class Sampler {
  /** samples taken so far; sample i is step i */
  steps = 0;
  private readonly sampled: FamilyState[];
  /** the segments that received a value at the last step */
  private live: Segment[] = [];

  constructor(families: readonly AnyFamily[]) {
    this.sampled = families.map((family) => ({ family, series: [], index: new Map(), order: [] }));
  }

  /**
   * Takes one sample of every series. With `changed` false (nothing was recorded since the last
   * sample), every series repeats its last value without reading the families again, which makes
   * quiet hours and gaps between archives cheap.
   */
  sample(changed: boolean): void {
    if (!changed && this.steps > 0) {
      for (const seg of this.live) for (const c of seg.columns) c.push(c.last());
      this.steps++;
      return;
    }
    const live: Segment[] = [];
    for (const f of this.sampled) {
      const snap = f.family.snapshot();
      if (snap.type === 'histogram') {
        const nBuckets = (f.family as { buckets: readonly number[] }).buckets.length + 1;
        const rows = snap.buckets ?? [];
        for (let r = 0; r < rows.length; r++) {
          const [labels, counts, sum, count] = rows[r]!;
          const seg = this.segmentFor(f, r, labels, nBuckets + 2);
          let cumulative = 0;
          for (let i = 0; i < nBuckets; i++) {
            cumulative += counts[i] ?? 0;
            seg.columns[i]!.push(cumulative);
          }
          seg.columns[nBuckets]!.push(sum);
          seg.columns[nBuckets + 1]!.push(count);
          live.push(seg);
        }
      } else {
        for (let r = 0; r < snap.series.length; r++) {
          const [labels, value] = snap.series[r]!;
          const seg = this.segmentFor(f, r, labels, 1);
          seg.columns[0]!.push(value);
          live.push(seg);
        }
      }
    }
    this.live = live;
    this.steps++;
  }

  families(): readonly SampledFamily[] {
    return this.sampled;
  }

  /** Number of values held (for the memory figure: × 8 bytes). */
  values(): number {
    let n = 0;
    for (const f of this.sampled) for (const s of f.series) for (const seg of s.segments) n += seg.columns.length * (seg.columns[0]?.length ?? 0);
    return n;
  }

  /** The segment to append to for the series at `row` of this snapshot with these labels. */
  private segmentFor(f: FamilyState, row: number, labels: readonly string[], width: number): Segment {
    // Snapshots list series in the same order each time, so the series at this row last time is
    // almost always the one: comparing a few string references is cheaper than a keyed lookup.
    let series = f.order[row];
    if (series === undefined || !sameLabels(series.labels, labels)) {
      const key = labels.length === 1 ? labels[0]! : labels.join(SEP);
      series = f.index.get(key);
      if (series === undefined) {
        series = { labels: labels.slice(), segments: [] };
        f.index.set(key, series);
        f.series.push(series);
      }
      f.order[row] = series;
    }
    let seg = series.segments[series.segments.length - 1];
    // A series missing at the previous step starts a new run rather than pretending it was there.
    if (seg === undefined || seg.firstStep + (seg.columns[0]?.length ?? 0) !== this.steps) {
      seg = { firstStep: this.steps, columns: Array.from({ length: width }, () => new Column()) };
      series.segments.push(seg);
    }
    return seg;
  }
}

interface FamilyState extends SampledFamily {
  series: SampledSeries[];
  index: Map<string, SampledSeries>;
  /** the series at each row of the last snapshot */
  order: SampledSeries[];
}

function sameLabels(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Turns line times into samples: before the first update at or after a step boundary B is
 * recorded, the catalogue is sampled at B, so the sample at B holds exactly the lines written
 * before B. A jump over several boundaries samples each of them (the values stay flat, so graphs
 * have no staleness gaps). Times outside `validSeconds` (garbage, a clock far in the future) and
 * times earlier than the clock do not move it: such a line counts towards the next sample.
 */
export class StepClock {
  /** ms of the first sample, NaN before the first time was seen */
  startMs = Number.NaN;
  private nextMs = Number.NaN;

  constructor(
    readonly stepMs: number,
    private readonly validSeconds: { min: number; max: number },
    private readonly onBoundary: () => void,
  ) {}

  get started(): boolean {
    return !Number.isNaN(this.startMs);
  }

  /** Call with a line's or event's time before recording it. */
  advance(timeSeconds: number | null): void {
    if (timeSeconds === null || !(timeSeconds >= this.validSeconds.min && timeSeconds <= this.validSeconds.max)) return;
    const ms = timeSeconds * 1000;
    if (ms < this.nextMs) return;
    if (Number.isNaN(this.nextMs)) {
      this.startMs = Math.floor(ms / this.stepMs) * this.stepMs;
      this.nextMs = this.startMs;
    }
    while (ms >= this.nextMs) {
      this.onBoundary();
      this.nextMs += this.stepMs;
    }
  }

  /** End of input: one last sample at the next boundary, holding everything recorded. */
  finish(): void {
    if (!this.started) return;
    this.onBoundary();
    this.nextMs += this.stepMs;
  }

  /** The time of sample i. */
  timeOfStep(i: number): number {
    return this.startMs + i * this.stepMs;
  }
}
