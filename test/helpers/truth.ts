/** Expected exposition values from a simulator truth, shared by the end-to-end tests. */
import type { Truth } from '../../src/sim/truth.js';
import { seriesKey } from '../../src/metrics/series-key.js';

/** Counter families the simulator models completely: every non-zero series must be in its truth. */
const MODELLED = [
  'qmail_smtp_recipients_total',
  'qmail_smtp_senders_total',
  'qmail_auth_attempts_total',
  'qmail_queue_messages_total',
  'qmail_deliveries_started_total',
  'qmail_deliveries_total',
  'qmail_bounces_total',
  'qmail_connections_total',
  'qmail_rbl_rejections_total',
];

export function expectedFromTruth(truth: Truth): Record<string, number> {
  const want: Record<string, number> = { ...truth.counters, ...truth.gauges };
  for (const [r, n] of Object.entries(truth.lineResults)) want[seriesKey('qmail_exporter_log_lines_total', { result: r })] = n;
  for (const [name, h] of Object.entries(truth.histograms)) {
    want[`${name}_count`] = h.count;
    want[`${name}_sum`] = h.sum;
  }
  want['qmail_exporter_last_line_timestamp_seconds'] = truth.lastLineTime;
  return want;
}

export function unexpectedSeries(truth: Truth, actual: Map<string, number>): string[] {
  const out: string[] = [];
  for (const [key, value] of actual) {
    const name = key.split('{')[0]!;
    if (MODELLED.includes(name) && value !== 0 && truth.counters[key] === undefined) out.push(`${key} = ${value} is not in the truth`);
  }
  return out;
}

