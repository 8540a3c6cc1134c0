/**
 * The --web.config.file YAML of Prometheus' exporter-toolkit (docs/web-configuration.md there),
 * so one file works for this exporter, node_exporter and `promtool check web-config`:
 *
 *   tls_server_config:   cert_file/key_file (or inline cert/key), client_ca_file (or client_ca),
 *                        client_auth_type, client_allowed_sans, min_version, max_version,
 *                        cipher_suites, curve_preferences, prefer_server_cipher_suites
 *   http_server_config:  headers (the toolkit's short list), http2 (accepted; we serve HTTP/1.1)
 *   basic_auth_users:    user → bcrypt hash
 *
 * Like the toolkit: unknown keys are errors, relative paths are relative to the file's own
 * directory, TLS is on only when a TLS field is set, certificates are loaded and checked now,
 * and a client CA without a client_auth_type that asks for certificates is an error.
 * Unlike the toolkit: the file is read once at start-up (restart to apply changes), and
 * `rate_limit` is refused rather than ignored.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ServerOptions } from 'node:https';
import { dirname, isAbsolute, join } from 'node:path';
import { createSecureContext, type SecureContextOptions } from 'node:tls';
import { parseDocument } from 'yaml';
import { ConfigError } from '../errors.js';

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** What node's TLS options cannot say by themselves; createServer enforces it per connection. */
export interface ClientCertPolicy {
  authType: ClientAuthType;
  /** SANs one of which the client certificate must carry, or null for any */
  allowedSans: string[] | null;
}

/** https.ServerOptions plus the client-certificate policy (stripped before node sees it). */
export type TlsServerOptions = ServerOptions & { clientCertPolicy: ClientCertPolicy };

export interface WebConfig {
  tls: TlsServerOptions | null;
  /** user → bcrypt hash; no prototype, so any user name is an ordinary key */
  users: Record<string, string>;
  /** extra response headers, already checked against the toolkit's allowed list */
  headers: Record<string, string>;
}

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const;
type TlsVersionName = keyof typeof TLS_VERSIONS;
const TLS_VERSION_ORDER: TlsVersionName[] = ['TLS10', 'TLS11', 'TLS12', 'TLS13'];

/** Go crypto/tls suite names (tls.CipherSuites()) → OpenSSL names. TLS 1.3 suites are not configurable in Go. */
const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
// Kept whatever cipher_suites says, as Go does, so TLS 1.3 still works.
const TLS13_SUITES = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];

const CURVES: Record<string, string> = { CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521', X25519: 'X25519' };

/** The toolkit's extraHTTPHeaders: only these may be set, some only to fixed values. */
const ALLOWED_HEADERS: Record<string, readonly string[] | null> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

/** Go's bcrypt.Cost accepts $2$, $2a$, $2b$, $2y$ … with a cost of 4 to 31 and 53 characters of salt+hash. */
const BCRYPT_HASH_RE = /^\$2[abxy]?\$(0[4-9]|[12]\d|3[01])\$[./A-Za-z0-9]{53}$/;

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users'];
const TLS_KEYS = [
  'cert_file',
  'key_file',
  'cert',
  'key',
  'client_ca_file',
  'client_ca',
  'client_auth_type',
  'client_allowed_sans',
  'min_version',
  'max_version',
  'cipher_suites',
  'curve_preferences',
  'prefer_server_cipher_suites',
];
const HTTP_KEYS = ['headers', 'http2'];
const UNSUPPORTED: Record<string, string> = { rate_limit: 'rate_limit is not supported by qmail_exporter' };

/**
 * Reads and checks the web configuration file. Throws ConfigError (QX_WEB_CONFIG_INVALID)
 * whose message starts with the file name and names the offending key.
 */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const fail = (why: string, cause?: unknown): never => {
    throw new ConfigError('QX_WEB_CONFIG_INVALID', `--web.config.file ${file}: ${why}`, {
      details: { flag: '--web.config.file', path: file },
      ...(cause === undefined ? {} : { cause }),
    });
  };

  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return fail(`cannot read: ${errorMessage(err)}`, err);
  }

  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) fail(`not valid YAML: ${problem.message.split('\n')[0]}`);
  let root: unknown;
  try {
    // An alias bomb (a few lines of anchors that expand to billions of nodes) is refused here: the
    // parser stops at 100 alias expansions, far more than any web configuration needs.
    root = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    return fail(`not valid YAML: ${errorMessage(err)}`, err);
  }

  if (root === null || root === undefined) return { tls: null, users: emptyRecord(), headers: emptyRecord() };
  const top = mapping(root, '(top level)', fail);
  checkKeys(top, TOP_KEYS, '', fail);

  const users = emptyRecord();
  const usersNode = top['basic_auth_users'];
  if (usersNode !== null && usersNode !== undefined) {
    for (const [user, hash] of Object.entries(mapping(usersNode, 'basic_auth_users', fail))) {
      if (typeof hash !== 'string' || !BCRYPT_HASH_RE.test(hash)) {
        fail(`basic_auth_users.${user}: not a bcrypt hash (make one with "htpasswd -nBC 10 ${user}")`);
      }
      users[user] = hash as string;
    }
  }

  const headers = emptyRecord();
  const httpNode = top['http_server_config'];
  if (httpNode !== null && httpNode !== undefined) {
    const http = mapping(httpNode, 'http_server_config', fail);
    checkKeys(http, HTTP_KEYS, 'http_server_config.', fail);
    if (http['http2'] !== undefined && http['http2'] !== null && typeof http['http2'] !== 'boolean') {
      fail('http_server_config.http2: expected true or false');
    }
    const headersNode = http['headers'];
    if (headersNode !== null && headersNode !== undefined) {
      for (const [name, value] of Object.entries(mapping(headersNode, 'http_server_config.headers', fail))) {
        const allowed = Object.hasOwn(ALLOWED_HEADERS, name) ? ALLOWED_HEADERS[name] : undefined;
        if (allowed === undefined) {
          fail(`http_server_config.headers: HTTP header ${JSON.stringify(name)} can not be configured (allowed: ${Object.keys(ALLOWED_HEADERS).join(', ')})`);
        }
        if (typeof value !== 'string') fail(`http_server_config.headers.${name}: expected a string`);
        if (allowed && !allowed.includes(value as string)) {
          fail(`http_server_config.headers.${name}: expected one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
        }
        headers[name] = value as string;
      }
    }
  }

  const tlsNode = top['tls_server_config'];
  const tls = tlsNode === null || tlsNode === undefined ? null : await loadTls(mapping(tlsNode, 'tls_server_config', fail), dirname(file), fail);
  return { tls, users, headers };
}

type Fail = (why: string, cause?: unknown) => never;

async function loadTls(cfg: Record<string, unknown>, baseDir: string, fail: Fail): Promise<TlsServerOptions | null> {
  checkKeys(cfg, TLS_KEYS, 'tls_server_config.', fail);
  const str = (key: string): string | null => {
    const v = cfg[key];
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string') return fail(`tls_server_config.${key}: expected a string`);
    return v;
  };
  const certFile = str('cert_file');
  const keyFile = str('key_file');
  const caFile = str('client_ca_file');
  const inlineCert = str('cert');
  const inlineKey = str('key');
  const inlineCa = str('client_ca');
  const authTypeText = str('client_auth_type');

  // The toolkit turns TLS on only when one of these is set; version or cipher settings alone do not.
  if (![certFile, keyFile, caFile, inlineCert, inlineKey, inlineCa, authTypeText].some((v) => v !== null)) return null;
  if (certFile === null && inlineCert === null) fail('tls_server_config: missing one of cert or cert_file');
  if (keyFile === null && inlineKey === null) fail('tls_server_config: missing one of key or key_file');

  const read = async (key: string, p: string): Promise<string> => {
    const full = isAbsolute(p) ? p : join(baseDir, p);
    try {
      return await readFile(full, 'utf8');
    } catch (err) {
      return fail(`tls_server_config.${key}: cannot read ${full}: ${errorMessage(err)}`, err);
    }
  };
  const cert = certFile !== null ? await read('cert_file', certFile) : inlineCert!;
  const key = keyFile !== null ? await read('key_file', keyFile) : inlineKey!;
  checkKeyPair(cert, key, certFile !== null ? `cert_file ${resolvePath(baseDir, certFile)}` : 'cert', keyFile !== null ? `key_file ${resolvePath(baseDir, keyFile)}` : 'key', fail);
  const ca = caFile !== null ? await read('client_ca_file', caFile) : inlineCa;
  const caKey = caFile !== null ? 'client_ca_file' : 'client_ca';
  if (ca !== null) {
    const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) fail(`tls_server_config.${caKey}: no PEM certificate found`);
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch (err) {
        fail(`tls_server_config.${caKey}: invalid certificate: ${errorMessage(err)}`, err);
      }
    }
  }

  let authType: ClientAuthType = 'NoClientCert';
  if (authTypeText !== null) {
    const known = authTypeText === 'RequireClientCert' ? 'RequireAnyClientCert' : CLIENT_AUTH_TYPES.find((t) => t === authTypeText);
    if (known === undefined) fail(`tls_server_config.client_auth_type: expected one of ${CLIENT_AUTH_TYPES.join(', ')}, got ${JSON.stringify(authTypeText)}`);
    authType = known!;
  }
  if (ca !== null && authType === 'NoClientCert') {
    fail('tls_server_config: client CAs have been configured without a client_auth_type that asks for certificates');
  }

  let allowedSans: string[] | null = null;
  const sansNode = cfg['client_allowed_sans'];
  if (sansNode !== undefined && sansNode !== null) {
    allowedSans = stringList(sansNode, 'tls_server_config.client_allowed_sans', fail);
    if (authType !== 'RequireAnyClientCert' && authType !== 'RequireAndVerifyClientCert') {
      fail('tls_server_config.client_allowed_sans requires client_auth_type RequireAnyClientCert or RequireAndVerifyClientCert');
    }
  }

  const version = (key: string, dflt: TlsVersionName): TlsVersionName => {
    const v = str(key);
    if (v === null) return dflt;
    if (!Object.hasOwn(TLS_VERSIONS, v)) fail(`tls_server_config.${key}: expected one of ${TLS_VERSION_ORDER.join(', ')}, got ${JSON.stringify(v)}`);
    return v as TlsVersionName;
  };
  const minVersion = version('min_version', 'TLS12');
  const maxVersion = version('max_version', 'TLS13');
  if (TLS_VERSION_ORDER.indexOf(minVersion) > TLS_VERSION_ORDER.indexOf(maxVersion)) {
    fail(`tls_server_config: min_version ${minVersion} is above max_version ${maxVersion}`);
  }

  const options: SecureContextOptions = {
    cert,
    key,
    minVersion: TLS_VERSIONS[minVersion],
    maxVersion: TLS_VERSIONS[maxVersion],
  };
  if (ca !== null) options.ca = ca;

  const suitesNode = cfg['cipher_suites'];
  if (suitesNode !== undefined && suitesNode !== null) {
    const names = stringList(suitesNode, 'tls_server_config.cipher_suites', fail);
    const openssl = names.map((n) => (Object.hasOwn(CIPHER_SUITES, n) ? CIPHER_SUITES[n] : fail(`tls_server_config.cipher_suites: unknown cipher: ${n}`)));
    if (openssl.length > 0) options.ciphers = [...TLS13_SUITES, ...openssl].join(':');
  }
  const curvesNode = cfg['curve_preferences'];
  if (curvesNode !== undefined && curvesNode !== null) {
    const names = stringList(curvesNode, 'tls_server_config.curve_preferences', fail);
    const curves = names.map((n) => (Object.hasOwn(CURVES, n) ? CURVES[n] : fail(`tls_server_config.curve_preferences: unknown curve: ${n}`)));
    if (curves.length > 0) options.ecdhCurve = curves.join(':');
  }
  const prefer = cfg['prefer_server_cipher_suites'];
  if (prefer !== undefined && prefer !== null && typeof prefer !== 'boolean') fail('tls_server_config.prefer_server_cipher_suites: expected true or false');
  options.honorCipherOrder = prefer !== false;

  // Loads the pair now, so a wrong key or a broken PEM stops start-up instead of every handshake.
  try {
    createSecureContext(options);
  } catch (err) {
    fail(`tls_server_config: cannot use the certificate and key: ${errorMessage(err)}`, err);
  }

  const requestCert = authType !== 'NoClientCert';
  return {
    ...options,
    requestCert,
    rejectUnauthorized: authType === 'RequireAndVerifyClientCert',
    clientCertPolicy: { authType, allowedSans },
  };
}

function resolvePath(baseDir: string, p: string): string {
  return isAbsolute(p) ? p : join(baseDir, p);
}

/**
 * The private key must be the certificate's: OpenSSL accepts a certificate and a key of different
 * types side by side (an RSA certificate with an EC key), and every handshake then fails without
 * a word. Checked here, naming both files.
 */
function checkKeyPair(cert: string, key: string, certWhere: string, keyWhere: string, fail: Fail): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
  } catch (err) {
    return fail(`tls_server_config.${certWhere}: not a PEM certificate: ${errorMessage(err)}`, err);
  }
  let privateKey: ReturnType<typeof createPrivateKey>;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    return fail(`tls_server_config.${keyWhere}: not a usable private key: ${errorMessage(err)}`, err);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    fail(
      `tls_server_config.${keyWhere}: this key does not belong to the certificate in ${certWhere} ` +
        `(certificate key: ${x509.publicKey.asymmetricKeyType ?? 'unknown'}, private key: ${privateKey.asymmetricKeyType ?? 'unknown'})`,
    );
  }
}

function mapping(value: unknown, where: string, fail: Fail): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Map) {
    return fail(`${where}: expected a mapping`);
  }
  return value as Record<string, unknown>;
}

function stringList(value: unknown, where: string, fail: Fail): string[] {
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) return fail(`${where}: expected a list of strings`);
  return value;
}

function checkKeys(obj: Record<string, unknown>, allowed: string[], prefix: string, fail: Fail): void {
  for (const key of Object.keys(obj)) {
    if (Object.hasOwn(UNSUPPORTED, key)) fail(UNSUPPORTED[key]!);
    if (!allowed.includes(key)) fail(`${prefix}${key}: unknown key (expected one of ${allowed.join(', ')})`);
  }
}

function emptyRecord(): Record<string, string> {
  return Object.create(null) as Record<string, string>;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
