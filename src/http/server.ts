/**
 * Creates (never starts) the HTTP or HTTPS server around the app. src/cli.ts calls listen()
 * for each --web.listen-address, using parseListenAddress for host and port.
 *
 * node's TLS options can require and verify a client certificate (RequireAndVerifyClientCert)
 * but cannot say "require any certificate", "verify only if given" or "must carry one of
 * these SANs". Those exporter-toolkit policies are checked here on each new connection, before
 * a request is read; a connection that fails them is closed.
 */
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { ClientCertPolicy, TlsServerOptions } from './web-config.js';

export { parseListenAddress } from '../config.js';

export interface ServerHooks {
  /** called when a TLS client is turned away by the client certificate policy */
  onClientCertRejected?: (reason: string, remoteAddress: string | undefined) => void;
}

export function createServer(
  app: http.RequestListener,
  tls: https.ServerOptions | TlsServerOptions | null,
  hooks: ServerHooks = {},
): http.Server | https.Server {
  if (tls === null) return http.createServer(app);
  const { clientCertPolicy, ...options } = tls as Partial<TlsServerOptions>;
  const server = https.createServer(options, app);
  if (clientCertPolicy !== undefined && needsConnectionCheck(clientCertPolicy)) {
    // Prepended so the socket is closed before the HTTP parser gets to read from it.
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const reason = clientCertRejection(socket, clientCertPolicy);
      if (reason === null) return;
      hooks.onClientCertRejected?.(reason, socket.remoteAddress);
      socket.destroy();
    });
  }
  return server;
}

function needsConnectionCheck(policy: ClientCertPolicy): boolean {
  return policy.authType === 'RequireAnyClientCert' || policy.authType === 'VerifyClientCertIfGiven' || policy.allowedSans !== null;
}

/** Why this connection breaks the policy, or null when it may go on. */
export function clientCertRejection(socket: TLSSocket, policy: ClientCertPolicy): string | null {
  const peer = socket.getPeerCertificate();
  const hasCert = peer !== null && Object.keys(peer).length > 0;
  if (!hasCert) {
    return policy.authType === 'RequireAnyClientCert' || policy.authType === 'RequireAndVerifyClientCert' || policy.allowedSans !== null
      ? 'no client certificate'
      : null;
  }
  if (policy.authType === 'VerifyClientCertIfGiven' && !socket.authorized) {
    return `client certificate not verified: ${String(socket.authorizationError)}`;
  }
  if (policy.allowedSans !== null) {
    const sans = subjectAltNames(new X509Certificate(peer.raw).subjectAltName);
    if (!sans.some((san) => policy.allowedSans!.includes(san))) return 'client certificate carries none of client_allowed_sans';
  }
  return null;
}

/**
 * Values of an X509Certificate.subjectAltName string ('DNS:a, IP Address:127.0.0.1, …').
 * node quotes values that contain separators as JSON strings.
 */
export function subjectAltNames(text: string | undefined): string[] {
  if (text === undefined) return [];
  const out: string[] = [];
  const re = /(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g;
  for (const m of text.matchAll(re)) {
    const raw = m[2]!;
    out.push(raw.startsWith('"') ? (JSON.parse(raw) as string) : raw);
  }
  return out;
}
