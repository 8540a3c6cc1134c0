/**
 * loadWebConfig against the real `promtool check web-config` (Prometheus 2.42's exporter-toolkit):
 * each file below is judged by both, and they must agree except where a difference is deliberate
 * and named.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { ConfigError } from '../../src/errors.js';
import { loadWebConfig } from '../../src/http/web-config.js';

let dir: string;
let hash: string;
const EXAMPLES = resolve('examples');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-web-config-'));
  copyFileSync(join(EXAMPLES, 'example.crt'), join(dir, 'server.crt'));
  copyFileSync(join(EXAMPLES, 'example.key'), join(dir, 'server.key'));
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(dir, 'other.key')], { stdio: 'ignore' });
  // An RSA certificate, for a key pair of two types (an RSA certificate with an EC key).
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'rsa.key'), '-out', join(dir, 'rsa.crt'), '-days', '2', '-subj', '/CN=rsa'], { stdio: 'ignore' });
  hash = bcrypt.hashSync('pw', 4);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function promtoolCheck(file: string): Promise<{ ok: boolean; output: string }> {
  return new Promise((done) => {
    execFile('promtool', ['check', 'web-config', file], { timeout: 30_000 }, (err, stdout, stderr) => {
      done({ ok: err === null, output: `${stdout}${stderr}` });
    });
  });
}

async function ours(file: string): Promise<{ ok: boolean; error: ConfigError | null }> {
  try {
    await loadWebConfig(file);
    return { ok: true, error: null };
  } catch (err) {
    assert.ok(err instanceof ConfigError, `not a ConfigError: ${String(err)}`);
    return { ok: false, error: err };
  }
}

/** A few lines that expand to 10^9 nodes when every alias is followed ("billion laughs"). */
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(',')}]`),
  '',
].join('\n');

const TLS = 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n';

interface Case {
  name: string;
  yaml: string;
  /** accepted by both, or refused by both with our message matching `why` */
  accept: boolean;
  why?: RegExp;
  /** set when promtool 2.42 deliberately disagrees */
  promtoolAccepts?: boolean;
}

const cases: Case[] = [
  { name: 'empty file', yaml: '', accept: true },
  { name: 'comments only', yaml: '# nothing\n', accept: true },
  { name: 'TLS', yaml: TLS, accept: true },
  { name: 'TLS with versions, ciphers, curves', yaml: `${TLS}  min_version: TLS12\n  max_version: TLS13\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [X25519, CurveP256]\n  prefer_server_cipher_suites: false\n`, accept: true },
  { name: 'mutual TLS', yaml: `${TLS}  client_ca_file: server.crt\n  client_auth_type: RequireAndVerifyClientCert\n`, accept: true },
  { name: 'old RequireClientCert spelling', yaml: `${TLS}  client_auth_type: RequireClientCert\n`, accept: true },
  { name: 'only min_version: no TLS', yaml: 'tls_server_config:\n  min_version: TLS13\n', accept: true },
  { name: 'headers and http2', yaml: 'http_server_config:\n  http2: false\n  headers:\n    X-Frame-Options: sameorigin\n    Content-Security-Policy: "default-src \'self\'"\n', accept: true },
  { name: 'basic auth users', yaml: 'basic_auth_users:\n  prometheus: HASH\n', accept: true },
  { name: 'unknown top-level key', yaml: 'foo: 1\n', accept: false, why: /foo: unknown key/ },
  { name: 'unknown TLS key', yaml: `${TLS}  cert_path: x\n`, accept: false, why: /tls_server_config\.cert_path: unknown key/ },
  { name: 'rate_limit', yaml: 'rate_limit:\n  burst: 1\n', accept: false, why: /rate_limit is not supported/ },
  { name: 'header not allowed', yaml: 'http_server_config:\n  headers:\n    X-Foo: bar\n', accept: false, why: /"X-Foo" can not be configured/ },
  { name: 'header value not allowed', yaml: 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n', accept: false, why: /X-Frame-Options: expected one of deny, sameorigin/ },
  { name: 'not a bcrypt hash', yaml: 'basic_auth_users:\n  prometheus: secret\n', accept: false, why: /basic_auth_users\.prometheus: not a bcrypt hash/ },
  { name: 'client CA without client auth', yaml: `${TLS}  client_ca_file: server.crt\n`, accept: false, why: /client CAs have been configured without/ },
  { name: 'unknown client_auth_type', yaml: `${TLS}  client_auth_type: Maybe\n`, accept: false, why: /client_auth_type: expected one of/ },
  { name: 'missing key_file', yaml: 'tls_server_config:\n  cert_file: server.crt\n', accept: false, why: /missing one of key or key_file/ },
  { name: 'missing cert_file', yaml: 'tls_server_config:\n  key_file: server.key\n', accept: false, why: /missing one of cert or cert_file/ },
  { name: 'cert file not there', yaml: 'tls_server_config:\n  cert_file: nothere.crt\n  key_file: server.key\n', accept: false, why: /cert_file: cannot read .*nothere\.crt/ },
  { name: 'key of another certificate', yaml: 'tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n', accept: false, why: /key_file .*other\.key: this key does not belong to the certificate in cert_file .*server\.crt/ },
  { name: 'key of another type (RSA certificate, EC key)', yaml: 'tls_server_config:\n  cert_file: rsa.crt\n  key_file: other.key\n', accept: false, why: /key_file .*other\.key: this key does not belong to the certificate .*certificate key: rsa, private key: ec/ },
  { name: 'YAML alias bomb', yaml: ALIAS_BOMB, accept: false, why: /not valid YAML: .*alias/i },
  { name: 'unknown cipher', yaml: `${TLS}  cipher_suites: [TLS_FAKE]\n`, accept: false, why: /unknown cipher: TLS_FAKE/ },
  { name: 'unknown curve', yaml: `${TLS}  curve_preferences: [P-256]\n`, accept: false, why: /unknown curve: P-256/ },
  { name: 'unknown TLS version', yaml: `${TLS}  min_version: TLS14\n`, accept: false, why: /min_version: expected one of TLS10, TLS11, TLS12, TLS13/ },
  { name: 'duplicate key', yaml: 'basic_auth_users: {}\nbasic_auth_users: {}\n', accept: false, why: /not valid YAML/ },
  { name: 'not YAML', yaml: 'tls_server_config: [\n', accept: false, why: /not valid YAML/ },
  { name: 'a list at the top', yaml: '- a\n', accept: false, why: /\(top level\): expected a mapping/ },
  // Deliberate differences from promtool 2.42:
  { name: 'min_version above max_version (Go accepts it and fails every handshake)', yaml: `${TLS}  min_version: TLS13\n  max_version: TLS12\n`, accept: false, why: /min_version TLS13 is above max_version TLS12/, promtoolAccepts: true },
];

describe('loadWebConfig agrees with promtool check web-config', () => {
  const judged = new Map<string, Promise<{ ok: boolean; output: string }>>();
  before(() => {
    for (const [i, c] of cases.entries()) {
      const file = join(dir, `case-${i}.yml`);
      writeFileSync(file, c.yaml.replace('HASH', hash));
      judged.set(c.name, promtoolCheck(file));
    }
  });

  for (const [i, c] of cases.entries()) {
    test(c.name, async () => {
      const file = join(dir, `case-${i}.yml`);
      const mine = await ours(file);
      const theirs = await judged.get(c.name)!;
      assert.equal(mine.ok, c.accept, mine.error?.message ?? 'accepted');
      assert.equal(theirs.ok, c.promtoolAccepts ?? c.accept, `promtool: ${theirs.output}`);
      if (c.why) {
        assert.match(mine.error!.message, c.why);
        assert.equal(mine.error!.code, 'QX_WEB_CONFIG_INVALID');
        assert.ok(mine.error!.message.startsWith(`--web.config.file ${file}: `), mine.error!.message);
      }
    });
  }
});

describe('what loadWebConfig returns', () => {
  test('relative certificate paths are read from the config file directory, not the working directory', async () => {
    const sub = join(dir, 'conf.d');
    mkdirSync(sub, { recursive: true });
    copyFileSync(join(dir, 'server.crt'), join(sub, 'tls.crt'));
    copyFileSync(join(dir, 'server.key'), join(sub, 'tls.key'));
    writeFileSync(join(sub, 'web.yml'), 'tls_server_config:\n  cert_file: tls.crt\n  key_file: ./tls.key\n');
    assert.notEqual(process.cwd(), sub);
    const web = await loadWebConfig(join(sub, 'web.yml'));
    assert.equal(web.tls?.cert, readFileSync(join(sub, 'tls.crt'), 'utf8'));
    assert.equal(web.tls?.key, readFileSync(join(sub, 'tls.key'), 'utf8'));
  });

  test('an empty file means plain HTTP, no users, no headers', async () => {
    writeFileSync(join(dir, 'empty.yml'), '');
    const web = await loadWebConfig(join(dir, 'empty.yml'));
    assert.equal(web.tls, null);
    assert.deepEqual(Object.keys(web.users), []);
    assert.deepEqual(Object.keys(web.headers), []);
  });

  test('node TLS options follow the file: versions, ciphers, curves, client auth', async () => {
    writeFileSync(
      join(dir, 'full.yml'),
      `${TLS}  min_version: TLS13\n  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]\n  curve_preferences: [CurveP384]\n  client_ca_file: server.crt\n  client_auth_type: VerifyClientCertIfGiven\n`,
    );
    const tls = (await loadWebConfig(join(dir, 'full.yml'))).tls;
    assert.ok(tls);
    assert.equal(tls.minVersion, 'TLSv1.3');
    assert.equal(tls.maxVersion, 'TLSv1.3');
    assert.equal(tls.ciphers, 'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:ECDHE-RSA-AES128-GCM-SHA256');
    assert.equal(tls.ecdhCurve, 'P-384');
    assert.equal(tls.requestCert, true);
    assert.equal(tls.rejectUnauthorized, false);
    assert.equal(tls.honorCipherOrder, true);
    assert.deepEqual(tls.clientCertPolicy, { authType: 'VerifyClientCertIfGiven', allowedSans: null });
  });

  test('inline cert and key (newer exporter-toolkit) work too', async () => {
    const indent = (pem: string) => pem.trim().split('\n').map((l) => `    ${l}`).join('\n');
    const crt = readFileSync(join(dir, 'server.crt'), 'utf8');
    const key = readFileSync(join(dir, 'server.key'), 'utf8');
    writeFileSync(join(dir, 'inline.yml'), `tls_server_config:\n  cert: |\n${indent(crt)}\n  key: |\n${indent(key)}\n`);
    const tls = (await loadWebConfig(join(dir, 'inline.yml'))).tls;
    assert.ok(tls);
    assert.match(String(tls.cert), /BEGIN CERTIFICATE/);
  });

  test('users keep odd names as plain keys, without a prototype', async () => {
    writeFileSync(join(dir, 'users.yml'), `basic_auth_users:\n  __proto__: ${hash}\n  "123": ${hash}\n`);
    const { users } = await loadWebConfig(join(dir, 'users.yml'));
    assert.equal(Object.getPrototypeOf(users), null);
    assert.deepEqual(Object.keys(users).sort(), ['123', '__proto__']);
    assert.equal(Object.hasOwn(users, 'toString'), false);
  });

  test('a missing file is a ConfigError naming the flag and the file', async () => {
    const file = join(dir, 'absent.yml');
    await assert.rejects(loadWebConfig(file), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.code, 'QX_WEB_CONFIG_INVALID');
      assert.equal(err.flag, '--web.config.file');
      assert.match(err.message, /^--web\.config\.file .*absent\.yml: cannot read: ENOENT/);
      return true;
    });
  });
});

test('promtool check web-config accepts examples/web-config.yml', async () => {
  const res = await promtoolCheck(join(EXAMPLES, 'web-config.yml'));
  assert.equal(res.ok, true, res.output);
  assert.match(res.output, /SUCCESS/);
});

describe('the exporter process refuses a bad --web.config.file at start-up: exit 2, the flag and file named, no stack trace', () => {
  const start = (yaml: string, name: string) => {
    const file = join(dir, name);
    writeFileSync(file, yaml);
    const log = join(dir, 'maillog');
    writeFileSync(log, '');
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', `--qmail.log-path=${log}`, `--web.config.file=${file}`, '--web.listen-address=127.0.0.1:0'], {
      cwd: resolve('.'),
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { status: r.status, stderr: r.stderr, file };
  };
  test('a YAML alias bomb', () => {
    const r = start(ALIAS_BOMB, 'bomb.yml');
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`--web.config.file ${r.file}`), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
  test('an RSA certificate with an EC key', () => {
    const r = start('tls_server_config:\n  cert_file: rsa.crt\n  key_file: other.key\n', 'mismatch.yml');
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(join(dir, 'other.key')), r.stderr);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
