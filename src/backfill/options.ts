/**
 * The `backfill` command's own settings: the sampling step and the extra labels. Both are checked
 * before any file is read, and a bad value throws a ConfigError naming the flag.
 */
import { parseDuration } from '../config.js';
import { ConfigError } from '../errors.js';

/** Below a second the output grows with no gain: mail logs stamp whole seconds or microseconds. */
export const MIN_STEP_MS = 1000;
/**
 * Prometheus looks back at most 5 minutes (--query.lookback-delta) for an instant value; samples
 * further apart than that leave holes in every graph, which is what backfilling is meant to avoid.
 */
export const MAX_STEP_MS = 5 * 60_000;

/** `--step` text ('60s', '1m', '1m30s') → milliseconds, within [MIN_STEP_MS, MAX_STEP_MS]. */
export function parseStep(text: string): number {
  const ms = parseDuration(text.trim());
  if (ms === null) throw new ConfigError('QX_CONFIG_INVALID', `--step: '${text}' is not a duration (e.g. 15s, 60s, 1m30s)`, { details: { flag: '--step' } });
  if (ms < MIN_STEP_MS || ms > MAX_STEP_MS) {
    throw new ConfigError(
      'QX_CONFIG_INVALID',
      `--step: must be from 1s to 5m, not '${text}' (Prometheus looks back 5m for a value, so longer steps leave gaps in graphs)`,
      { details: { flag: '--step' } },
    );
  }
  return ms;
}

const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Repeated `--label key=value` → ordered [name, value] pairs, added to every series written.
 * A name must be a valid Prometheus label name, not reserved (`__` prefix), not given twice, and not
 * one the catalogue already uses (`reserved`: listener, result, le, ...), since the same name twice
 * in one series is invalid. The value is everything after the first '=' and must not be empty (an
 * empty value is the same as no label in Prometheus).
 */
export function parseExtraLabels(specs: readonly string[], reserved: ReadonlySet<string>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const name = eq < 0 ? spec : spec.slice(0, eq);
    const value = eq < 0 ? '' : spec.slice(eq + 1);
    const fail = (why: string): never => {
      throw new ConfigError('QX_CONFIG_INVALID', `--label: '${spec}' ${why}`, { details: { flag: '--label' } });
    };
    if (eq < 0) fail('is not key=value');
    if (!LABEL_NAME_RE.test(name)) fail(`has an invalid label name (must match ${LABEL_NAME_RE.source})`);
    if (name.startsWith('__')) fail('uses a reserved label name (names starting with __ belong to Prometheus)');
    if (reserved.has(name)) fail(`clashes with the exporter's own '${name}' label`);
    if (seen.has(name)) fail(`repeats the label '${name}'`);
    if (value === '') fail('has an empty value');
    seen.add(name);
    out.push([name, value]);
  }
  return out;
}
