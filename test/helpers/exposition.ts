/**
 * Reads Prometheus text exposition into a map keyed like src/metrics/series-key.ts (label names
 * sorted), so scraped values can be compared with a simulator's truth whatever the label order.
 */
import { seriesKey } from '../../src/metrics/series-key.js';

export function parseExposition(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.lastIndexOf(' ');
    let name: string;
    const labels: Record<string, string> = {};
    if (brace >= 0 && brace < space) {
      name = line.slice(0, brace);
      const end = line.lastIndexOf('}');
      const body = line.slice(brace + 1, end);
      let i = 0;
      while (i < body.length) {
        const eq = body.indexOf('=', i);
        const key = body.slice(i, eq).replace(/^,/, '').trim();
        let j = eq + 2; // after ="
        let value = '';
        while (j < body.length && body[j] !== '"') {
          if (body[j] === '\\') {
            const next = body[j + 1];
            value += next === 'n' ? '\n' : (next ?? '');
            j += 2;
          } else value += body[j++];
        }
        labels[key] = value;
        i = j + 1;
        if (body[i] === ',') i++;
      }
    } else {
      name = line.slice(0, space);
    }
    out.set(seriesKey(name, labels), Number(line.slice(space + 1)));
  }
  return out;
}

/** Differences between expected values and a parsed exposition, as readable lines (empty = equal). */
export function diffAgainst(expected: Record<string, number>, actual: Map<string, number>): string[] {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = actual.get(key);
    if (got === undefined) problems.push(`missing ${key} (want ${want})`);
    else if (Math.abs(got - want) > 1e-6 * Math.max(1, Math.abs(want))) problems.push(`${key}: got ${got}, want ${want}`);
  }
  return problems;
}
