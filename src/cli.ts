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
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Server } from 'node:http';
import {
  BACKFILL,
  CLASSIFY,
  REPORT,
  SUBCOMMAND_NAMES,
  deriveHashKey,
  helpText,
  HELP_TEXT,
  parseCommandLine,
  parseConfig,
  parseListenAddress,
  senderFlagsOf,
  type Config,
  type SenderFlags,
  type SubcommandName,
} from './config.js';
import { ConfigError } from './errors.js';
import type { Logger } from './log.js';
import { VERSION } from './version.js';
import type { EngineSenders } from './engine.js';
import { capYoungGeneration, createIdleCollector, compactingGarbageCollector, scavengeOnMainThread, scavengeThreadsSetByFlags, youngGenerationSizedByFlags } from './heap.js';

// Each command loads only what it runs (dynamic imports below): `report` over a large file should
// not first pay for express, pino and the HTTP stack (about a tenth of a second at start-up).

const EXIT_USAGE = 2;

/** The offline commands' sender options: the same flags and files as the exporter, problems to stderr. */
async function offlineSenders(command: string, flags: SenderFlags): Promise<EngineSenders> {
  const { loadSenderSetup, describeAliasesReload } = await import('./senders.js');
  const { setup, notes } = loadSenderSetup(flags);
  if (notes.unknownSmtpUsers.length > 0 && flags.smtpUids.every((u) => !/^\d+$/.test(u))) {
    process.stderr.write(`qmail_exporter ${command}: --qmail.smtp-uids: no such user: ${notes.unknownSmtpUsers.join(', ')}\n`);
  }
  if (setup.aliases !== null) {
    for (const l of describeAliasesReload(setup.aliases.check())) {
      if (l.level === 'warn') process.stderr.write(`qmail_exporter ${command}: ${l.message} ${JSON.stringify({ path: setup.aliases.path, ...l.fields })}\n`);
    }
  }
  return setup;
}

async function commandReport(argv: string[]): Promise<number> {
  const { values, files } = parseCommandLine(REPORT, argv, {});
  if (values.help) {
    process.stdout.write(helpText(REPORT));
    return 0;
  }
  const { runReport } = await import('./commands/report.js');
  const text = await runReport({
    files,
    format: values.format,
    top: values.top,
    listenerMap: Object.fromEntries(values['qmail.listener-map']),
    senders: await offlineSenders('report', senderFlagsOf(values)),
    nowSeconds: Date.now() / 1000,
  });
  process.stdout.write(text);
  return 0;
}

async function commandClassify(argv: string[]): Promise<number> {
  const { values, files } = parseCommandLine(CLASSIFY, argv, {});
  if (values.help) {
    process.stdout.write(helpText(CLASSIFY));
    return 0;
  }
  const { runClassify } = await import('./commands/classify.js');
  await runClassify({
    files,
    listenerMap: Object.fromEntries(values['qmail.listener-map']),
    senders: await offlineSenders('classify', senderFlagsOf(values)),
    nowSeconds: Date.now() / 1000,
    out: process.stdout,
  });
  return 0;
}

async function commandBackfill(argv: string[]): Promise<number> {
  const { values, files } = parseCommandLine(BACKFILL, argv, {});
  if (values.help) {
    process.stdout.write(helpText(BACKFILL));
    return 0;
  }
  const { runBackfill } = await import('./commands/backfill.js');
  const summary = await runBackfill({
    files,
    output: values.output,
    step: values.step,
    labels: values.label,
    listenerMap: Object.fromEntries(values['qmail.listener-map']),
    senders: await offlineSenders('backfill', senderFlagsOf(values)),
    nowSeconds: Date.now() / 1000,
  });
  process.stderr.write(`backfill: ${JSON.stringify(summary)}\n`);
  return 0;
}

const COMMAND_RUNNERS: Record<SubcommandName, (argv: string[]) => Promise<number>> = {
  classify: commandClassify,
  report: commandReport,
  backfill: commandBackfill,
};

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

/** A SIGTERM/SIGINT that came while the exporter was being set up; serve() acts on it. */
let earlySignal: NodeJS.Signals | null = null;
function noteEarlySignal(signal: NodeJS.Signals): void {
  earlySignal ??= signal;
}

async function serve(config: Config, logger: Logger): Promise<void> {
  // What only some flags need is loaded only with them: the simulator for --demo, the YAML parser
  // (and bcrypt, in app.ts) for --web.config.file; about 10 MB of resident memory otherwise unused.
  const [{ createService }, { createApp }, { createServer }] = await Promise.all([
    import('./service.js'),
    import('./http/app.js'),
    import('./http/server.js'),
  ]);
  const log = logger.child({ component: 'cli' });
  for (const w of config.warnings) log.warn(w);
  let stopDemo: (() => Promise<unknown>) | null = null;
  if (config.demo) {
    // The demo is a simulated qmail host writing a real, rotating log in a temporary directory.
    const dir = mkdtempSync(join(tmpdir(), 'qmail_exporter-demo-'));
    // Its log starts four minutes back, so the first read already shows every actor: relay bots,
    // the password guesser and the hijacked account; from then on it writes as the clock runs.
    const { startLiveWriter } = await import('./sim/writer.js');
    const writer = startLiveWriter({
      dir,
      fileName: 'maillog',
      startTime: Date.now() / 1000 - 240,
      hijackAfterSeconds: 150,
      websiteSpamAfterSeconds: 200,
      senderAliases: true,
      linesPerSecond: 40,
      rotateEveryMs: 3 * 60_000,
      profile: 'abuse',
      seed: Date.now() % 100000,
      // a queue directory that grows while a provider blocklists the host and drains after
      queueDir: join(dir, 'queue'),
    });
    await writer.tick();
    writer.start();
    // The directory is the demo's alone: remove it at shutdown so demos leave nothing in /tmp.
    stopDemo = async () => {
      try {
        await writer.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
      }
    };
    // the simulated host's sender aliases (its aliased pair counts as sent_auth_same_user/alias)
    const aliasesFile = join(dir, 'sender-aliases');
    writeFileSync(aliasesFile, (await import('./sim/world.js')).SENDER_ALIASES_TEXT);
    config = {
      ...config,
      qmail: {
        ...config.qmail,
        logPaths: [join(dir, 'maillog')],
        readFromStart: true,
        queuePath: config.qmail.queuePath ?? join(dir, 'queue'),
        senders: { ...config.qmail.senders, aliasesFile: config.qmail.senders.aliasesFile ?? aliasesFile },
      },
    };
    log.info({ dir, file: join(dir, 'maillog') }, 'demo: a simulated qmail host writes here; rotation every 3 minutes');
  }

  const web =
    config.web.configFile === null
      ? { tls: null, users: {}, headers: {} }
      : await (await import('./http/web-config.js')).loadWebConfig(config.web.configFile);
  const { loadSenderSetup } = await import('./senders.js');
  // the demo's simulated host has its own passwd database (its website user, root, vpopmail)
  const demoPasswd = config.demo ? (await import('./sim/world.js')).simulatedPasswd() : undefined;
  const { setup: senders, notes } = loadSenderSetup(config.qmail.senders, { passwd: demoPasswd });
  log.info(
    {
      default_domain: senders.identity.defaultDomain ?? '',
      default_domain_from: notes.defaultDomainFrom,
      extension_delimiters: senders.identity.extensionDelimiters,
      smtp_uids: [...senders.localSenders.smtpUids].join(','),
      trusted_relay_ips: senders.relayTrust.ranges.join(','),
    },
    'who is sending: identity and origins decided',
  );
  if (notes.unknownSmtpUsers.length > 0) log.info({ users: notes.unknownSmtpUsers.join(',') }, '--qmail.smtp-uids: names not in the passwd database, skipped');
  const service = createService({
    config,
    logger,
    senders,
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
    logger: logger.child({ component: 'http' }),
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
  process.off('SIGTERM', noteEarlySignal);
  process.off('SIGINT', noteEarlySignal);
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  if (earlySignal !== null) shutdown(earlySignal);

  // The garbage of a catch-up goes back as soon as the exporter is quiet (heap.ts).
  const gc = compactingGarbageCollector();
  if (gc !== null) {
    const collector = createIdleCollector({
      usedBytes: () => process.memoryUsage().heapUsed,
      cpuMicros: () => {
        const u = process.cpuUsage();
        return u.user + u.system;
      },
      now: () => performance.now(),
      collect: gc,
    });
    setInterval(() => collector.tick(), 1000).unref();
  }

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
    // After start(): the checkpoint is restored before the first received line is counted.
    for (const receiver of service.receivers) {
      const bound = await receiver.listen();
      log.info({ address: receiver.address, bound: `${bound.host}:${bound.port}`, hostname: config.syslog.hostname }, 'syslog listening');
    }
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
  const [first, ...rest] = argv;
  const sub = SUBCOMMAND_NAMES.find((name) => name === first);
  // Usage errors name the command they belong to, and point to that command's help.
  const who = sub === undefined ? 'qmail_exporter' : `qmail_exporter ${sub}`;
  let serving = false;
  // `classify big.log | head -1`: once the reader has gone, the rest of the output has no one to
  // read it. End quietly, as a Unix filter does, instead of an unhandled 'error' and a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    process.stderr.write(`qmail_exporter: standard output: ${err.message}\n`);
    process.exit(1);
  });
  // A small young generation, collected on the main thread, for every command, unless node's own
  // flags say otherwise (heap.ts).
  if (!youngGenerationSizedByFlags(process.execArgv, env.NODE_OPTIONS)) capYoungGeneration();
  if (!scavengeThreadsSetByFlags(process.execArgv, env.NODE_OPTIONS)) scavengeOnMainThread();
  try {
    if (sub !== undefined) {
      process.exitCode = await COMMAND_RUNNERS[sub](rest);
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
    // From here a signal is never fatal: until serve() has its own handlers it is only noted.
    process.on('SIGTERM', noteEarlySignal);
    process.on('SIGINT', noteEarlySignal);
    await serve(config, logger);
  } catch (err) {
    process.exitCode = reportFailure(err, who);
    // The exporter may hold open ports, timers or watchers from a start that got half-way: end the
    // process now, so that systemd restarts it and a probe sees it down.
    if (serving) process.exit();
  }
}

/** The message for a failure that ends a command, and the exit status it gives. */
function reportFailure(err: unknown, who: string): number {
  if (err instanceof ConfigError) {
    // a usage error names the command it belongs to and points to that command's help
    process.stderr.write(`${who}: ${err.message}\nTry '${who} --help'.\n`);
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
