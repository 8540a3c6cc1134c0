import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { formatTimestamp, formatValue, openMetricsDescriptor, writeOpenMetrics } from '../../src/backfill/openmetrics.js';
import { Sampler } from '../../src/backfill/sampler.js';
import { CounterFamily, GaugeFamily, HistogramFamily } from '../../src/metrics/tally.js';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';

test('numbers and timestamps are written as OpenMetrics wants them', () => {
  assert.equal(formatValue(3), '3');
  assert.equal(formatValue(0.25), '0.25');
  assert.equal(formatValue(1e21), '1e+21');
  assert.equal(formatValue(Number.NaN), 'NaN');
  assert.equal(formatValue(Infinity), '+Inf');
  assert.equal(formatValue(-Infinity), '-Inf');
  assert.equal(formatTimestamp(1_700_000_060_000), '1700000060');
  assert.equal(formatTimestamp(1_700_000_060_500), '1700000060.5');
  assert.equal(formatTimestamp(1_700_000_060_005), '1700000060.005');
});

test('counter families drop _total, units come from the name', () => {
  assert.deepEqual(openMetricsDescriptor({ name: 'qmail_deliveries_total', type: 'counter' }), { name: 'qmail_deliveries', type: 'counter', unit: null });
  assert.deepEqual(openMetricsDescriptor({ name: 'qmail_odd', type: 'counter' }), { name: 'qmail_odd', type: 'unknown', unit: null });
  assert.deepEqual(openMetricsDescriptor({ name: 'qmail_queue_message_size_bytes', type: 'histogram' }), {
    name: 'qmail_queue_message_size_bytes',
    type: 'histogram',
    unit: 'bytes',
  });
  assert.deepEqual(openMetricsDescriptor({ name: 'qmail_exporter_last_line_timestamp_seconds', type: 'gauge' }), {
    name: 'qmail_exporter_last_line_timestamp_seconds',
    type: 'gauge',
    unit: 'seconds',
  });
});

/** Three families over three steps, with escaping, a late series and a gap. */
async function tinyExposition(): Promise<string> {
  const reg = new Registry();
  const deliveries = new CounterFamily<readonly [result: string]>(reg, 'qmail_t_deliveries_total', 'Delivery results ("delivery N: ...") \\ by result.', ['result'] as const);
  const size = new HistogramFamily<readonly []>(reg, 'qmail_t_size_bytes', 'Sizes.', [] as const, [1024, 4096]);
  const active = new GaugeFamily<readonly [listener: string]>(reg, 'qmail_t_active', 'Active.', ['listener'] as const);
  const sampler = new Sampler([deliveries, size, active]);
  deliveries.preset('success');
  size.preset();
  active.set(['smtp "25"'], 2);
  sampler.sample(true);
  deliveries.inc(['success'], 3);
  deliveries.inc(['failure']);
  size.observe([], 100);
  size.observe([], 5000.5);
  active.clear();
  sampler.sample(true);
  active.set(['smtp "25"'], 5);
  sampler.sample(true);
  const chunks: Buffer[] = [];
  await writeOpenMetrics(
    {
      families: sampler.families(),
      timeOfStep: (i) => 1_700_000_000_000 + i * 60_000,
      extraLabels: [
        ['instance', 'mail:9399'],
        ['job', 'qmail'],
      ],
    },
    async (chunk) => {
      chunks.push(Buffer.from(chunk)); // the writer reuses its buffer
    },
  );
  return Buffer.concat(chunks).toString('utf8');
}

test('the writer groups each series and each point, and ends with # EOF', async () => {
  const text = await tinyExposition();
  const L = '{instance="mail:9399",job="qmail"}';
  const want = [
    '# TYPE qmail_t_deliveries counter',
    '# HELP qmail_t_deliveries Delivery results (\\"delivery N: ...\\") \\\\ by result.',
    'qmail_t_deliveries_total{result="success",instance="mail:9399",job="qmail"} 0 1700000000',
    'qmail_t_deliveries_total{result="success",instance="mail:9399",job="qmail"} 3 1700000060',
    'qmail_t_deliveries_total{result="success",instance="mail:9399",job="qmail"} 3 1700000120',
    'qmail_t_deliveries_total{result="failure",instance="mail:9399",job="qmail"} 1 1700000060',
    'qmail_t_deliveries_total{result="failure",instance="mail:9399",job="qmail"} 1 1700000120',
    '# TYPE qmail_t_size_bytes histogram',
    '# UNIT qmail_t_size_bytes bytes',
    '# HELP qmail_t_size_bytes Sizes.',
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="1024"} 0 1700000000`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="4096"} 0 1700000000`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="+Inf"} 0 1700000000`,
    `qmail_t_size_bytes_sum${L} 0 1700000000`,
    `qmail_t_size_bytes_count${L} 0 1700000000`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="1024"} 1 1700000060`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="4096"} 1 1700000060`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="+Inf"} 2 1700000060`,
    `qmail_t_size_bytes_sum${L} 5100.5 1700000060`,
    `qmail_t_size_bytes_count${L} 2 1700000060`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="1024"} 1 1700000120`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="4096"} 1 1700000120`,
    `qmail_t_size_bytes_bucket{instance="mail:9399",job="qmail",le="+Inf"} 2 1700000120`,
    `qmail_t_size_bytes_sum${L} 5100.5 1700000120`,
    `qmail_t_size_bytes_count${L} 2 1700000120`,
    '# TYPE qmail_t_active gauge',
    '# HELP qmail_t_active Active.',
    'qmail_t_active{listener="smtp \\"25\\"",instance="mail:9399",job="qmail"} 2 1700000000',
    'qmail_t_active{listener="smtp \\"25\\"",instance="mail:9399",job="qmail"} 5 1700000120',
    '# EOF',
    '',
  ].join('\n');
  assert.equal(text, want);
});

test('promtool imports the writer output and dumps the same samples', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-backfill-om-'));
  try {
    const file = join(dir, 'tiny.om');
    writeFileSync(file, await tinyExposition());
    const tsdb = join(dir, 'tsdb');
    execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, tsdb], { stdio: 'pipe' });
    mkdirSync(join(tsdb, 'wal'));
    const dump = execFileSync(PROMTOOL, ['tsdb', 'dump', tsdb], { encoding: 'utf8' });
    const lines = dump.trim().split('\n').sort();
    assert.equal(lines.length, 22, dump);
    assert.ok(lines.includes('{__name__="qmail_t_deliveries_total", instance="mail:9399", job="qmail", result="failure"} 1 1700000120000'), dump);
    assert.ok(lines.includes('{__name__="qmail_t_size_bytes_bucket", instance="mail:9399", job="qmail", le="+Inf"} 2 1700000060000'), dump);
    assert.ok(lines.includes('{__name__="qmail_t_size_bytes_sum", instance="mail:9399", job="qmail"} 5100.5 1700000120000'), dump);
    assert.ok(lines.includes('{__name__="qmail_t_active", instance="mail:9399", job="qmail", listener="smtp \\"25\\""} 2 1700000000000'), dump);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
