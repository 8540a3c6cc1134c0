#!/usr/bin/env node
/**
 * Composition root: the only place that reads argv and the environment, listens, handles signals
 * and sets the exit code.
 *
 *   qmail_exporter [flags]                 serve /metrics while following the mail log
 *   qmail_exporter classify [FILE...|-]    one JSON object per line: what the exporter makes of it
 *   qmail_exporter report [FILE...]        what happened in whole logs (text, json or prometheus)
 *   qmail_exporter backfill [FILE...]      OpenMetrics history from archived logs, for promtool
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Server } from 'node:http';
import { parseConfig, parseListenAddress, parseListenerMapFlag, deriveHashKey, HELP_TEXT, type Config } from './config.js';
import { ConfigError } from './errors.js';
import type { Logger } from './log.js';
import { VERSION } from './version.js';

// Each command loads only what it runs (dynamic imports below): `report` over a large file should
// not first pay for express, pino and the HTTP stack (about a tenth of a second at start-up).

const EXIT_USAGE = 2;

const REPORT_HELP = `usage: qmail_exporter report [--format=text|json|prometheus] [--qmail.listener-map=TAG=NAME,...] [--top=N] [FILE...|-]

Reads whole mail logs (plain or gzip, in the order given; '-' or nothing reads standard input) and
prints what happened: recipients per case, delivery results per channel, authentication failures
per protocol, the top authenticated users by recipients sent and by distinct sending IPs, the top
IPs by relay refusals and by authentication failures, and the share of unrecognised lines.
--format=prometheus prints the exposition the live exporter would serve after reading those lines.
The top tables keep at most 100,000 keys each (the smaller half is dropped when full).
`;

const CLASSIFY_HELP = `usage: qmail_exporter classify [--qmail.listener-map=TAG=NAME,...] [FILE...|-]

Prints one JSON object per input line, in order: {"line":N,"event":...,...}. Events: smtp.recipient,
smtp.sender, auth, queue.new, queue.info, queue.end, queue.bounce, delivery.start, delivery.result,
send.status, connection.open/accepted/denied/end/status, rbl.reject, smtp.queued, scan, ignored,
unrecognised, foreign. Files ending in .gz (or starting with gzip's magic bytes) are decompressed.
`;

async function commandReport(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      format: { type: 'string', default: 'text' },
      'qmail.listener-map': { type: 'string', multiple: true, default: [] },
      top: { type: 'string', default: '10' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(REPORT_HELP);
    return 0;
  }
  const { runReport, REPORT_FORMATS } = await import('./commands/report.js');
  const format = REPORT_FORMATS.find((f) => f === values.format);
  if (format === undefined) throw new ConfigError('QX_CONFIG_INVALID', `--format: must be one of ${REPORT_FORMATS.join(', ')}, not '${values.format}'`);
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1 || top > 1000) throw new ConfigError('QX_CONFIG_INVALID', `--top: must be a whole number from 1 to 1000, not '${values.top}'`);
  const text = await runReport({
    files: positionals,
    format,
    top,
    listenerMap: parseListenerMapFlag(values['qmail.listener-map']),
    nowSeconds: Date.now() / 1000,
  });
  process.stdout.write(text);
  return 0;
}

async function commandClassify(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      'qmail.listener-map': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(CLASSIFY_HELP);
    return 0;
  }
  const { runClassify } = await import('./commands/classify.js');
  await runClassify({
    files: positionals,
    listenerMap: parseListenerMapFlag(values['qmail.listener-map']),
    nowSeconds: Date.now() / 1000,
    out: process.stdout,
  });
  return 0;
}

async function commandBackfill(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      output: { type: 'string', short: 'o' },
      step: { type: 'string', default: '60s' },
      label: { type: 'string', multiple: true, default: [] },
      'qmail.listener-map': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const { runBackfill, BACKFILL_HELP } = await import('./commands/backfill.js');
  if (values.help) {
    process.stdout.write(BACKFILL_HELP);
    return 0;
  }
  const summary = await runBackfill({
    files: positionals,
    output: values.output ?? null,
    step: values.step,
    labels: values.label,
    listenerMap: parseListenerMapFlag(values['qmail.listener-map']),
    nowSeconds: Date.now() / 1000,
  });
  process.stderr.write(`backfill: ${JSON.stringify(summary)}\n`);
  return 0;
}

function installId(): string {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    try {
      const id = readFileSync(f, 'utf8').trim();
      if (id !== '') return id;
    } catch {
      // try the next one
    }
  }
  return hostname();
}

async function serve(config: Config, logger: Logger): Promise<void> {
  const [{ createService }, { createApp }, { createServer }, { loadWebConfig }, { startLiveWriter }] = await Promise.all([
    import('./service.js'),
    import('./http/app.js'),
    import('./http/server.js'),
    import('./http/web-config.js'),
    import('./sim/writer.js'),
  ]);
  const log = logger.child({ room: 'cli' });
  for (const w of config.warnings) log.warn(w);
  let stopDemo: (() => Promise<unknown>) | null = null;
  if (config.demo) {
    // The demo is a simulated qmail host writing a real, rotating log in a temporary directory.
    const dir = mkdtempSync(join(tmpdir(), 'qmail_exporter-demo-'));
    // Its log starts four minutes back, so the first read already shows every actor: relay bots,
    // the password guesser and the hijacked account; from then on it writes as the clock runs.
    const writer = startLiveWriter({
      dir,
      fileName: 'maillog',
      startTime: Date.now() / 1000 - 240,
      hijackAfterSeconds: 150,
      linesPerSecond: 40,
      rotateEveryMs: 3 * 60_000,
      profile: 'abuse',
      seed: Date.now() % 100000,
    });
    await writer.tick();
    writer.start();
    // The directory is the demo's alone: remove it at shutdown so demos leave nothing in /tmp.
    stopDemo = async () => {
      await writer.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    config = { ...config, qmail: { ...config.qmail, logPaths: [join(dir, 'maillog')], readFromStart: true } };
    log.info({ dir, file: join(dir, 'maillog') }, 'demo: a simulated qmail host writes here; rotation every 3 minutes');
  }

  const web = config.web.configFile === null ? { tls: null, users: {}, headers: {} } : await loadWebConfig(config.web.configFile);
  const service = createService({
    config,
    logger,
    hashKey: config.leaderboard.hashKey ?? deriveHashKey(installId()),
  });
  const app = createApp({
    registry: service.registry,
    health: service.health,
    telemetryPath: config.web.telemetryPath,
    version: VERSION,
    files: () => service.files(),
    overview: () => service.overview(),
    users: web.users,
    headers: web.headers,
    logger: logger.child({ room: 'http' }),
  });

  // Signals are handled from here on, before any port is bound and before the first catch-up:
  // SIGTERM in the middle of a long backlog still checkpoints what was counted and exits 0.
  const servers: Server[] = [];
  let stopping = false;
  const closeServers = (): Promise<unknown> =>
    Promise.all(servers.map((s) => new Promise<void>((res) => {
      s.close(() => res());
      s.closeAllConnections?.();
    })));
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    void (async () => {
      try {
        const saved = await service.stop();
        if (!saved) {
          // systemd and the operator must see it: the next start will count some lines again.
          log.error({ dir: config.storage.path }, 'final checkpoint failed: exiting with status 1');
          process.exitCode = 1;
        }
        if (stopDemo) await stopDemo();
        await closeServers();
      } catch (err) {
        log.error({ err: err instanceof Error ? err.message : String(err) }, 'shutdown failed');
        process.exitCode = 1;
      }
      process.exit();
    })();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    for (const addr of config.web.listenAddresses) {
      const { host, port } = parseListenAddress(addr);
      const server = createServer(app, web.tls) as Server;
      await new Promise<void>((res, rej) => {
        server.once('error', rej);
        server.listen(port, host, () => {
          server.off('error', rej);
          res();
        });
      });
      servers.push(server);
      const a = server.address();
      log.info({ address: typeof a === 'object' && a !== null ? `${a.address}:${a.port}` : addr, tls: web.tls !== null }, 'listening');
    }
    await service.start();
  } catch (err) {
    if (stopping) return; // a signal came first: its shutdown decides the exit status
    // A half-started exporter (one address bound, no log read, no checkpoint) would look healthy
    // to a probe: any start-up failure ends the process with a non-zero status instead.
    stopping = true;
    await closeServers().catch(() => undefined);
    if (stopDemo) await stopDemo().catch(() => undefined);
    throw err;
  }
  if (!stopping) log.info({ paths: config.qmail.logPaths, version: VERSION }, 'following');
}

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const [sub, ...rest] = argv;
  let serving = false;
  try {
    if (sub === 'report') {
      process.exitCode = await commandReport(rest);
      return;
    }
    if (sub === 'classify') {
      process.exitCode = await commandClassify(rest);
      return;
    }
    if (sub === 'backfill') {
      process.exitCode = await commandBackfill(rest);
      return;
    }
    const config = parseConfig(argv, env);
    if (config.help) {
      process.stdout.write(HELP_TEXT);
      return;
    }
    if (config.version) {
      process.stdout.write(`qmail_exporter ${VERSION} (node ${process.version})\n`);
      return;
    }
    const { createLogger } = await import('./log.js');
    const logger = createLogger({ level: config.log.level, format: config.log.format });
    serving = true;
    await serve(config, logger);
  } catch (err) {
    process.exitCode = reportFailure(err);
    // The exporter may hold open ports, timers or watchers from a start that got half-way: end the
    // process now, so that systemd restarts it and a probe sees it down.
    if (serving) process.exit();
  }
}

/** The message for a failure that ends a command, and the exit status it gives. */
function reportFailure(err: unknown): number {
  if (err instanceof ConfigError || (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('ERR_PARSE_ARGS'))) {
    process.stderr.write(`qmail_exporter: ${err.message}\nTry 'qmail_exporter --help'.\n`);
    return EXIT_USAGE;
  }
  const e = err as NodeJS.ErrnoException;
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR' || e.code === 'ENOTDIR')) {
    const where = e.path !== undefined && !e.message.includes(e.path) ? ` (${e.path})` : '';
    process.stderr.write(`qmail_exporter: ${e.message}${where}\n`);
    return 1;
  }
  if (e && e.code === 'EADDRINUSE') {
    process.stderr.write(`qmail_exporter: cannot listen: ${e.message}\n`);
    return 1;
  }
  if (e && e.code === 'EPIPE') return 0;
  process.stderr.write(`qmail_exporter: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return 1;
}

await main(process.argv.slice(2), process.env);
