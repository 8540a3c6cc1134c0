/**
 * The landing page of a live exporter (service + app on a real server) following a simulated
 * host whose log also holds hostile text, read by headless Chromium: the DOM must show what the
 * exporter sees, and nothing from the log may become markup.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultConfig } from '../../src/config.js';
import { manualTicker } from '../../src/follow/ticker.js';
import { createApp } from '../../src/http/app.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { writeSimulatedLog } from '../../src/sim/writer.js';

const execFileAsync = promisify(execFile);
const CHROMIUM = process.env.CHROMIUM_BIN ?? 'chromium';
const haveChromium = spawnSync(CHROMIUM, ['--version'], { encoding: 'utf8' }).status === 0;
const HOSTILE_USER = '<script>alert(1)</script>"\'&x';

/** Headless Chromium with a fresh profile and nothing that talks to the network on its own. */
async function chromium(args: string[], profile: string): Promise<string> {
  const r = await execFileAsync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${profile}`,
      ...args,
    ],
    { timeout: 60_000, maxBuffer: 16 << 20 },
  );
  return r.stdout;
}

describe('landing page', () => {
  let dir: string;
  let service: Service;
  let url: string;
  let closeServer: () => Promise<void>;
  let hijacked: string;
  const clock = { ms: Date.now() };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qx-landing-<b>-'));
    const file = join(dir, 'maillog');
    const truth = await writeSimulatedLog(file, { startTime: Math.floor(clock.ms / 1000) - 900, lines: 5_000, seed: 5, profile: 'abuse' });
    hijacked = truth.actors.hijackedUser.toLowerCase();
    // Many failures for a hostile user name, so it tops the auth_failure_users board.
    const stamp = 'Sep 14 07:21:42';
    for (let i = 0; i < 500; i++) appendFileSync(file, `${stamp} mail vpopmail[9${i}]: vchkpw-pop3: password fail ${HOSTILE_USER}@example.com:192.0.2.7\n`);
    const config = defaultConfig();
    config.qmail.logPaths = [file];
    config.qmail.readFromStart = true;
    const ticker = manualTicker();
    const logger = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
    service = createService({ config, logger, hashKey: 'test-key-0123456789abcdef', now: () => clock.ms, tickerFor: () => ticker, watch: false });
    const app = createApp({
      registry: service.registry,
      health: service.health,
      telemetryPath: '/metrics',
      version: '9.9.9-test',
      files: () => service.files(),
      overview: () => service.overview(),
      logger,
    });
    const server = createServer(app);
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    closeServer = () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      });
    await service.start();
    clock.ms += 120_000;
    for (const f of service.followers.values()) await f.step();
  });

  after(async () => {
    await service.stop();
    await closeServer();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the page escapes everything from the log and the file system', async () => {
    const html = await (await fetch(url)).text();
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /<b>/);
    assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;&#34;&#39;&#38;x@example\.com/);
    assert.match(html, /qx-landing-&#60;b&#62;-/);
  });

  test('headless Chromium shows version, sources, lines, cases, leaders and links', { skip: !haveChromium && `${CHROMIUM} not installed` }, async () => {
    const profile = mkdtempSync(join(tmpdir(), 'qx-chromium-'));
    try {
      const dom = await chromium(['--dump-dom', url], profile);
      // --dump-dom prints the DOM as the browser built it: hostile text stayed text
      assert.doesNotMatch(dom, /<script/i);
      const text = dom.replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');
      assert.match(text, /Version 9\.9\.9-test/);
      assert.match(text, new RegExp(`file ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/maillog following \\d+ B \\d+ (s|min) ago`));
      assert.match(text, /Newest line written: .* ago/);
      assert.match(text, /counted \d+/);
      assert.match(text, /unrecognised \d+/);
      assert.match(text, /Recipients by case over the last 2 min \(since start\)/);
      assert.match(text, /sent_auth_different_user [1-9]\d*/);
      assert.match(text, /rejected_no_auth [1-9]\d*/);
      // two-part keys read 'user (reason)'
      assert.match(text, new RegExp(`auth_user_sender_mismatches 24h ${hijacked}( \\(\\w+\\))? [1-9]`));
      assert.match(text, /auth_failure_users 1h <script>alert\(1\)<\/script>"'&x@example\.com 500/);
      for (const href of ['./metrics', './healthz', './-/ready']) assert.ok(dom.includes(`href="${href}"`), href);

      const png = join(profile, 'landing.png');
      await chromium([`--screenshot=${png}`, '--window-size=1200,1600', url], profile);
      const image = readFileSync(png);
      assert.equal(image.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(image.length > 20_000, `screenshot of ${image.length} bytes: a blank page?`);
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
