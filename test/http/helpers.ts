/** Shared by the http tests: real servers on 127.0.0.1:0, real clients, real certificates. */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { createLogger, type Logger } from '../../src/log.js';

export interface Listening {
  port: number;
  close(): Promise<void>;
}

/** Listens on an ephemeral loopback port; close() also drops idle keep-alive connections. */
export async function listenLoopback(server: http.Server | https.Server): Promise<Listening> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  peerCertificate: PeerCertificate | null;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** for https: trusted CA, client certificate and key, TLS version bounds */
  ca?: string;
  cert?: string;
  key?: string;
  minVersion?: https.RequestOptions['minVersion'];
  maxVersion?: https.RequestOptions['maxVersion'];
}

/** One request with node's own client (global fetch cannot be given a CA or a client certificate). */
export function request(url: string, opts: RequestOptions = {}): Promise<Reply> {
  const isHttps = url.startsWith('https:');
  const lib = isHttps ? https : http;
  const options: https.RequestOptions = { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false };
  if (isHttps) {
    if (opts.ca !== undefined) options.ca = opts.ca;
    if (opts.cert !== undefined) options.cert = opts.cert;
    if (opts.key !== undefined) options.key = opts.key;
    if (opts.minVersion !== undefined) options.minVersion = opts.minVersion;
    if (opts.maxVersion !== undefined) options.maxVersion = opts.maxVersion;
  }
  return new Promise<Reply>((resolve, reject) => {
    const req = lib.request(url, options, (res) => {
      const socket = res.socket as TLSSocket;
      const peerCertificate = isHttps ? socket.getPeerCertificate() : null;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), peerCertificate }),
      );
    });
    req.setTimeout(10_000, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end();
  });
}

export function basic(user: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

/** A logger that writes into memory, for asserting what the app logged. */
export function memoryLogger(): { logger: Logger; records: () => Array<Record<string, unknown>> } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ level: 'debug', format: 'json', destination: stream });
  return {
    logger,
    records: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface TestPki {
  /** PEM texts */
  caCert: string;
  serverCert: string;
  serverKey: string;
  /** signed by the CA, SAN DNS:prometheus.example */
  clientCert: string;
  clientKey: string;
  /** signed by the CA, SAN DNS:other.example */
  otherClientCert: string;
  otherClientKey: string;
  /** self-signed, not known to the CA */
  rogueCert: string;
  rogueKey: string;
}

/** Generates a small PKI with the openssl command into `dir` (EC P-256 keys: fast). */
export function makeTestPki(dir: string): TestPki {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=qmail_exporter test CA');
  openssl(
    'req', '-x509', ...ec, '-keyout', 'server.key', '-out', 'server.crt', '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  );
  const clientSignedByCa = (name: string, san: string) => {
    writeFileSync(join(dir, `${name}.ext`), `subjectAltName=${san}\nextendedKeyUsage=clientAuth\n`);
    openssl('req', '-new', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    openssl(
      'x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${name}.crt`,
      '-days', '2', '-extfile', `${name}.ext`,
    );
  };
  clientSignedByCa('client', 'DNS:prometheus.example');
  clientSignedByCa('other', 'DNS:other.example');
  openssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '2', '-subj', '/CN=rogue');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return {
    caCert: read('ca.crt'),
    serverCert: read('server.crt'),
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    otherClientCert: read('other.crt'),
    otherClientKey: read('other.key'),
    rogueCert: read('rogue.crt'),
    rogueKey: read('rogue.key'),
  };
}
