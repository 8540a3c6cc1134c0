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
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { FollowStatusLike, Health } from '../health.js';
import type { Logger } from '../log.js';
import type { ExporterOverview } from '../overview.js';
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
  /** what the landing page shows beyond the files (the service's overview); absent: files only */
  overview?: () => ExporterOverview;
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
  const log = deps.logger.child({ component: 'http' });
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
  // bcryptjs is loaded with the first credentials to check, not by an exporter without users.
  let bcrypt: Promise<typeof import('bcryptjs')> | null = null;
  const compareOneAtATime = (password: string, hash: string): Promise<boolean> => {
    const run = previous
      .then(async () => (await (bcrypt ??= import('bcryptjs'))).default.compare(password, hash))
      .catch(() => false);
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

/**
 * The landing page: plain HTML, no scripts, no external resources. Every value is escaped: paths,
 * error messages and leaderboard keys (user names, IPs) can carry hostile text from the log.
 */
function landingPage(deps: AppDeps): string {
  const o: ExporterOverview = deps.overview?.() ?? overviewFromFiles(deps.files());
  const e = escapeHtml;
  // Relative links, so the page keeps working behind a reverse proxy that adds a path prefix.
  const link = (path: string, text: string) => `<a href="${e(`.${path}`)}">${e(text)}</a>`;
  const row = (cells: string[]) => `      <tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const table = (head: string[], rows: string[], empty: string) =>
    `    <table>\n      <tr>${head.map((h) => `<th>${e(h)}</th>`).join('')}</tr>\n${rows.length === 0 ? `      <tr><td colspan="${head.length}">${e(empty)}</td></tr>` : rows.join('\n')}\n    </table>`;

  const sources = o.sources.map((s) =>
    row([
      e(s.kind),
      `<code>${e(s.name)}</code>`,
      `<span class="${s.healthy ? 'ok' : 'bad'}">${e(s.state)}</span>`,
      s.lagBytes === null ? '' : e(`${s.lagBytes} B`),
      s.lastLinesAgeSeconds === null ? 'never' : e(`${age(s.lastLinesAgeSeconds)} ago`),
    ]),
  );
  const lines = o.lines.map((l) => row([e(l.result), e(String(l.count))]));
  const cases = o.cases.rows.map((c) => row([`<code>${e(c.case)}</code>`, e(String(c.count))]));
  const leaders = o.leaders.map((l) =>
    row([`<code>${e(l.board)}</code>`, e(l.window), l.key === null ? 'nobody' : `<code>${e(l.key)}</code>`, e(String(l.value))]),
  );
  const caseWindow = o.cases.seconds >= 3600 ? 'the last hour' : `the last ${age(o.cases.seconds)} (since start)`;
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <title>qmail_exporter</title>
    <style>
      body { font-family: sans-serif; margin: 1.5em; }
      table { border-collapse: collapse; margin-bottom: 1em; }
      th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; }
      .ok { color: #060; } .bad { color: #a00; font-weight: bold; }
    </style>
  </head>
  <body>
    <h1>qmail_exporter</h1>
    <p>Prometheus exporter for qmail mail logs. Version ${e(deps.version)}.</p>
    <ul>
      <li>${link(deps.telemetryPath, 'Metrics')}</li>
      <li>${link('/healthz', 'Health')} (JSON, 503 with the reasons when unhealthy)</li>
      <li>${link('/-/ready', 'Readiness')}</li>
    </ul>
    <h2>Sources</h2>
${table(['kind', 'source', 'state', 'lag', 'lines last arrived'], sources, 'none yet')}
    <p>Newest line written: ${o.newestLineAgeSeconds === null ? 'no timed line read yet' : e(`${age(o.newestLineAgeSeconds)} ago`)}.</p>
    <h2>Lines by result</h2>
${table(['result', 'lines'], lines, 'no lines yet')}
    <h2>Recipients by case over ${e(caseWindow)}</h2>
${table(['case', 'recipients'], cases, 'not counted yet')}
    <h2>Top of each leaderboard</h2>
${table(['board', 'window', 'top', 'count'], leaders, 'no leaderboards')}
  </body>
</html>
`;
}

/** The page for an app given only files (tests, tools): the sources and nothing counted. */
function overviewFromFiles(files: FileState[]): ExporterOverview {
  return {
    sources: files.map((f) => ({
      kind: 'file',
      name: f.path,
      state: fileStateText(f),
      healthy: !f.stopped && f.lastError === null && f.present,
      lagBytes: null,
      lastLinesAgeSeconds: null,
    })),
    newestLineAgeSeconds: null,
    lines: [],
    cases: { seconds: 0, rows: [] },
    leaders: [],
  };
}

function fileStateText(f: FileState): string {
  if (f.stopped) return 'stopped';
  if (f.lastError !== null) return `read error: ${f.lastError}`;
  if (!f.present) return 'missing';
  return 'following';
}

/** 42 s, 3 min, 2 h 5 min, 3 d 4 h */
function age(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min`;
  if (s < 172800) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d ${Math.floor((s % 86400) / 3600)} h`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
