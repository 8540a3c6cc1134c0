/**
 * The live exporter as one piece: followers, pipeline, metrics, leaderboards, health and the HTTP
 * app on a real server (127.0.0.1, ephemeral port), fed by the simulator's log. Time is driven by
 * hand: the followers use manual tickers and the clock is a variable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServer, type Server } from 'node:http';
import { defaultConfig, type Config } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { createApp } from '../../src/http/app.js';
import { manualTicker } from '../../src/follow/ticker.js';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth, unexpectedSeries } from '../helpers/truth.js';
import { spawnCli } from '../helpers/exporter-process.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

interface Running {
  service: Service;
  server: Server;
  url: string;
  clock: { ms: number };
  step(): Promise<void>;
  close(): Promise<void>;
}

async function startExporter(paths: string[], tweak: (c: Config) => void = () => {}): Promise<Running> {
  const config = defaultConfig();
  config.qmail.logPaths = paths;
  config.qmail.readFromStart = true;
  tweak(config);
  const clock = { ms: Date.now() };
  const tickers = new Map(paths.map((p) => [p, manualTicker()]));
  const logger = createLogger({ level: 'error', format: 'json', destination: silent });
  const service = createService({ config, logger, hashKey: 'test-key-0123456789abcdef', now: () => clock.ms, tickerFor: (p) => tickers.get(p), watch: false });
  const app = createApp({
    registry: service.registry,
    health: service.health,
    telemetryPath: config.web.telemetryPath,
    version: 'test',
    files: () => service.files(),
    logger,
  });
  const server = createServer(app);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await service.start();
  return {
    service,
    server,
    url,
    clock,
    async step() {
      for (const f of service.followers.values()) await f.step();
      for (const f of service.followers.values()) service.health.report(f.status());
    },
    async close() {
      await service.stop();
      await new Promise<void>((res) => server.close(() => res()));
    },
  };
}

async function scrape(url: string): Promise<{ text: string; type: string | null }> {
  const r = await fetch(`${url}/metrics`);
  assert.equal(r.status, 200);
  return { text: await r.text(), type: r.headers.get('content-type') };
}

test('a scrape after following a simulated host equals its truth, and the leaderboards name the abusers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-live-'));
  const file = join(dir, 'maillog');
  const truth = await writeSimulatedLog(file, { startTime: Math.floor(Date.now() / 1000) - 900, lines: 20_000, seed: 3, profile: 'abuse' });
  const x = await startExporter([file]);
  try {
    await x.step();
    const { text, type } = await scrape(x.url);
    assert.equal(type, 'text/plain; version=0.0.4; charset=utf-8');
    const actual = readSeries(text);
    const problems = [...diffAgainst(expectedFromTruth(truth), actual), ...unexpectedSeries(truth, actual)];
    assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));

    const top = (metric: string, window: string, label: 'user' | 'ip'): string[] =>
      [...actual.entries()]
        .filter(([k]) => k.startsWith(`${metric}{`) && k.includes(`window="${window}"`))
        .sort((a, b) => b[1] - a[1])
        .map(([k]) => /(?:user|ip)="([^"]*)"/.exec(k)![1]!)
        .filter((v) => label === 'user' || v.includes('.') || v.includes(':'));
    assert.equal(top('qmail_leaderboard_auth_user_sender_mismatches', '24h', 'user')[0], truth.actors.hijackedUser.toLowerCase());
    assert.equal(top('qmail_leaderboard_auth_user_source_ips', '24h', 'user')[0], truth.actors.hijackedUser.toLowerCase());
    assert.equal(top('qmail_leaderboard_auth_failure_ips', '24h', 'ip')[0], truth.actors.bruteForceIp);
    const relayTop = top('qmail_leaderboard_relay_denied_ips', '24h', 'ip').slice(0, truth.actors.relayBotIps.length);
    assert.deepEqual([...relayTop].sort(), [...truth.actors.relayBotIps].sort());

    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    assert.equal((check.stdout + check.stderr).trim(), '', 'promtool has remarks on a live scrape');
  } finally {
    await x.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('/healthz goes 503 when the log is missing past the grace and back to 200 when it returns', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-health-'));
  const file = join(dir, 'maillog');
  writeFileSync(file, 'Nov 24 13:10:00 mail qmail: 1700831400.000001 status: local 0/10 remote 0/20\n');
  const x = await startExporter([file], (c) => {
    c.qmail.missingGraceMs = 60_000;
  });
  try {
    await x.step();
    assert.equal((await fetch(`${x.url}/healthz`)).status, 200);
    unlinkSync(file);
    await x.step();
    x.clock.ms += 30_000; // within the grace: still healthy
    await x.step();
    assert.equal((await fetch(`${x.url}/healthz`)).status, 200);
    x.clock.ms += 31_000;
    await x.step();
    const bad = await fetch(`${x.url}/healthz`);
    assert.equal(bad.status, 503);
    const body = (await bad.json()) as { reasons: string[] };
    assert.ok(body.reasons.some((r) => r.includes(file)), JSON.stringify(body));
    const present = readSeries((await scrape(x.url)).text);
    assert.equal(present.get(`qmail_exporter_log_file_present{path="${file}"}`), 0);

    appendFileSync(file, 'Nov 24 13:11:00 mail qmail: 1700831460.000001 status: local 1/10 remote 0/20\n');
    await x.step();
    assert.equal((await fetch(`${x.url}/healthz`)).status, 200);
    const after = readSeries((await scrape(x.url)).text);
    assert.equal(after.get(`qmail_exporter_log_file_present{path="${file}"}`), 1);
    assert.equal(after.get('qmail_send_concurrency{channel="local"}'), 1, 'the recreated file is read from its start');
  } finally {
    await x.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('100,000 distinct users and IPs keep the series count bounded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-bound-'));
  const file = join(dir, 'maillog');
  const lines: string[] = [];
  const t0 = Math.floor(Date.now() / 1000) - 300;
  for (let i = 0; i < 100_000; i++) {
    const ip = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
    const stamp = `${t0 + Math.floor(i / 1000)}.${String(i % 1000).padStart(6, '0')}`;
    lines.push(
      `Nov 24 13:10:00 mail submission: ${stamp} CHKUSER relaying rcpt: from <sender${i}@example.com:user${i}@example.com:> remote <helo${i}:unknown:${ip}> rcpt <rcpt${i}@example.net> : client allowed to relay`,
      `Nov 24 13:10:00 mail vpopmail[${1000 + (i % 30000)}]: vchkpw-smtp: password fail victim${i}@example.com:${ip}`,
      `Nov 24 13:10:00 mail smtp: ${stamp} CHKUSER rejected relaying: from <bot${i}@example.org::> remote <x:unknown:${ip}> rcpt <r@example.net> : client not allowed to relay`,
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const x = await startExporter([file]);
  try {
    await x.step();
    const actual = readSeries((await scrape(x.url)).text);
    const boards = [...actual.keys()].filter((k) => k.startsWith('qmail_leaderboard_') && (k.includes('user="') || k.includes('ip="')));
    assert.ok(boards.length <= 6 * 3 * 10, `${boards.length} leaderboard series`);
    assert.ok(boards.length >= 4 * 3 * 10, `the boards are filled (${boards.length})`);
    assert.ok(actual.size < 2000, `${actual.size} series in all`);
    assert.equal(actual.get('qmail_smtp_recipients_total{case="sent_auth_different_user",listener="submission",reason="same_domain"}'), 100_000);
    const stats = x.service.leaderboards.stats();
    for (const n of Object.values(stats.keys)) assert.ok(n <= 10_000);
  } finally {
    await x.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a scrape during a 500,000-line catch-up still answers', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-catchup-'));
  const file = join(dir, 'maillog');
  const truth = await writeSimulatedLog(file, { startTime: Math.floor(Date.now() / 1000) - 86_400, lines: 500_000, seed: 4, profile: 'abuse' });
  // A real exporter process, so the scraper does not share its event loop.
  const exporter = spawnCli([`--qmail.log-path=${file}`, '--qmail.read-from-start']);
  try {
    const url = await exporter.url;
    const seen: number[] = [];
    for (;;) {
      const started = Date.now();
      const { text } = await scrape(url);
      assert.ok(Date.now() - started < 5000, 'a scrape took more than 5 s during the catch-up');
      const m = readSeries(text);
      let n = 0;
      for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(`qmail_exporter_log_lines_total{result="${r}"}`) ?? 0;
      seen.push(n);
      if (n >= truth.lines) break;
    }
    assert.ok(seen.some((n) => n > 0 && n < truth.lines), `no scrape saw the catch-up in progress: ${seen.join(', ')}`);
    assert.equal(seen.at(-1), truth.lines);
  } finally {
    await exporter.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
