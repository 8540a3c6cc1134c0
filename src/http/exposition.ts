/**
 * Scrape conventions for the metrics route: which exposition format the client asked for, and
 * whether it takes gzip.
 *
 * Prometheus asks for OpenMetrics first (`Accept: application/openmetrics-text;version=1.0.0,
 * …;q=0.75,text/plain;version=0.0.4;q=0.5,*\/*;q=0.1`) and always sends `Accept-Encoding: gzip`.
 * curl and browsers send `*\/*` and get the classic text format.
 *
 * Why our own OpenMetrics writer instead of prom-client's: prom-client switches a whole registry
 * to OpenMetrics, and on each such render it renames every counter in place (it strips `_total`
 * from the metric object's name), so a later classic scrape of the same registry would print
 * counters without `_total`. Scrapes in both formats must be able to interleave, so the registry
 * stays in the classic format and this module writes OpenMetrics from the same `get()` values
 * (rules: the OpenMetrics 1.0 text format, "Text format" section of the specification).
 */
import type { Registry } from 'prom-client';

export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

export type ExpositionFormat = 'openmetrics' | 'text';

interface MediaRange {
  type: string;
  subtype: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  const out: MediaRange[] = [];
  // Bounded: a hostile header of thousands of entries costs one split, and only 64 are looked at.
  for (const part of header.split(',').slice(0, 64)) {
    const [range = '', ...paramParts] = part.split(';');
    const slash = range.trim().toLowerCase().split('/');
    if (slash.length !== 2) continue;
    const params = new Map<string, string>();
    let q = 1;
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const key = p.slice(0, eq).trim().toLowerCase();
      const value = p
        .slice(eq + 1)
        .trim()
        .replace(/^"(.*)"$/, '$1');
      if (key === 'q') {
        const n = Number(value);
        q = Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
      } else {
        params.set(key, value);
      }
    }
    out.push({ type: slash[0]!, subtype: slash[1]!, params, q });
  }
  return out;
}

/**
 * OpenMetrics when the client names `application/openmetrics-text` (version 1.0.0, or no
 * version) with a weight at least that of the classic format; the classic text format otherwise.
 * A wildcard alone never selects OpenMetrics: clients that do not name it may not parse it.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  if (accept === undefined || accept === '') return 'text';
  let om = 0;
  let text = 0;
  for (const r of parseAccept(accept)) {
    if (r.type === 'application' && r.subtype === 'openmetrics-text') {
      const version = r.params.get('version');
      if (version === undefined || version === '1.0.0') om = Math.max(om, r.q);
    } else if ((r.type === 'text' && (r.subtype === 'plain' || r.subtype === '*')) || (r.type === '*' && r.subtype === '*')) {
      text = Math.max(text, r.q);
    }
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

/** True when Accept-Encoding allows gzip (`gzip` or `*` with a non-zero weight, and gzip not refused). */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (acceptEncoding === undefined) return false;
  let gzip: number | null = null;
  let any: number | null = null;
  for (const part of acceptEncoding.split(',').slice(0, 64)) {
    const [name = '', ...params] = part.split(';');
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    const coding = name.trim().toLowerCase();
    if (coding === 'gzip' || coding === 'x-gzip') gzip = Math.max(gzip ?? 0, q);
    else if (coding === '*') any = Math.max(any ?? 0, q);
  }
  if (gzip !== null) return gzip > 0;
  return any !== null && any > 0;
}

/** What prom-client's metric objects (and the project's own tally families) return from get(). */
interface MetricValue {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}
interface MetricData {
  name: string;
  help: string;
  type: string;
  values?: MetricValue[];
}
interface Collectable {
  get(): Promise<MetricData> | MetricData;
}

/** The OpenMetrics exposition of every metric in the registry, ending in `# EOF`. */
export async function renderOpenMetrics(registry: Registry): Promise<string> {
  const metrics = registry.getMetricsAsArray() as unknown as Collectable[];
  const families = await Promise.all(metrics.map((m) => m.get()));
  const out: string[] = [];
  for (const f of families) renderFamily(f, out);
  out.push('# EOF\n');
  return out.join('');
}

function renderFamily(f: MetricData, out: string[]): void {
  const type = f.type === 'counter' || f.type === 'gauge' || f.type === 'histogram' || f.type === 'summary' ? f.type : 'unknown';
  // A counter family is named without `_total`; its samples carry it.
  const family = type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
  out.push(`# HELP ${family} ${escapeText(f.help)}\n`, `# TYPE ${family} ${type}\n`);
  for (const v of f.values ?? []) {
    let name = v.metricName ?? f.name;
    if (type === 'counter' && !name.endsWith('_total')) name = `${name}_total`;
    out.push(name, formatLabels(v.labels), ' ', formatValue(v.value), '\n');
  }
}

function formatLabels(labels: Record<string, string | number> | undefined): string {
  if (labels === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(labels)) parts.push(`${k}="${escapeText(String(v))}"`);
  return parts.length === 0 ? '' : `{${parts.join(',')}}`;
}

/** OpenMetrics escapes backslash, newline and double quote in help text and label values alike. */
function escapeText(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}
