/**
 * A small reader of the Prometheus text exposition format (version 0.0.4), enough for the Nagios
 * plugin to read qmail_exporter's /metrics without loading prom-client: samples with their
 * labels and value, and the metric families declared by `# TYPE` lines (so that "no series" can
 * be told apart from "not exported at all"). Lines it cannot read are counted, never thrown.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  /** family name → type, from `# TYPE name type` lines */
  types: Map<string, string>;
  /** lines that are neither comments nor readable samples */
  unreadable: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

/** A sample value. NaN and Inf in any case, as Prometheus reads them (prom-client writes 'Nan'). */
function parseValue(text: string): number | null {
  switch (text.toLowerCase()) {
    case 'nan':
      return Number.NaN;
    case '+inf':
    case 'inf':
      return Infinity;
    case '-inf':
      return -Infinity;
    default: {
      if (!/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return null;
      return Number(text);
    }
  }
}

/** One sample line, or null when it cannot be read. */
export function parseSampleLine(line: string): Sample | null {
  const nameMatch = NAME.exec(line);
  if (nameMatch === null) return null;
  const name = nameMatch[0];
  let i = name.length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const labelMatch = LABEL_NAME.exec(line.slice(i));
      if (labelMatch === null) return null;
      const labelName = labelMatch[0];
      i += labelName.length;
      if (line[i] !== '=' || line[i + 1] !== '"') return null;
      i += 2;
      let value = '';
      for (;;) {
        const c = line[i];
        if (c === undefined) return null;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const next = line[i + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else return null;
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      labels[labelName] = value;
      while (line[i] === ' ') i++;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') return null;
    }
  }
  const fields = line.slice(i).trim().split(/\s+/);
  if (fields.length < 1 || fields.length > 2 || fields[0] === '') return null;
  const value = parseValue(fields[0]!);
  if (value === null) return null;
  return { name, labels, value };
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  let unreadable = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m !== null) types.set(m[1]!, m[2]!);
      continue;
    }
    const sample = parseSampleLine(line);
    if (sample === null) unreadable++;
    else samples.push(sample);
  }
  return { samples, types, unreadable };
}

/** Sum of the samples of `name` whose labels equal every entry of `match` (0 when none). */
export function sumSamples(samples: readonly Sample[], name: string, match: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const s of samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}
