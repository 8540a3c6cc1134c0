/**
 * TLS, client certificates and basic auth end to end: a web config file on disk, loadWebConfig,
 * createApp, createServer, a real listener on 127.0.0.1:0 and node's https client. The
 * certificates are made with openssl at test time; the bcrypt hash with bcryptjs at cost 4.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { Counter, Registry } from 'prom-client';
import { createHealth } from '../../src/health.js';
import { createApp } from '../../src/http/app.js';
import { createServer } from '../../src/http/server.js';
import { loadWebConfig } from '../../src/http/web-config.js';
import { basic, listenLoopback, makeTestPki, memoryLogger, request, type Listening, type RequestOptions, type TestPki } from './helpers.js';

const PASSWORD = 'correct horse';
let dir: string;
let pki: TestPki;
let hash: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-web-security-'));
  pki = makeTestPki(dir);
  hash = bcrypt.hashSync(PASSWORD, 4);
});
after(() => rmSync(dir, { recursive: true, force: true }));

interface Served extends Listening {
  url: string;
  rejections: string[];
}

/** Writes `yaml` as the web config (cert paths relative to it), loads it and serves the app. */
async function serve(yaml: string, configPath = join(dir, 'web.yml')): Promise<Served> {
  writeFileSync(configPath, yaml);
  const web = await loadWebConfig(configPath);
  const registry = new Registry();
  new Counter({ name: 'qmail_smtp_connections_total', help: 'tcpserver connections', registers: [registry] }).inc();
  const health = createHealth({ missingGraceMs: 60_000 });
  const app = createApp({
    registry,
    health,
    telemetryPath: '/metrics',
    version: 'test',
    files: () => [],
    users: web.users,
    headers: web.headers,
    logger: memoryLogger().logger,
  });
  const rejections: string[] = [];
  const listening = await listenLoopback(createServer(app, web.tls, { onClientCertRejected: (reason) => rejections.push(reason) }));
  return { ...listening, url: `${web.tls ? 'https' : 'http'}://127.0.0.1:${listening.port}`, rejections };
}

const tlsBlock = (extra = '') => `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n${extra}`;

describe('TLS with basic auth', () => {
  let s: Served;
  before(async () => {
    s = await serve(`${tlsBlock()}basic_auth_users:\n  prometheus: ${hash}\n  other: ${hash}\n`);
  });
  after(() => s.close());
  const tlsClient = (): RequestOptions => ({ ca: pki.serverCert });

  test('serves the configured certificate (same fingerprint)', async () => {
    const res = await request(`${s.url}/metrics`, { ...tlsClient(), headers: basic('prometheus', PASSWORD) });
    assert.equal(res.status, 200);
    assert.equal(res.peerCertificate?.fingerprint256, new X509Certificate(pki.serverCert).fingerprint256);
  });

  test('no credentials: 401 with WWW-Authenticate: Basic', async () => {
    const res = await request(`${s.url}/metrics`, tlsClient());
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Basic');
    assert.doesNotMatch(res.body, /qmail_smtp_connections_total/);
  });

  test('wrong password, unknown user, malformed header: 401', async () => {
    for (const headers of [
      basic('prometheus', 'wrong'),
      basic('prometheus', ''),
      basic('nobody', PASSWORD),
      { Authorization: 'Basic !!!' },
      { Authorization: `Bearer ${PASSWORD}` },
    ]) {
      const res = await request(`${s.url}/metrics`, { ...tlsClient(), headers });
      assert.equal(res.status, 401, JSON.stringify(headers));
    }
  });

  test('an unknown user with the dummy hash password is still refused', async () => {
    const res = await request(`${s.url}/metrics`, { ...tlsClient(), headers: basic('nobody', 'fakepassword') });
    assert.equal(res.status, 401);
  });

  test('user names that exist on every object (__proto__, toString, constructor) are not users', async () => {
    for (const user of ['__proto__', 'toString', 'constructor', 'hasOwnProperty']) {
      const res = await request(`${s.url}/metrics`, { ...tlsClient(), headers: basic(user, PASSWORD) });
      assert.equal(res.status, 401, user);
    }
  });

  test('right credentials: 200 with the metrics, repeatedly (cached result) and for each user', async () => {
    for (const user of ['prometheus', 'prometheus', 'other']) {
      const res = await request(`${s.url}/metrics`, { ...tlsClient(), headers: basic(user, PASSWORD) });
      assert.equal(res.status, 200, user);
      assert.match(res.body, /^qmail_smtp_connections_total 1$/m);
    }
  });

  test('concurrent requests are all answered (bcrypt runs one at a time, none is dropped)', async () => {
    const replies = await Promise.all(
      ['prometheus', 'other', 'prometheus', 'nobody', 'other'].map((user) =>
        request(`${s.url}/-/healthy`, { ...tlsClient(), headers: basic(user, `${PASSWORD}`) }),
      ),
    );
    assert.deepEqual(
      replies.map((r) => r.status),
      [200, 200, 200, 401, 200],
    );
  });

  test('every route needs the credentials', async () => {
    for (const path of ['/', '/healthz', '/-/healthy', '/-/ready', '/nope']) {
      const res = await request(`${s.url}${path}`, tlsClient());
      assert.equal(res.status, 401, path);
    }
    const ok = await request(`${s.url}/healthz`, { ...tlsClient(), headers: basic('prometheus', PASSWORD) });
    assert.equal(ok.status, 200);
  });

  test('a client that does not trust the certificate fails the handshake', async () => {
    await assert.rejects(request(`${s.url}/metrics`, { ca: pki.caCert }), /self[- ]signed|unable to verify|certificate/i);
  });
});

test('min_version TLS13 refuses a TLS 1.2 client', async () => {
  const s = await serve(tlsBlock('  min_version: TLS13\n'));
  try {
    await assert.rejects(request(`${s.url}/-/healthy`, { ca: pki.serverCert, maxVersion: 'TLSv1.2' }));
    const ok = await request(`${s.url}/-/healthy`, { ca: pki.serverCert });
    assert.equal(ok.status, 200);
  } finally {
    await s.close();
  }
});

describe('client certificates', () => {
  const client = () => ({ ca: pki.serverCert, cert: pki.clientCert, key: pki.clientKey });
  const rogue = () => ({ ca: pki.serverCert, cert: pki.rogueCert, key: pki.rogueKey });
  const none = () => ({ ca: pki.serverCert });

  test('RequireAndVerifyClientCert: a client without a certificate, or with one the CA did not sign, is refused', async () => {
    writeFileSync(join(dir, 'clients-ca.crt'), pki.caCert);
    const s = await serve(tlsBlock('  client_ca_file: clients-ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n'));
    try {
      await assert.rejects(request(`${s.url}/metrics`, none()));
      await assert.rejects(request(`${s.url}/metrics`, rogue()));
      const ok = await request(`${s.url}/metrics`, client());
      assert.equal(ok.status, 200);
      assert.match(ok.body, /qmail_smtp_connections_total/);
    } finally {
      await s.close();
    }
  });

  test('RequireAnyClientCert: any certificate will do, none will not', async () => {
    const s = await serve(tlsBlock('  client_auth_type: RequireAnyClientCert\n'));
    try {
      await assert.rejects(request(`${s.url}/metrics`, none()));
      assert.deepEqual(s.rejections, ['no client certificate']);
      assert.equal((await request(`${s.url}/metrics`, rogue())).status, 200);
    } finally {
      await s.close();
    }
  });

  test('VerifyClientCertIfGiven: no certificate is fine, an unverifiable one is not', async () => {
    writeFileSync(join(dir, 'clients-ca.crt'), pki.caCert);
    const s = await serve(tlsBlock('  client_ca_file: clients-ca.crt\n  client_auth_type: VerifyClientCertIfGiven\n'));
    try {
      assert.equal((await request(`${s.url}/metrics`, none())).status, 200);
      assert.equal((await request(`${s.url}/metrics`, client())).status, 200);
      await assert.rejects(request(`${s.url}/metrics`, rogue()));
      assert.equal(s.rejections.length, 1);
      assert.match(s.rejections[0]!, /^client certificate not verified/);
    } finally {
      await s.close();
    }
  });

  test('client_allowed_sans: a verified certificate must also carry an allowed SAN', async () => {
    writeFileSync(join(dir, 'clients-ca.crt'), pki.caCert);
    const s = await serve(
      tlsBlock('  client_ca_file: clients-ca.crt\n  client_auth_type: RequireAndVerifyClientCert\n  client_allowed_sans: [prometheus.example]\n'),
    );
    try {
      assert.equal((await request(`${s.url}/metrics`, client())).status, 200);
      await assert.rejects(request(`${s.url}/metrics`, { ca: pki.serverCert, cert: pki.otherClientCert, key: pki.otherClientKey }));
      assert.deepEqual(s.rejections, ['client certificate carries none of client_allowed_sans']);
    } finally {
      await s.close();
    }
  });
});

test('configured headers are sent over TLS, also on 401', async () => {
  const s = await serve(`${tlsBlock()}http_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\nbasic_auth_users:\n  prometheus: ${hash}\n`);
  try {
    const res = await request(`${s.url}/metrics`, { ca: pki.serverCert });
    assert.equal(res.status, 401);
    assert.equal(res.headers['strict-transport-security'], 'max-age=31536000');
  } finally {
    await s.close();
  }
});

test('the shipped example (examples/web-config.yml) serves TLS and accepts its documented user', async () => {
  const example = resolve('examples/web-config.yml');
  const web = await loadWebConfig(example);
  assert.ok(web.tls);
  assert.deepEqual(Object.keys(web.users), ['prometheus']);
  const registry = new Registry();
  const app = createApp({
    registry,
    health: createHealth({ missingGraceMs: 1000 }),
    telemetryPath: '/metrics',
    version: 'test',
    files: () => [],
    users: web.users,
    headers: web.headers,
    logger: memoryLogger().logger,
  });
  const listening = await listenLoopback(createServer(app, web.tls));
  try {
    const exampleCert = web.tls.cert as string;
    const url = `https://127.0.0.1:${listening.port}/metrics`;
    assert.equal((await request(url, { ca: exampleCert })).status, 401);
    const ok = await request(url, { ca: exampleCert, headers: basic('prometheus', 'example-password') });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-frame-options'], 'deny');
  } finally {
    await listening.close();
  }
});
