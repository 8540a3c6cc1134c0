/**
 * Writes sampled series as OpenMetrics text with timestamps, the input of
 * `promtool tsdb create-blocks-from openmetrics`.
 *
 * What OpenMetrics 1.0 asks and this follows: families are not interleaved, nor are the series
 * inside a family, nor the samples of one point in time (a histogram's buckets, sum and count);
 * each series' timestamps increase; a counter family is named without `_total` and its samples
 * with it; the text ends with `# EOF`. Sample names and label values are written exactly as the
 * live exporter's /metrics shows them (le="1024", not the canonical "1024.0"), so the backfilled
 * series are the very series Prometheus stores from the live scrape.
 */
import type { AnyFamily } from '../metrics/tally.js';
import type { SampledFamily } from './sampler.js';

/**
 * Receives the UTF-8 text in pieces of about FLUSH_BYTES bytes, in order. The writer reuses the
 * buffer once the returned promise settles: the sink must be done with it by then.
 */
export type TextSink = (chunk: Buffer) => Promise<void>;

const FLUSH_BYTES = 1 << 20;

export interface OpenMetricsInput {
  families: readonly SampledFamily[];
  /** Unix ms of sample i */
  timeOfStep(i: number): number;
  /** added to every series after the family's own labels, e.g. [['instance','mail:9399'],['job','qmail']] */
  extraLabels: ReadonlyArray<readonly [string, string]>;
}

export interface OpenMetricsStats {
  samples: number;
  series: number;
  bytes: number;
}

/** The family name, TYPE and UNIT OpenMetrics wants for one catalogue family. */
export function openMetricsDescriptor(f: Pick<AnyFamily, 'name' | 'type'>): { name: string; type: string; unit: string | null } {
  let name = f.name;
  let type: string = f.type;
  if (f.type === 'counter') {
    // OpenMetrics puts `_total` on the sample, not the family. A counter named otherwise cannot be a
    // counter in OpenMetrics without renaming its series; 'unknown' keeps the name it has when scraped.
    if (name.endsWith('_total')) name = name.slice(0, -'_total'.length);
    else type = 'unknown';
  }
  const unit = type === 'unknown' ? null : (/_(seconds|bytes)$/.exec(name)?.[1] ?? null);
  return { name, type, unit };
}

/** OpenMetrics' escaped-string, used for label values and HELP text alike. */
export function escapeString(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Unix ms → OpenMetrics seconds, without float noise ('1700000060', '1700000060.5'). */
export function formatTimestamp(ms: number): string {
  if (ms % 1000 === 0) return String(ms / 1000);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0').replace(/0+$/, '')}`;
}

function labelText(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${escapeString(v)}"`).join(',')}}`;
}

/** The sample name and label text of each column of one series, in Segment.columns order. */
function columnPrefixes(family: AnyFamily, labels: readonly string[], extra: ReadonlyArray<readonly [string, string]>): string[] {
  const own: Array<readonly [string, string]> = family.labelNames.map((n, i) => [n, labels[i] ?? ''] as const);
  const base = [...own, ...extra];
  if (family.type !== 'histogram') return [`${family.name}${labelText(base)} `];
  const buckets = (family as { buckets: readonly number[] }).buckets;
  const out = buckets.map((b) => `${family.name}_bucket${labelText([...base, ['le', String(b)]])} `);
  out.push(`${family.name}_bucket${labelText([...base, ['le', '+Inf']])} `);
  out.push(`${family.name}_sum${labelText(base)} `);
  out.push(`${family.name}_count${labelText(base)} `);
  return out;
}

/** Writes the whole exposition, `# EOF` included, through `sink`. */
export async function writeOpenMetrics(input: OpenMetricsInput, sink: TextSink): Promise<OpenMetricsStats> {
  const stats: OpenMetricsStats = { samples: 0, series: 0, bytes: 0 };
  // Lines are encoded straight into one reused buffer: about twice as fast as concatenating a big
  // string and encoding it, which matters at millions of lines per archive.
  let buf = Buffer.allocUnsafe(FLUSH_BYTES * 2);
  let pos = 0;
  const flush = async (): Promise<void> => {
    if (pos === 0) return;
    stats.bytes += pos;
    await sink(buf.subarray(0, pos));
    pos = 0;
  };
  const put = (line: string): void => {
    // a UTF-16 unit is at most 3 UTF-8 bytes; a HELP line longer than the buffer gets a bigger one
    if (pos + line.length * 3 > buf.length) buf = Buffer.concat([buf.subarray(0, pos), Buffer.allocUnsafe(line.length * 3 + FLUSH_BYTES)]);
    pos += buf.write(line, pos);
  };
  // Every series repeats the same few timestamps: format each once.
  const tsCache = new Map<number, string>();
  const ts = (step: number): string => {
    let s = tsCache.get(step);
    if (s === undefined) tsCache.set(step, (s = ` ${formatTimestamp(input.timeOfStep(step))}\n`));
    return s;
  };

  for (const { family, series } of input.families) {
    const d = openMetricsDescriptor(family);
    put(`# TYPE ${d.name} ${d.type}\n`);
    if (d.unit !== null) put(`# UNIT ${d.name} ${d.unit}\n`);
    put(`# HELP ${d.name} ${escapeString(family.help)}\n`);
    for (const s of series) {
      const prefixes = columnPrefixes(family, s.labels, input.extraLabels);
      stats.series += prefixes.length;
      for (const seg of s.segments) {
        const n = seg.columns[0]?.length ?? 0;
        for (let i = 0; i < n; i++) {
          const t = ts(seg.firstStep + i);
          for (let c = 0; c < prefixes.length; c++) put(prefixes[c]! + formatValue(seg.columns[c]!.get(i)) + t);
          stats.samples += prefixes.length;
          if (pos >= FLUSH_BYTES) await flush();
        }
      }
    }
  }
  put('# EOF\n');
  await flush();
  return stats;
}
