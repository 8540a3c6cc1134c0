/**
 * `backfill` end to end: two rotated weekly logs from the simulator (one gzipped, given in the
 * wrong order) → OpenMetrics → the real `promtool tsdb create-blocks-from openmetrics` → a real
 * Prometheus on the blocks, queried at chosen evaluation times. The values must be the
 * simulator's truth: counters at the end of each week, and each chosen hour's increments.
 *
 * Every hour is checked with `x - x offset 1h` at step-aligned times, the raw difference of two
 * samples: the sample at a boundary B holds exactly the lines before B, so the difference between
 * the samples at H and H+1h is exactly what the lines of [H, H+1h) added. increase(x[1h]) would
 * not be exact: it only sees the samples inside the window (from H+step on) and extrapolates.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBackfill, type BackfillOptions, type BackfillSummary } from '../../src/commands/backfill.js';
import { ConfigError } from '../../src/errors.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import type { Truth } from '../../src/sim/truth.js';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { diffAgainst } from '../helpers/exposition.js';
import { freePort, pollUntil } from '../helpers/ports.js';
import { PROMETHEUS_BIN } from '../helpers/prometheus.js';
import { expectedFromTruth, unexpectedSeries } from '../helpers/truth.js';

// Syslog stamps are local wall-clock times: in a zone with daylight saving, the hour that repeats
// in autumn cannot be told apart (true of real logs too). UTC keeps this test exact anywhere.
process.env.TZ = 'UTC';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const WEEK = 7 * 86_400;
const LINES_PER_WEEK = 20_000;
const STEP = '5m';
const STEP_S = 300;
const EXTRA_LABELS = ['job=qmail', 'instance=mail.example.org:9399'];

const dir = mkdtempSync(join(tmpdir(), 'qx-backfill-'));
let startA: number;
let startB: number;
let truthA: Truth;
let truthB: Truth;
let fileA: string;
let fileB: string;
let summary: BackfillSummary;
let prometheus: { url: string; child: ChildProcess; exited: () => string | null } | null = null;

function ymd(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

function baseOptions(over: Partial<BackfillOptions>): BackfillOptions {
  return { files: [fileA], output: join(dir, 'x.om'), step: '60s', labels: [], listenerMap: {}, nowSeconds: Date.now() / 1000, ...over };
}

before(async () => {
  const now = Date.now() / 1000;
  // Week A starts at a midnight five weeks back; week B one hour after A's last line. Each file is
  // named like a weekly rotation, for the day of its last line: that date gives syslog lines their year.
  startA = Math.floor(now / 86_400) * 86_400 - 5 * WEEK;
  const rate = LINES_PER_WEEK / WEEK;
  truthA = await writeSimulatedLog(join(dir, 'a'), { startTime: startA, lines: LINES_PER_WEEK, seed: 11, linesPerSecond: rate });
  fileA = join(dir, `maillog-${ymd(truthA.lastLineTime)}`);
  renameSync(join(dir, 'a'), fileA);
  startB = Math.ceil(truthA.lastLineTime / 3600) * 3600 + 3600;
  truthB = await writeSimulatedLog(join(dir, 'b.gz'), { startTime: startB, lines: LINES_PER_WEEK, seed: 12, linesPerSecond: rate });
  fileB = join(dir, `maillog-${ymd(truthB.lastLineTime)}.gz`);
  renameSync(join(dir, 'b.gz'), fileB);
  assert.ok(truthB.lastLineTime - startA > 10 * 86_400, 'two weeks of log time');

  const output = join(dir, 'history.om');
  summary = await runBackfill({ files: [fileB, fileA], output, step: STEP, labels: EXTRA_LABELS, listenerMap: {}, nowSeconds: now });

  // Blocks as large as the data: promtool reads the whole file once per block it writes.
  const tsdb = join(dir, 'tsdb');
  execFileSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=336h', '-q', output, tsdb], { stdio: 'pipe' });
  rmSync(output);

  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, 'global:\n  scrape_interval: 1m\n');
  let log = '';
  let exited: string | null = null;
  const child = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${tsdb}`,
      // retention counts back from the newest block; keep everything whatever the dates
      '--storage.tsdb.retention.time=10y',
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (chunk: Buffer): void => {
    if (log.length < 100_000) log += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.once('exit', (code, signal) => (exited = `prometheus exited (code ${code}, signal ${signal}): ${log.slice(-2000)}`));
  child.once('error', (err) => (exited = `prometheus could not start: ${err.message}`));
  prometheus = { url: `http://127.0.0.1:${port}`, child, exited: () => exited };
  await pollUntil(
    async () => {
      const r = await fetch(`${prometheus!.url}/-/ready`, { signal: AbortSignal.timeout(1000) });
      return r.status === 200 ? true : undefined;
    },
    { what: 'prometheus /-/ready', timeoutMs: 30_000, abort: () => exited },
  );
});

after(async () => {
  if (prometheus !== null && prometheus.exited() === null) {
    const gone = new Promise((res) => prometheus!.child.once('exit', res));
    prometheus.child.kill('SIGTERM');
    const killer = setTimeout(() => prometheus!.child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(killer);
  }
  rmSync(dir, { recursive: true, force: true });
});

interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant query at `time` (Unix seconds) → series key (without job/instance) → value. */
async function queryAt(expr: string, time: number): Promise<Map<string, number>> {
  const url = `${prometheus!.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${time}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as
    | { status: 'success'; data: { resultType: string; result: PromSample[] } }
    | { status: 'error'; error: string };
  if (body.status !== 'success') throw new Error(`${expr} @ ${time}: ${body.error}`);
  const out = new Map<string, number>();
  for (const s of body.data.result) {
    const { __name__: name, job, instance, ...labels } = s.metric;
    assert.equal(job, 'qmail', `${expr}: job label`);
    assert.equal(instance, 'mail.example.org:9399', `${expr}: instance label`);
    out.set(seriesKey(name ?? expr, labels), Number(s.value[1]));
  }
  return out;
}

/** What the exporter should show after both weeks: counters add up, gauges are week B's last values. */
function combined(a: Truth, b: Truth): Truth {
  const sum = (x: Record<string, number>, y: Record<string, number>): Record<string, number> => {
    const out = { ...x };
    for (const [k, v] of Object.entries(y)) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const histograms: Truth['histograms'] = {};
  for (const name of new Set([...Object.keys(a.histograms), ...Object.keys(b.histograms)])) {
    histograms[name] = { count: (a.histograms[name]?.count ?? 0) + (b.histograms[name]?.count ?? 0), sum: (a.histograms[name]?.sum ?? 0) + (b.histograms[name]?.sum ?? 0) };
  }
  return {
    ...b,
    counters: sum(a.counters, b.counters),
    gauges: { ...a.gauges, ...b.gauges },
    lineResults: sum(a.lineResults, b.lineResults) as Truth['lineResults'],
    histograms,
    lastLineTime: b.lastLineTime,
  };
}

/** The first sample time after `t`: it holds every line up to t. */
const sampleAfter = (t: number): number => Math.floor(t / STEP_S) * STEP_S + STEP_S;

test('the archives are read in the order of their first line, whatever the order given', () => {
  assert.deepEqual(
    summary.files.map((f) => f.path),
    [fileA, fileB],
  );
  assert.deepEqual(
    summary.files.map((f) => Math.floor(f.firstTime ?? 0)),
    [startA, startB],
  );
  assert.equal(summary.firstSampleMs / 1000, startA);
  assert.equal(summary.lines, truthA.lines + truthB.lines);
  assert.equal(summary.lastSampleMs / 1000, sampleAfter(truthB.lastLineTime));
});

test('at the end of the first week every series equals week A’s truth', async () => {
  const t = sampleAfter(truthA.lastLineTime);
  const actual = await queryAt('{job="qmail"}', t);
  const problems = [...diffAgainst(expectedFromTruth(truthA), actual), ...unexpectedSeries(truthA, actual)];
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
  assert.equal(actual.has('qmail_exporter_build_info'), false);
});

test('at the end of the second week counters carry on across the archives', async () => {
  const t = summary.lastSampleMs / 1000;
  const both = combined(truthA, truthB);
  const actual = await queryAt('{job="qmail"}', t);
  const problems = [...diffAgainst(expectedFromTruth(both), actual), ...unexpectedSeries(both, actual)];
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
  // Still there 4 minutes after the last sample (within the 5m lookback), gone after: no sample is invented.
  assert.equal((await queryAt('qmail_queue_messages_total', t + 240)).get('qmail_queue_messages_total'), both.counters['qmail_queue_messages_total']);
  assert.equal((await queryAt('qmail_queue_messages_total', t + 301)).size, 0);
});

test('the raw difference over every step-aligned hour equals that hour’s truth', async () => {
  // from 6 hours in: a listener's series appear with its first line, so the first hour has no sample to subtract from
  const from = Math.ceil(summary.firstSampleMs / 1000 / 3600) * 3600 + 6 * 3600;
  const to = Math.floor(summary.lastSampleMs / 1000 / 3600) * 3600;
  const names = new Set<string>(['qmail_exporter_log_lines_total']);
  for (const t of [truthA, truthB]) for (const key of Object.keys(t.counters)) names.add(key.split('{')[0]!);
  // hour start → series key → x - x offset 1h evaluated at the hour's end
  const actual = new Map<number, Map<string, number>>();
  for (const name of names) {
    for (const [labels, points] of await queryRange(`${name} - ${name} offset 1h`, from + 3600, to, 3600)) {
      for (const [t, v] of points) {
        let row = actual.get(t - 3600);
        if (row === undefined) actual.set(t - 3600, (row = new Map()));
        row.set(seriesKey(name, labels), v);
      }
    }
  }
  let hours = 0;
  let increments = 0;
  const problems: string[] = [];
  for (let hour = from; hour + 3600 <= to; hour += 3600) {
    const want = truthA.hourly[hour] ?? truthB.hourly[hour] ?? {};
    const got = actual.get(hour) ?? new Map<string, number>();
    const at = new Date(hour * 1000).toISOString();
    for (const p of diffAgainst(want, got)) problems.push(`${at}: ${p}`);
    for (const [k, v] of got) if (v !== 0 && want[k] === undefined) problems.push(`${at}: ${k} increased by ${v}, truth says 0`);
    hours++;
    increments += Object.values(want).reduce((a, b) => a + b, 0);
  }
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
  assert.ok(hours > 200 && increments > 30_000, `${hours} hours, ${increments} increments checked`);
});

/** Range query: label set (without name, job, instance) → [time, value] points. */
async function queryRange(expr: string, start: number, end: number, step: number): Promise<Array<[Record<string, string>, Array<[number, number]>]>> {
  const url = `${prometheus!.url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`;
  const body = (await (await fetch(url, { signal: AbortSignal.timeout(10_000) })).json()) as
    | { status: 'success'; data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> } }
    | { status: 'error'; error: string };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data.result.map(({ metric, values }) => {
    const { __name__: _name, job: _job, instance: _instance, ...labels } = metric;
    return [labels, values.map(([t, v]) => [t, Number(v)] as [number, number])];
  });
}

test('a missing file is named before anything is written', async () => {
  const output = join(dir, 'never.om');
  const missing = join(dir, 'maillog-20200105');
  await assert.rejects(runBackfill(baseOptions({ files: [fileA, missing], output })), (err: NodeJS.ErrnoException) => {
    assert.equal(err.code, 'ENOENT');
    assert.match(err.message, new RegExp(`cannot read ${missing}: no such file`));
    return true;
  });
  assert.equal(existsSync(output), false);
});

test('bad options are ConfigErrors naming the flag', async () => {
  const cases: Array<[Partial<BackfillOptions>, RegExp]> = [
    [{ step: '10x' }, /--step/],
    [{ step: '1h' }, /--step: must be from 1s to 5m/],
    [{ output: null }, /--output: required/],
    [{ files: [] }, /no input files/],
    [{ files: ['-'] }, /standard input/],
    [{ labels: ['listener=x'] }, /--label: 'listener=x' clashes/],
    [{ labels: ['__name__=x'] }, /--label/],
  ];
  for (const [over, why] of cases) {
    await assert.rejects(runBackfill(baseOptions(over)), (err: unknown) => err instanceof ConfigError && err.code === 'QX_CONFIG_INVALID' && why.test(err.message), JSON.stringify(over));
  }
});

test('a file without any timed line is refused, not written as an empty history', async () => {
  const junk = join(dir, 'junk.log');
  writeFileSync(junk, 'no time here\n\u0000\u00ff garbage\n');
  const output = join(dir, 'junk.om');
  await assert.rejects(runBackfill(baseOptions({ files: [junk], output })), /no line with a time/);
  assert.equal(existsSync(output), false, 'the opened output is removed again');
});

test('the command line: a bad --step exits 2 with the message', () => {
  const cli = join(import.meta.dirname, '../../src/cli.ts');
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'backfill', '--step=10x', `--output=${join(dir, 'cli.om')}`, fileA], { encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--step: '10x' is not a duration/);
});
