import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Counter, Gauge, Registry } from 'prom-client';
import { createApp, parseBasicAuth, type AppDeps, type FileState } from '../../src/http/app.js';
import { createServer, parseListenAddress } from '../../src/http/server.js';
import { createHealth, type Health } from '../../src/health.js';
import { listenLoopback, memoryLogger, type Listening } from './helpers.js';

const PROM_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

function fileState(over: Partial<FileState> = {}): FileState {
  return { path: '/var/log/maillog', present: true, missingSince: null, lastError: null, lastErrorAt: null, stopped: false, ...over };
}

/** Starts createApp on 127.0.0.1:0 with a fresh registry; returns the base URL and the parts. */
async function start(over: Partial<AppDeps> = {}) {
  const registry = new Registry();
  const deliveries = new Counter({
    name: 'qmail_deliveries_total',
    help: 'qmail-send delivery results',
    labelNames: ['channel', 'result'],
    registers: [registry],
  });
  deliveries.inc({ channel: 'local', result: 'success' }, 3);
  let t = 1_700_000_000_000;
  const health = createHealth({ missingGraceMs: 60_000, now: () => t });
  const mem = memoryLogger();
  const app = createApp({
    registry,
    health,
    telemetryPath: '/metrics',
    version: '1.2.3',
    files: () => [fileState()],
    logger: mem.logger,
    ...over,
  });
  const listening = await listenLoopback(createServer(app, null));
  return {
    url: `http://127.0.0.1:${listening.port}`,
    listening,
    registry,
    health: (over.health ?? health) as Health,
    advance: (ms: number) => {
      t += ms;
    },
    now: () => t,
    logs: mem.records,
  };
}

describe('metrics endpoint', () => {
  let s: Awaited<ReturnType<typeof start>>;
  before(async () => {
    s = await start();
  });
  after(() => s.listening.close());

  test('GET serves the registry in text format 0.0.4 with the exact content type', async () => {
    // identity: the length is checked against the body (gzip is covered in exposition.test.ts)
    const res = await fetch(`${s.url}/metrics`, { headers: { 'accept-encoding': 'identity' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), PROM_TEXT);
    assert.equal(res.headers.get('content-type'), s.registry.contentType);
    const body = await res.text();
    assert.match(body, /^# HELP qmail_deliveries_total qmail-send delivery results$/m);
    assert.match(body, /^qmail_deliveries_total\{channel="local",result="success"\} 3$/m);
    assert.equal(res.headers.get('content-length'), String(Buffer.byteLength(body)));
    assert.equal(res.headers.get('etag'), null);
    assert.equal(res.headers.get('x-powered-by'), null);
  });

  test('HEAD answers with the headers and no body', async () => {
    const res = await fetch(`${s.url}/metrics`, { method: 'HEAD' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), PROM_TEXT);
    assert.equal(await res.text(), '');
  });

  test('other paths are 404, including /metrics/ and /Metrics', async () => {
    for (const path of ['/nope', '/metrics/', '/Metrics', '/metrics.txt']) {
      const res = await fetch(`${s.url}${path}`);
      assert.equal(res.status, 404, path);
      await res.arrayBuffer();
    }
  });

  test('methods other than GET and HEAD are 405 with Allow, on any path', async () => {
    for (const [method, path] of [
      ['POST', '/metrics'],
      ['PUT', '/'],
      ['DELETE', '/healthz'],
      ['OPTIONS', '/metrics'],
      ['POST', '/nope'],
    ] as const) {
      const res = await fetch(`${s.url}${path}`, { method });
      assert.equal(res.status, 405, `${method} ${path}`);
      assert.equal(res.headers.get('allow'), 'GET, HEAD');
      await res.arrayBuffer();
    }
  });
});

test('a custom telemetry path serves metrics and /metrics becomes 404', async () => {
  const s = await start({ telemetryPath: '/qmail/metrics' });
  try {
    const res = await fetch(`${s.url}/qmail/metrics`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), PROM_TEXT);
    assert.match(await res.text(), /qmail_deliveries_total/);
    const old = await fetch(`${s.url}/metrics`);
    assert.equal(old.status, 404);
    await old.arrayBuffer();
  } finally {
    await s.listening.close();
  }
});

test('a collector that throws gives 500 and one error log line, and the next scrape works again', async () => {
  const registry = new Registry();
  let broken = true;
  new Gauge({
    name: 'qmail_queue_messages',
    help: 'messages in the queue',
    registers: [registry],
    collect() {
      if (broken) throw new Error('queue directory unreadable');
      this.set(7);
    },
  });
  const s = await start({ registry });
  try {
    const res = await fetch(`${s.url}/metrics`);
    assert.equal(res.status, 500);
    assert.doesNotMatch(await res.text(), /unreadable/, 'the cause stays in the log, not the response');
    const errors = s.logs().filter((r) => r['level'] === 'error');
    assert.equal(errors.length, 1);
    assert.equal(errors[0]?.['msg'], 'metrics collection failed');
    assert.equal(errors[0]?.['component'], 'http');
    assert.equal((errors[0]?.['err'] as { message: string }).message, 'queue directory unreadable');

    broken = false;
    const again = await fetch(`${s.url}/metrics`);
    assert.equal(again.status, 200);
    assert.match(await again.text(), /^qmail_queue_messages 7$/m);
  } finally {
    await s.listening.close();
  }
});

describe('health endpoints', () => {
  test('/healthz: 200 while healthy, 503 with reasons once a file is missing past the grace, 200 when it is back', async () => {
    const s = await start();
    try {
      s.health.report(fileState());
      let res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.equal(res.headers.get('cache-control'), 'no-store');
      assert.deepEqual(await res.json(), {
        healthy: true,
        status: 'ok',
        reasons: [],
        files: [{ path: '/var/log/maillog', state: 'ok', errno: null, present: true, missing_for_seconds: null, last_error: null, stopped: false }],
        listeners: [],
      });

      s.health.report(fileState({ present: false, missingSince: s.now() }));
      s.advance(30_000);
      res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 200, 'inside the grace');
      await res.arrayBuffer();

      s.advance(31_000);
      res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as { status: string; reasons: string[] };
      assert.equal(body.status, 'unhealthy');
      assert.deepEqual(body.reasons, ['/var/log/maillog: missing for 61s (grace 60s)']);

      s.health.report(fileState());
      res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await s.listening.close();
    }
  });

  test('/healthz: a read error is 503 until recovery', async () => {
    const s = await start();
    try {
      s.health.report(fileState({ lastError: 'EACCES: permission denied', lastErrorAt: s.now() }));
      let res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 503);
      assert.deepEqual(((await res.json()) as { reasons: string[] }).reasons, ['/var/log/maillog: read error: EACCES: permission denied']);
      s.health.report(fileState());
      res = await fetch(`${s.url}/healthz`);
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    } finally {
      await s.listening.close();
    }
  });

  test('/-/ready is 503 until start-up is done; /-/healthy is 200 throughout', async () => {
    const s = await start();
    try {
      let ready = await fetch(`${s.url}/-/ready`);
      assert.equal(ready.status, 503);
      assert.equal(await ready.text(), 'qmail_exporter is not ready.\n');
      let healthy = await fetch(`${s.url}/-/healthy`);
      assert.equal(healthy.status, 200);
      await healthy.arrayBuffer();

      s.health.setReady(true);
      ready = await fetch(`${s.url}/-/ready`);
      assert.equal(ready.status, 200);
      assert.equal(await ready.text(), 'qmail_exporter is ready.\n');

      // A broken file makes /healthz fail but the process still serves: /-/healthy stays 200.
      s.health.report(fileState({ stopped: true }));
      healthy = await fetch(`${s.url}/-/healthy`);
      assert.equal(healthy.status, 200);
      await healthy.arrayBuffer();
    } finally {
      await s.listening.close();
    }
  });
});

describe('landing page', () => {
  test('names the exporter and version, lists files with their state, links to metrics and health', async () => {
    const files = [
      fileState({ path: '/var/log/maillog' }),
      fileState({ path: '/var/log/qmail/smtpd/current', present: false, missingSince: 1 }),
      fileState({ path: '/var/log/<odd>&"name"', lastError: 'EIO: i/o error', lastErrorAt: 1 }),
      fileState({ path: '/var/log/stopped', stopped: true }),
    ];
    const s = await start({ telemetryPath: '/qmail/metrics', files: () => files });
    try {
      const res = await fetch(`${s.url}/`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
      const html = await res.text();
      assert.match(html, /<title>qmail_exporter<\/title>/);
      assert.match(html, /Version 1\.2\.3/);
      const state = (path: string, text: string) => new RegExp(`<code>${path}</code></td><td><span class="(ok|bad)">${text}</span>`);
      assert.match(html, state('/var/log/maillog', 'following'));
      assert.match(html, state('/var/log/qmail/smtpd/current', 'missing'));
      assert.match(html, state('/var/log/&#60;odd&#62;&#38;&#34;name&#34;', 'read error: EIO: i/o error'));
      assert.match(html, state('/var/log/stopped', 'stopped'));
      assert.doesNotMatch(html, /<odd>/);

      // Follow every link the page offers, the way a browser resolves it.
      const hrefs = [...html.matchAll(/href="([^"]+)"/g)].map((m) => new URL(m[1]!, `${s.url}/`).pathname);
      assert.deepEqual(hrefs, ['/qmail/metrics', '/healthz', '/-/ready']);
      for (const path of hrefs) {
        const linked = await fetch(`${s.url}${path}`);
        // not ready: start-up is never marked done in this test
        assert.equal(linked.status, path === '/-/ready' ? 503 : 200, path);
        await linked.arrayBuffer();
      }
    } finally {
      await s.listening.close();
    }
  });

  test('says so when no file is followed yet', async () => {
    const s = await start({ files: () => [] });
    try {
      assert.match(await (await fetch(`${s.url}/`)).text(), /none yet/);
    } finally {
      await s.listening.close();
    }
  });
});

test('an exception in a handler is a 500 with a generic body, logged once', async () => {
  const s = await start({
    files: () => {
      throw new Error('follower state unavailable');
    },
  });
  try {
    const res = await fetch(`${s.url}/`);
    assert.equal(res.status, 500);
    assert.equal(await res.text(), 'Internal Server Error\n');
    const errors = s.logs().filter((r) => r['level'] === 'error');
    assert.deepEqual(
      errors.map((r) => [r['msg'], (r['err'] as { message: string }).message]),
      [['request failed', 'follower state unavailable']],
    );
  } finally {
    await s.listening.close();
  }
});

test('configured headers are on every response: 200, 404, 405', async () => {
  const s = await start({ headers: { 'X-Frame-Options': 'deny', 'X-Content-Type-Options': 'nosniff' } });
  try {
    for (const [method, path] of [
      ['GET', '/metrics'],
      ['GET', '/nope'],
      ['POST', '/metrics'],
    ] as const) {
      const res = await fetch(`${s.url}${path}`, { method });
      assert.equal(res.headers.get('x-frame-options'), 'deny', `${method} ${path}`);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      await res.arrayBuffer();
    }
  } finally {
    await s.listening.close();
  }
});

describe('parseBasicAuth', () => {
  const enc = (s: string) => Buffer.from(s).toString('base64');
  test('reads user and password; the password may contain colons', () => {
    assert.deepEqual(parseBasicAuth(`Basic ${enc('prometheus:a:b')}`), { user: 'prometheus', password: 'a:b' });
    assert.deepEqual(parseBasicAuth(`basic ${enc('u:')}`), { user: 'u', password: '' });
  });
  test('anything else is no credentials', () => {
    for (const h of [undefined, '', 'Bearer x', `Basic ${enc('nocolon')}`, 'Basic !!!', `Basic`, `Digest ${enc('u:p')}`]) {
      assert.equal(parseBasicAuth(h), null, String(h));
    }
  });
});

test('parseListenAddress is re-exported for cli.ts', () => {
  assert.deepEqual(parseListenAddress(':9025'), { host: undefined, port: 9025 });
  assert.deepEqual(parseListenAddress('[::1]:9025'), { host: '::1', port: 9025 });
});
