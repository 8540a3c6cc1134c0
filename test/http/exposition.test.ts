/**
 * Scrape conventions on the real app: gzip when asked, OpenMetrics when negotiated, both read by
 * real clients (curl, a real Prometheus) and checked by promtool. The registry is the exporter's
 * own: the catalogue's tally families fed with real fixture lines, the leaderboards (prom-client
 * gauges and counters) and prom-client's process metrics.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Registry } from 'prom-client';
import { createEngine } from '../../src/engine.js';
import { createHealth } from '../../src/health.js';
import { createApp } from '../../src/http/app.js';
import { acceptsGzip, negotiateFormat, renderOpenMetrics } from '../../src/http/exposition.js';
import { createLeaderboards } from '../../src/leaderboard/index.js';
import { registerDefaultMetrics } from '../../src/metrics/default-metrics.js';
import { readSeries } from '../helpers/exposition.js';
import { startPrometheus, PROMETHEUS_BIN } from '../helpers/prometheus.js';
import { memoryLogger } from './helpers.js';

/** What Prometheus 2.42 sends on every scrape (scrape/scrape.go, acceptHeader). */
const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const execFileAsync = promisify(execFile);
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'logs');

describe('negotiation', () => {
  test('Prometheus gets OpenMetrics; curl, browsers and text/plain get the classic format', () => {
    assert.equal(negotiateFormat(PROMETHEUS_ACCEPT), 'openmetrics');
    assert.equal(negotiateFormat('application/openmetrics-text; version=1.0.0; charset=utf-8'), 'openmetrics');
    assert.equal(negotiateFormat(undefined), 'text');
    assert.equal(negotiateFormat('*/*'), 'text');
    assert.equal(negotiateFormat('text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'), 'text');
    assert.equal(negotiateFormat('text/plain;version=0.0.4'), 'text');
    // a version we do not write, a refusal, and a lower weight than the classic format
    assert.equal(negotiateFormat('application/openmetrics-text;version=0.0.1,text/plain;q=0.5'), 'text');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0,*/*'), 'text');
    assert.equal(negotiateFormat('application/openmetrics-text;q=0.4,text/plain;q=0.5'), 'text');
    assert.equal(negotiateFormat(',,;;garbage/,/=q'), 'text');
  });

  test('gzip only when Accept-Encoding allows it', () => {
    assert.equal(acceptsGzip('gzip'), true);
    assert.equal(acceptsGzip('deflate, gzip;q=1.0, *;q=0.5'), true);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip(undefined), false);
    assert.equal(acceptsGzip('identity'), false);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('gzip;q=0, *'), false);
  });
});

interface Setup {
  url: string;
  port: number;
  registry: Registry;
  seen: Array<{ accept: string | undefined; encoding: string | undefined }>;
  close(): Promise<void>;
}

async function startApp(): Promise<Setup> {
  const registry = new Registry();
  registerDefaultMetrics(registry);
  const leaderboards = createLeaderboards({
    windows: [{ label: '1h', ms: 3_600_000 }],
    maxKeys: 1000,
    size: 5,
    hashUsers: false,
    hashKey: 'k'.repeat(32),
    now: () => 1_700_000_000_000,
  });
  leaderboards.register(registry);
  const engine = createEngine({ registry, observers: [(e) => leaderboards.observe(e)] });
  for (const f of ['smtpd/fail2ban-qmail-syslog.log', 'qmail-send/lwq.log', 'auth/vpopmail-syslog.log']) {
    const lines = readFileSync(join(FIXTURES, f), 'utf8').split('\n').filter((l) => l !== '');
    engine.pipeline.batch(lines, { referenceTime: 1_700_000_000, listenerHint: null });
  }
  engine.pipeline.flush();
  const health = createHealth({ missingGraceMs: 60_000 });
  health.setReady(true);
  const app = createApp({ registry, health, telemetryPath: '/metrics', version: 'test', files: () => [], logger: memoryLogger().logger });
  const seen: Setup['seen'] = [];
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') seen.push({ accept: req.headers.accept, encoding: req.headers['accept-encoding'] });
    app(req, res);
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    registry,
    seen,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

/** curl in a child process (asynchronously: the server answers from this process's event loop). */
async function curl(args: string[]): Promise<{ headers: string; body: Buffer }> {
  const dir = mkdtempSync(join(tmpdir(), 'qx-curl-'));
  try {
    const out = join(dir, 'body');
    const r = await execFileAsync('curl', ['-sS', '--max-time', '20', '-D', '-', '-o', out, ...args], { encoding: 'latin1' });
    return { headers: r.stdout.toLowerCase(), body: readFileSync(out) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function promtoolCheck(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

const havePromtool = spawnSync('promtool', ['--version']).status === 0;
const haveCurl = spawnSync('curl', ['--version']).status === 0;

describe('the metrics route with real clients', () => {
  let s: Setup;
  before(async () => {
    s = await startApp();
  });
  after(() => s.close());

  test('curl --compressed gets gzip; the body is the classic format and passes promtool check metrics', { skip: !haveCurl && 'curl not installed' }, async (t) => {
    const r = await curl(['--compressed', `${s.url}/metrics`]);
    assert.match(r.headers, /content-encoding: gzip/);
    assert.match(r.headers, /content-type: text\/plain; version=0\.0\.4; charset=utf-8/);
    assert.match(r.headers, /vary: accept, accept-encoding/);
    const text = r.body.toString('utf8');
    assert.match(text, /^qmail_exporter_log_lines_total\{result="counted"\} [1-9]/m);
    assert.doesNotMatch(text, /# EOF/);
    // the raw body really is gzip, and smaller
    const raw = (await curl(['-H', 'Accept-Encoding: gzip', `${s.url}/metrics`])).body;
    assert.equal(gunzipSync(raw).toString('utf8').length > raw.length * 3, true);
    if (!havePromtool) return t.skip('promtool not installed');
    const check = promtoolCheck(text);
    assert.equal(check.status, 0, check.output);
  });

  test('without Accept-Encoding the body is plain', { skip: !haveCurl && 'curl not installed' }, async () => {
    const r = await curl([`${s.url}/metrics`]);
    assert.doesNotMatch(r.headers, /content-encoding/);
    assert.match(r.body.toString('utf8'), /^# HELP /);
  });

  test("Prometheus's Accept header gets OpenMetrics: counters named without _total, samples with it, # EOF last", { skip: !haveCurl && 'curl not installed' }, async (t) => {
    const r = await curl(['--compressed', '-H', `Accept: ${PROMETHEUS_ACCEPT}`, `${s.url}/metrics`]);
    assert.match(r.headers, /content-type: application\/openmetrics-text; version=1\.0\.0; charset=utf-8/);
    assert.match(r.headers, /content-encoding: gzip/);
    const om = r.body.toString('utf8');
    assert.ok(om.endsWith('\n# EOF\n'), om.slice(-200));
    assert.equal(om.split('# EOF').length, 2);
    // the project's own tally counter, a prom-client counter (leaderboards), prom-client's process counter
    for (const family of ['qmail_exporter_log_lines', 'qmail_smtp_recipients', 'qmail_leaderboard_evictions', 'process_cpu_seconds']) {
      const type = new RegExp(`^# TYPE ${family} counter$`, 'm');
      assert.match(om, type, family);
      assert.doesNotMatch(om, new RegExp(`^# TYPE ${family}_total `, 'm'));
    }
    assert.match(om, /^qmail_exporter_log_lines_total\{result="counted"\} [1-9]/m);
    assert.match(om, /^# TYPE qmail_queue_message_size_bytes histogram$/m);
    assert.match(om, /^qmail_queue_message_size_bytes_bucket\{le="\+Inf"\} \d+$/m);
    // every sample line's value is the same as in the classic format
    const classic = readSeries((await curl([`${s.url}/metrics`])).body.toString('utf8'));
    const fromOm = readSeries(om);
    for (const [key, value] of fromOm) {
      if (key.startsWith('process_') || key.startsWith('nodejs_')) continue; // they move between scrapes
      assert.equal(classic.get(key), value, key);
    }
    assert.equal(fromOm.size, classic.size);
    if (!havePromtool) return t.skip('promtool not installed');
    // promtool check metrics reads the classic format: OpenMetrics parses without error (exit 1
    // would be a parse error), and its lint only objects to the OpenMetrics counter naming itself.
    const check = promtoolCheck(om);
    assert.notEqual(check.status, 1, check.output);
    for (const line of check.output.split('\n').filter((l) => l.trim() !== '')) {
      assert.match(line, /(_total no help text|counter metrics should have "_total" suffix)$/, line);
    }
  });

  test('an OpenMetrics scrape leaves the classic format intact (prom-client would rename counters in place)', async () => {
    await renderOpenMetrics(s.registry);
    const text = await s.registry.metrics();
    assert.match(text, /^# TYPE qmail_exporter_log_lines_total counter$/m);
    assert.match(text, /^qmail_exporter_log_lines_total\{result="counted"\}/m);
  });

  test('hostile label and help text is escaped in OpenMetrics', async () => {
    const registry = new Registry();
    const { CounterFamily } = await import('../../src/metrics/tally.js');
    const c = new CounterFamily<readonly [k: string]>(registry, 'qx_hostile_total', 'help with "quotes", \\ and\nnewline', ['k'] as const);
    c.inc(['a"b\\c\nd']);
    const om = await renderOpenMetrics(registry);
    assert.equal(
      om,
      '# HELP qx_hostile help with \\"quotes\\", \\\\ and\\nnewline\n# TYPE qx_hostile counter\nqx_hostile_total{k="a\\"b\\\\c\\nd"} 1\n# EOF\n',
    );
  });

  test('a real Prometheus negotiates OpenMetrics with gzip and reads the same values', { skip: !existsSync(PROMETHEUS_BIN) && 'prometheus not installed' }, async () => {
    const prom = await startPrometheus({ targets: [`127.0.0.1:${s.port}`] });
    try {
      await prom.waitForScrapes(2);
      const asked = s.seen.filter((h) => h.accept?.startsWith('application/openmetrics-text'));
      assert.ok(asked.length >= 2, JSON.stringify(s.seen));
      assert.match(asked[0]!.encoding ?? '', /gzip/);
      const classic = readSeries(await s.registry.metrics());
      const [counted] = await prom.queryVector('qmail_exporter_log_lines_total{result="counted"}');
      assert.equal(Number(counted!.value[1]), classic.get('qmail_exporter_log_lines_total{result="counted"}'));
      const [inf] = await prom.queryVector('qmail_queue_message_size_bytes_bucket{le="+Inf"}');
      assert.equal(Number(inf!.value[1]), classic.get('qmail_queue_message_size_bytes_bucket{le="+Inf"}'));
      // nothing was dropped by the OpenMetrics parser: as many qmail series as the classic exposition
      const [qmailSeries] = await prom.queryVector('count({__name__=~"qmail_.+"})');
      assert.equal(Number(qmailSeries!.value[1]), [...classic.keys()].filter((k) => k.startsWith('qmail_')).length);
    } finally {
      await prom.stop();
    }
  });
});

