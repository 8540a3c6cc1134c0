/**
 * Reads a scraped exposition into a map keyed like src/metrics/series-key.ts (label names sorted),
 * so scraped values can be compared with a simulator's truth whatever the label order. The lines are
 * read by the exporter's own exposition reader (src/nagios/exposition.ts), the one reader the
 * repository has; a line it cannot read fails the test.
 */
import { parseExposition, parseSampleLine } from '../../src/nagios/exposition.js';
import { seriesKey } from '../../src/metrics/series-key.js';

export function readSeries(text: string): Map<string, number> {
  const expo = parseExposition(text);
  if (expo.unreadable > 0) {
    const bad = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#') && parseSampleLine(l.trim()) === null);
    throw new Error(`${expo.unreadable} exposition lines could not be read: ${bad.slice(0, 3).map((l) => JSON.stringify(l)).join(' ')}`);
  }
  const out = new Map<string, number>();
  for (const s of expo.samples) out.set(seriesKey(s.name, s.labels), s.value);
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
