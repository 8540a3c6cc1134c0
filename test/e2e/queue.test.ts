/**
 * --qmail.queue-path in the live exporter: the queue gauges on /metrics from a real directory laid
 * out like qmail's queue, and /healthz naming the queue while it cannot be read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createServer } from 'node:http';
import { defaultConfig, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createService } from '../../src/service.js';
import { createApp } from '../../src/http/app.js';
import { manualTicker } from '../../src/follow/ticker.js';
import { readSeries } from '../helpers/exposition.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });

test('--qmail.queue-path is off by default and takes a directory', () => {
  assert.equal(defaultConfig().qmail.queuePath, null);
  assert.equal(parseConfig(['--qmail.queue-path=/var/qmail/queue'], {}).qmail.queuePath, '/var/qmail/queue');
  assert.equal(parseConfig([], { QMAIL_EXPORTER_QMAIL_QUEUE_PATH: '/srv/queue' }).qmail.queuePath, '/srv/queue');
});

test('the live exporter shows the queue, and /healthz names it while it cannot be read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-queue-live-'));
  const queue = join(dir, 'queue');
  const log = join(dir, 'maillog');
  writeFileSync(log, '');
  const clock = { ms: Date.UTC(2026, 11, 2, 12) };
  for (const sub of ['mess', 'todo']) mkdirSync(join(queue, sub), { recursive: true });
  for (let n = 0; n < 23; n++) {
    mkdirSync(join(queue, 'mess', String(n)));
    const f = join(queue, 'mess', String(n), String(1000 + n));
    writeFileSync(f, 'x');
    const t = new Date(clock.ms - (n === 5 ? 3 * 3600_000 : 60_000));
    utimesSync(f, t, t);
  }
  writeFileSync(join(queue, 'todo', '2000'), 'x');
  const config = defaultConfig();
  config.qmail.logPaths = [log];
  config.qmail.queuePath = queue;
  const logger = createLogger({ level: 'error', format: 'json', destination: silent });
  const ticker = manualTicker();
  const service = createService({ config, logger, hashKey: 'test-key-0123456789abcdef', now: () => clock.ms, tickerFor: () => ticker, watch: false });
  const app = createApp({ registry: service.registry, health: service.health, telemetryPath: '/metrics', version: 'test', files: () => service.files(), logger });
  const server = createServer(app);
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await service.start();
    const m = readSeries(await (await fetch(`${url}/metrics`)).text());
    assert.equal(m.get('qmail_queue_length'), 23);
    assert.equal(m.get('qmail_queue_todo_length'), 1);
    assert.equal(m.get('qmail_queue_oldest_message_age_seconds'), 10800);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);

    renameSync(queue, `${queue}.moved`);
    clock.ms += 15_000; // past the cache
    const gone = readSeries(await (await fetch(`${url}/metrics`)).text());
    assert.equal(gone.get('qmail_queue_length'), undefined, 'no value rather than a wrong one');
    assert.equal(gone.get('qmail_exporter_queue_read_errors_total'), 1);
    const bad = await fetch(`${url}/healthz`);
    assert.equal(bad.status, 503);
    const body = (await bad.json()) as { reasons: string[] };
    assert.ok(body.reasons.some((r) => r.startsWith(`${queue}: queue unreadable`)), JSON.stringify(body.reasons));

    renameSync(`${queue}.moved`, queue);
    clock.ms += 15_000;
    assert.equal(readSeries(await (await fetch(`${url}/metrics`)).text()).get('qmail_queue_length'), 23);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
  } finally {
    await service.stop();
    await new Promise<void>((res) => server.close(() => res()));
    rmSync(dir, { recursive: true, force: true });
  }
});
