/**
 * The HTTP face of the exporter: /metrics (or --web.telemetry-path), /healthz, /-/healthy,
 * /-/ready and a small landing page. A factory that never listens: src/cli.ts creates the
 * server (createServer in ./server.ts) and listens; tests listen on 127.0.0.1:0.
 *
 * Basic auth and extra headers come from the exporter-toolkit web config and behave as the
 * toolkit does (web/handler.go there): headers on every response, auth on every route,
 * bcrypt compared against a fixed dummy hash for unknown users so timing does not reveal
 * which users exist, one bcrypt at a time, and results cached per (user, hash, password).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import bcrypt from 'bcryptjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { FollowStatusLike, Health } from '../health.js';
import type { Logger } from '../log.js';
import { acceptsGzip, negotiateFormat, OPENMETRICS_CONTENT_TYPE, renderOpenMetrics } from './exposition.js';

const gzipAsync = promisify(gzip);

/** What the landing page shows for each followed file (the follower's status). */
export type FileState = FollowStatusLike;

export interface AppDeps {
  registry: Registry;
  health: Health;
  telemetryPath: string;
  version: string;
  files: () => FileState[];
  /** user → bcrypt hash; empty or absent means no authentication */
  users?: Record<string, string>;
  /** extra response headers from the web config */
  headers?: Record<string, string>;
  logger: Logger;
}

/** exporter-toolkit's bcrypt hash of "fakepassword", compared for unknown users. */
const DUMMY_HASH = '$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi';
const AUTH_CACHE_SIZE = 1000;

export function createApp(deps: AppDeps): express.Express {
  const log = deps.logger.child({ room: 'http' });
  const app = express();
  app.disable('x-powered-by');
  // An ETag would hash every scrape body (hundreds of KB) for nothing: scrapes never revalidate.
  app.set('etag', false);

  const headers = Object.entries(deps.headers ?? {});
  if (headers.length > 0) {
    app.use((_req, res, next) => {
      for (const [name, value] of headers) res.setHeader(name, value);
      next();
    });
  }

  const users = deps.users ?? {};
  if (Object.keys(users).length > 0) app.use(basicAuth(users, log));

  app.use((req, res, next) => {
    if (req.method === 'GET' || req.method === 'HEAD') return next();
    res.status(405).setHeader('Allow', 'GET, HEAD');
    res.type('text/plain').send('Method Not Allowed\n');
  });

  app.use(async (req, res, next) => {
    switch (req.path) {
      case deps.telemetryPath:
        return serveMetrics(deps.registry, req, res, log);
      case '/healthz': {
        const snap = deps.health.snapshot();
        res.status(snap.healthy ? 200 : 503).setHeader('Cache-Control', 'no-store');
        res.json(snap);
        return;
      }
      case '/-/healthy':
        res.type('text/plain').send('qmail_exporter is healthy.\n');
        return;
      case '/-/ready': {
        const ready = deps.health.ready();
        res.status(ready ? 200 : 503).type('text/plain');
        res.send(ready ? 'qmail_exporter is ready.\n' : 'qmail_exporter is not ready.\n');
        return;
      }
      case '/':
        res.type('html').send(landingPage(deps));
        return;
      default:
        next();
    }
  });

  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not Found\n');
  });

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    log.error({ err }, 'request failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.status(500).type('text/plain').send('Internal Server Error\n');
  });

  return app;
}

async function serveMetrics(registry: Registry, req: Request, res: Response, log: Logger): Promise<void> {
  const format = negotiateFormat(req.headers.accept);
  let body: string;
  try {
    body = format === 'openmetrics' ? await renderOpenMetrics(registry) : await registry.metrics();
  } catch (err) {
    log.error({ err }, 'metrics collection failed');
    res.status(500).type('text/plain').send('An error has occurred while gathering metrics; see the exporter log.\n');
    return;
  }
  // Written as is: Prometheus picks the parser from this exact content type.
  res.statusCode = 200;
  res.setHeader('Content-Type', format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : registry.contentType);
  res.setHeader('Vary', 'Accept, Accept-Encoding');
  if (acceptsGzip(req.headers['accept-encoding'])) {
    // Off the main thread (zlib's pool): a scrape of a few hundred KB must not stall line reading.
    const zipped = await gzipAsync(body);
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Length', zipped.length);
    res.end(zipped);
    return;
  }
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}

function basicAuth(users: Record<string, string>, log: Logger) {
  const cache = new Map<string, boolean>();
  // bcrypt is deliberately slow: run one comparison at a time so a burst of requests cannot
  // take every core (the toolkit holds a mutex for the same reason).
  let previous: Promise<unknown> = Promise.resolve();
  const compareOneAtATime = (password: string, hash: string): Promise<boolean> => {
    const run = previous.then(() => bcrypt.compare(password, hash)).catch(() => false);
    previous = run;
    return run;
  };

  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const credentials = parseBasicAuth(req.headers.authorization);
    if (credentials !== null) {
      const { user, password } = credentials;
      // Object.hasOwn, not users[user]: a user named "__proto__" or "toString" must not match.
      const known = Object.hasOwn(users, user);
      const hash = known ? users[user]! : DUMMY_HASH;
      const key = createHash('sha256').update(`${user}\0${hash}\0${password}`).digest('hex');
      let ok = cache.get(key);
      if (ok === undefined) {
        // Always compare, also for unknown users (against the dummy), so both take as long.
        const matches = await compareOneAtATime(password, hash);
        ok = known && matches;
        if (cache.size >= AUTH_CACHE_SIZE) cache.delete(cache.keys().next().value!);
        cache.set(key, ok);
      }
      if (ok) return next();
    }
    if (log.isLevelEnabled('debug')) log.debug({ path: req.path, remote: req.socket.remoteAddress }, 'unauthorized request');
    res.status(401).setHeader('WWW-Authenticate', 'Basic');
    res.type('text/plain').send('Unauthorized\n');
  };
}

/** RFC 7617 credentials from an Authorization header, or null when absent or malformed. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  if (header === undefined) return null;
  const m = /^basic +([A-Za-z0-9+/]+={0,2})$/i.exec(header.trim());
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function landingPage(deps: AppDeps): string {
  const rows = deps
    .files()
    .map((f) => `      <tr><td><code>${escapeHtml(f.path)}</code></td><td>${escapeHtml(fileStateText(f))}</td></tr>`)
    .join('\n');
  // Relative links, so the page keeps working behind a reverse proxy that adds a path prefix.
  const link = (path: string) => escapeHtml(`.${path}`);
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>qmail_exporter</title>
  </head>
  <body>
    <h1>qmail_exporter</h1>
    <p>Prometheus exporter for qmail mail logs. Version ${escapeHtml(deps.version)}.</p>
    <ul>
      <li><a href="${link(deps.telemetryPath)}">Metrics</a></li>
      <li><a href="${link('/healthz')}">Health</a></li>
    </ul>
    <h2>Followed files</h2>
    <table>
      <tr><th>File</th><th>State</th></tr>
${rows === '' ? '      <tr><td colspan="2">none yet</td></tr>' : rows}
    </table>
  </body>
</html>
`;
}

function fileStateText(f: FileState): string {
  if (f.stopped) return 'stopped';
  if (f.lastError !== null) return `read error: ${f.lastError}`;
  if (!f.present) return 'missing';
  return 'following';
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
