/**
 * The live exporter, composed: followers → pipeline → metrics/leaderboards, health, checkpoints.
 * It never listens and never touches argv/env or signals (cli.ts does); tests build it directly.
 *
 * Exactly-once across restarts: a checkpoint holds, taken in one synchronous step between two
 * batches, every followed file's identity and offset together with every counter value and the
 * classifier's state. Lines after the offset were not counted in those values, so resuming from it
 * counts each line once, even after `kill -9` (the newest checkpoint is at most one interval old,
 * and the lines after it are simply read again).
 */
import { Registry } from 'prom-client';
import { registerDefaultMetrics } from './metrics/default-metrics.js';
import { createEngine, type Engine } from './engine.js';
import { createExporterMetrics, createSyslogMetrics, type ExporterMetrics, type RestoreResult } from './metrics/exporter-metrics.js';
import type { FamilySnapshot } from './metrics/tally.js';
import { createLeaderboards, type Leaderboards } from './leaderboard/index.js';
import { createHealth, type Health } from './health.js';
import { createQueueReader } from './queue/queue-reader.js';
import { registerQueueMetrics } from './queue/queue-metrics.js';
import { createFollower, type Follower, type FollowObserver, type FollowPosition, type FollowStatus, type Ticker } from './follow/index.js';
import { readCheckpointFile, writeCheckpointFile } from './storage/checkpoint-file.js';
import { checkCheckpoint, CHECKPOINT_VERSION, type CheckpointData } from './storage/checkpoint-schema.js';
import { checkClassifierState } from './classify/classifier.js';
import { listenerHintForPath } from './read/file-lines.js';
import type { Config } from './config.js';
import { LINE_RESULTS, RECIPIENT_CASES, type RecipientCase } from './events/events.js';
import { createRecentWindow } from './metrics/recent.js';
import { BOARD_NAMES } from './leaderboard/index.js';
import type { ExporterOverview, SourceOverview } from './overview.js';
import { createSyslogReceiver, FRAMING_ERRORS, SYSLOG_CONNECTION_RESULTS, SYSLOG_MESSAGE_RESULTS, type SyslogReceiver } from './receive/index.js';
import type { Logger } from './log.js';
import { describeAliasesReload, type SenderSetup } from './senders.js';


export interface ServiceDeps {
  config: Config;
  logger: Logger;
  hashKey: string;
  now?: () => number;
  /** tests pass manual tickers; by default each follower polls on its own interval */
  tickerFor?: (path: string) => Ticker | undefined;
  watch?: boolean;
  /** sender identity, trusted relays, SMTP uids and the aliases file (cli decides them: src/senders.ts) */
  senders?: SenderSetup;
}

export interface Service {
  registry: Registry;
  engine: Engine;
  health: Health;
  leaderboards: Leaderboards;
  exporterMetrics: ExporterMetrics;
  followers: ReadonlyMap<string, Follower>;
  /** Syslog listeners, created but not listening: cli.ts (or a test) calls listen() after start(). */
  receivers: readonly SyslogReceiver[];
  /** Load the checkpoint (if any), open every file and start following. */
  start(): Promise<void>;
  /** Write a checkpoint now (no-op without --storage.path). */
  checkpoint(): Promise<boolean>;
  /**
   * Finish the current read (also in the middle of the first catch-up), write a last checkpoint,
   * stop following. False when that checkpoint could not be written (true without --storage.path).
   */
  stop(): Promise<boolean>;
  /** State of every followed file, for the landing page. */
  files(): FollowStatus[];
  /** What the landing page shows: sources, line accounting, the last hour's cases, leaders. */
  overview(): ExporterOverview;
  /** Re-read --qmail.sender-aliases if it changed (also done every second once started). */
  checkSenderAliases(): void;
}

export function createService(deps: ServiceDeps): Service {
  const { config, logger } = deps;
  const now = deps.now ?? Date.now;
  const log = logger.child({ component: 'service' });
  const registry = new Registry();
  if (!config.web.disableExporterMetrics) registerDefaultMetrics(registry);

  const leaderboards = createLeaderboards({
    windows: config.leaderboard.windows,
    maxKeys: config.leaderboard.maxKeys,
    memoryBudgetBytes: config.leaderboard.memoryBudgetMb * 1024 * 1024,
    size: config.leaderboard.size,
    hashUsers: config.leaderboard.hashUsers,
    hashKey: deps.hashKey,
    now,
    relayTrust: deps.senders?.relayTrust,
    localSenders: deps.senders?.localSenders,
  });
  leaderboards.register(registry);
  const engine = createEngine({
    registry,
    listenerMap: Object.fromEntries(config.qmail.listenerMap),
    senders: deps.senders,
    observers: [(e) => leaderboards.observe(e)],
  });
  const aliasesFile = deps.senders?.aliases ?? null;
  const checkSenderAliases = (): void => {
    if (aliasesFile === null) return;
    for (const l of describeAliasesReload(aliasesFile.check())) log[l.level]({ path: aliasesFile.path, ...l.fields }, l.message);
  };
  // read before the first line is classified, so the first recipients see the operator's pairs
  checkSenderAliases();
  const paths = config.qmail.logPaths;
  const exporterMetrics = createExporterMetrics(registry, paths);
  const health = createHealth({ missingGraceMs: config.qmail.missingGraceMs, now });
  const queuePath = config.qmail.queuePath;
  if (queuePath !== null) {
    let lastCode: string | null | undefined;
    const queue = createQueueReader({
      path: queuePath,
      now,
      onRead(error) {
        health.reportQueue(queuePath, error === null ? null : error.message);
        // log a change of state once, not every scrape
        const code = error === null ? null : (error.code ?? 'error');
        if (code !== lastCode) {
          if (error === null) log.info({ path: queuePath }, 'queue readable');
          else log.warn({ path: queuePath, err: error.message, code }, 'queue unreadable');
          lastCode = code;
        }
      },
    });
    registerQueueMetrics(registry, queue, now);
  }
  const positions = new Map<string, FollowPosition>();
  /** ms clock of the last batch of lines per followed path, for the landing page */
  const lastLinesAt = new Map<string, number>();
  const recentCases = createRecentWindow<RecipientCase>({
    keys: RECIPIENT_CASES,
    read: () => {
      const totals: Partial<Record<RecipientCase, number>> = {};
      for (const [labels, value] of engine.metrics.smtpRecipients.snapshot().series) {
        const c = labels[1] as RecipientCase;
        totals[c] = (totals[c] ?? 0) + value;
      }
      return totals;
    },
    now,
  });
  const followers = new Map<string, Follower>();

  const syslogAddresses = config.syslog.listenAddresses;
  const syslogMetrics = createSyslogMetrics(registry, syslogAddresses, {
    connectionResults: SYSLOG_CONNECTION_RESULTS,
    messageResults: SYSLOG_MESSAGE_RESULTS,
    framingErrors: FRAMING_ERRORS,
  });
  const receivers: SyslogReceiver[] = syslogAddresses.map((address) => {
    const r = createSyslogReceiver({
      address,
      hostname: config.syslog.hostname,
      maxConnections: config.syslog.maxConnections,
      maxMessageBytes: config.syslog.maxMessageBytes,
      now,
      observer: {
        connection: (a, result) => syslogMetrics.connections.inc2(a, result),
        openConnections: (a, n) => syslogMetrics.connectionsOpen.set([a], n),
        bytes: (a, n) => syslogMetrics.bytes.inc1(a, n),
        messages(a, result, n) {
          syslogMetrics.messages.inc2(a, result, n);
          syslogMetrics.lastMessage.set([a], now() / 1000);
          // Another host's lines are never mixed in: they count as foreign lines, unread.
          if (result === 'foreign_host') engine.metrics.logLines.inc1('foreign', n);
          // health hears of the arrival now, not at the next status tick
          health.reportListener(r.status());
        },
        framingError: (a, kind) => syslogMetrics.framingErrors.inc2(a, kind),
      },
      onLines(lines) {
        // The same path as a file's lines: syslog stamps carry no year, the clock places them.
        engine.pipeline.batch(lines, { referenceTime: now() / 1000, listenerHint: null });
      },
    });
    // Health hears of the listener as soon as it listens, not at the next status tick.
    return {
      ...r,
      address: r.address,
      async listen() {
        const bound = await r.listen();
        health.reportListener(r.status());
        // ready once started and every listener listens (start() decides when there are none)
        if (started && receivers.every((x) => x.status().listening)) health.setReady(true);
        return bound;
      },
    };
  });
  const reportListeners = (): void => {
    for (const r of receivers) {
      const st = r.status();
      // before cli.ts has called listen() there is nothing to report
      if (st.listening || st.lastError !== null) health.reportListener(st);
    }
  };

  // Checkpoints are written only once start() has decided whether the loaded one holds.
  let started = false;

  /** per path, the read error last logged (until a step succeeds again) */
  const failing = new Map<string, string>();
  const observer: FollowObserver = {
    opened(path, file, offset) {
      log.info({ path, file, offset }, 'file opened');
    },
    rotated(path, kind) {
      exporterMetrics.rotations.inc([path, kind]);
      log.info({ path, kind }, 'log rotated');
    },
    readBytes(path, bytes) {
      exporterMetrics.readBytes.inc([path], bytes);
    },
    readError(path, err) {
      exporterMetrics.readErrors.inc([path]);
      // Said once, and again only when the cause changes: a file that stays unreadable for a day
      // must not write a journal line per retry. The counter still counts every failed attempt.
      // Keyed by the cause, not by what the follower was doing when it met it (look, open, read).
      const cause = err.cause instanceof Error ? err.cause.message : err.message;
      if (failing.get(path) !== cause) {
        failing.set(path, cause);
        const code = (err.cause as NodeJS.ErrnoException | undefined)?.code;
        log.warn({ path, err: err.message, ...(code === undefined ? {} : { errno: code }) }, 'read failed, retrying with backoff');
      }
      const f = followers.get(path);
      if (f) health.report(f.status());
    },
    presence(path, present) {
      exporterMetrics.filePresent.set([path], present ? 1 : 0);
      const f = followers.get(path);
      // A file that is there but cannot be opened is not missing: its read error says why.
      if (!present && (f === undefined || f.status().lastError === null)) log.warn({ path }, 'log file missing, waiting for it');
      if (f) health.report(f.status());
    },
    lag(path, bytes) {
      exporterMetrics.lagBytes.set([path], bytes);
      const f = followers.get(path);
      if (f) {
        const status = f.status();
        if (status.lastError === null && failing.has(path)) {
          failing.delete(path);
          log.info({ path }, 'read again after errors');
        }
        health.report(status);
      }
    },
    oversizedLine(path) {
      exporterMetrics.oversizedLines.inc([path]);
    },
  };

  function makeFollower(path: string, resume: FollowPosition | null): Follower {
    const listenerHint = listenerHintForPath(path);
    return createFollower({
      path,
      observer,
      startAt: config.qmail.readFromStart ? 'start' : 'end',
      resume,
      ticker: deps.tickerFor?.(path),
      watch: deps.watch ?? true,
      now,
      onLines(batch) {
        // Syslog lines carry no year: the clock at reading time places them.
        engine.pipeline.batch(batch.lines, { referenceTime: now() / 1000, listenerHint });
        positions.set(path, batch.position);
        if (batch.lines.length > 0) lastLinesAt.set(path, now());
      },
    });
  }

  let checkpointing: Promise<boolean> | null = null;
  async function checkpoint(): Promise<boolean> {
    const dir = config.storage.path;
    if (dir === null || !started) return false;
    if (checkpointing) await checkpointing;
    // Taken synchronously: positions and values describe the same set of lines. The follower's
    // own position also names a file opened but not read from yet (empty, or opened at its end),
    // so a rotation before its first line is still found by identity after a restart.
    for (const [path, f] of followers) {
      const p = f.position();
      if (p !== null) positions.set(path, p);
    }
    const data: CheckpointData = {
      version: CHECKPOINT_VERSION,
      written_at: now() / 1000,
      positions: Object.fromEntries(positions),
      metrics: engine.metrics.snapshot(),
      classifier: engine.classifier.exportState(),
    };
    checkpointing = writeCheckpointFile(dir, data).then(
      () => {
        exporterMetrics.checkpointWrites.inc(['success']);
        exporterMetrics.checkpointLastSuccess.set([], now() / 1000);
        health.reportCheckpoint(dir, null);
        return true;
      },
      (err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        exporterMetrics.checkpointWrites.inc(['failure']);
        health.reportCheckpoint(dir, message);
        log.error({ dir, err: message }, 'checkpoint write failed');
        return false;
      },
    );
    const ok = await checkpointing;
    checkpointing = null;
    return ok;
  }

  async function loadCheckpoint(): Promise<{ result: RestoreResult; data: CheckpointData | null }> {
    const dir = config.storage.path;
    if (dir === null) return { result: 'none', data: null };
    const r = await readCheckpointFile(dir);
    if (!r.ok) {
      if (r.reason === 'missing') return { result: 'none', data: null };
      log.warn({ dir, reason: r.reason, err: r.error }, 'checkpoint ignored, starting clean');
      return { result: r.reason, data: null };
    }
    // Checked whole before anything is restored: a value out of bounds (a label outside its
    // vocabulary, 40 listeners, an array where a string belongs) refuses the whole checkpoint.
    const checked = checkCheckpoint(r.data, {
      checkMetrics: (m) => engine.metrics.check(m),
      checkClassifier: (c) => checkClassifierState(c),
    });
    if (!checked.ok) {
      log.warn({ dir, problem: checked.problem }, 'checkpoint refused, starting clean');
      return { result: 'corrupt', data: null };
    }
    return { result: 'restored', data: checked.data };
  }

  let timer: NodeJS.Timeout | null = null;
  let statusTimer: NodeJS.Timeout | null = null;
  let stopping = false;

  return {
    registry,
    engine,
    health,
    leaderboards,
    exporterMetrics,
    followers,
    receivers,
    async start() {
      const loaded = await loadCheckpoint();
      if (stopping) return;
      const saved = loaded.data?.positions ?? {};
      for (const path of paths) {
        const resume = saved[path] ?? null;
        followers.set(path, makeFollower(path, resume));
      }
      // Every follower opens its file and judges the saved position before any line is read,
      // so the decision below comes before the first line is counted.
      await Promise.all([...followers.values()].map((f) => f.look()));
      if (stopping) return;
      let result = loaded.result;
      if (loaded.data !== null) {
        const outcomes = [...followers.entries()].map(([path, f]) => [path, f.resumed()] as const);
        // 'none' with a saved position: the file could not be looked at yet (missing while the
        // exporter was down); its follower applies the position once the file appears.
        const bad = outcomes.filter(([path, o]) => o === 'mismatch' || (o === 'none' && saved[path] !== undefined && followers.get(path)!.status().present));
        if (bad.length > 0) {
          result = 'mismatch';
          log.warn({ paths: bad.map(([p]) => p) }, 'checkpoint does not match the files, starting clean');
        } else {
          engine.metrics.restore(loaded.data.metrics as Record<string, FamilySnapshot>);
          engine.classifier.importState(loaded.data.classifier);
          for (const [path, pos] of Object.entries(saved)) if (followers.has(path)) positions.set(path, pos);
          log.info({ written_at: loaded.data.written_at, outcomes: Object.fromEntries(outcomes) }, 'checkpoint restored');
        }
      }
      exporterMetrics.checkpointRestores.inc([result]);
      started = true;
      // The baseline of the landing page's last hour: restored counts are not recent.
      recentCases.sample();
      // The status and checkpoint timers run from before the first read: the first catch-up of a
      // long backlog is checkpointed as it goes, and stop() can end it at any moment.
      statusTimer = setInterval(() => {
        checkSenderAliases();
        for (const f of followers.values()) health.report(f.status());
        reportListeners();
        recentCases.sample();
        exporterMetrics.classifierStats(engine.classifier.stats());
      }, 1000);
      statusTimer.unref();
      if (config.storage.path !== null) {
        timer = setInterval(() => void checkpoint(), config.storage.intervalMs);
        timer.unref();
      }
      await Promise.all([...followers.values()].map((f) => f.start()));
      if (stopping) return;
      for (const f of followers.values()) health.report(f.status());
      // With syslog listeners, ready comes once cli.ts has them listening (listen() above).
      if (receivers.length === 0) health.setReady(true);
    },
    checkpoint,
    checkSenderAliases,
    async stop() {
      stopping = true;
      health.setReady(false);
      if (timer) clearInterval(timer);
      if (statusTimer) clearInterval(statusTimer);
      await Promise.all(receivers.map((r) => r.close()));
      await Promise.all([...followers.values()].map((f) => f.stop()));
      if (config.storage.path === null || !started) return true;
      return checkpoint();
    },
    files() {
      return [...followers.values()].map((f) => f.status());
    },
    overview() {
      const t = now();
      const sources: SourceOverview[] = [];
      for (const [path, f] of followers) {
        const st = f.status();
        const at = lastLinesAt.get(path);
        sources.push({
          kind: 'file',
          name: path,
          state: followState(st),
          healthy: !st.stopped && st.lastError === null && st.present,
          lagBytes: exporterMetrics.lagBytes.value(path),
          lastLinesAgeSeconds: at === undefined ? null : Math.max(0, Math.round((t - at) / 1000)),
        });
      }
      for (const r of receivers) {
        const st = r.status();
        sources.push({
          kind: 'syslog',
          name: st.address,
          state: st.listening ? `listening, ${st.openConnections} connection${st.openConnections === 1 ? '' : 's'}` : st.lastError === null ? 'not listening yet' : `not listening: ${st.lastError}`,
          healthy: st.listening,
          lagBytes: null,
          lastLinesAgeSeconds: st.lastMessageAt === null ? null : Math.max(0, Math.round((t - st.lastMessageAt) / 1000)),
        });
      }
      const newest = engine.metrics.lastLineTimestamp.value();
      const recent = recentCases.recent();
      const ranked = leaderboards.snapshot();
      const leaders: ExporterOverview['leaders'] = [];
      for (const board of BOARD_NAMES) {
        for (const [window, rows] of Object.entries(ranked[board] ?? {})) {
          const top = rows[0];
          leaders.push({ board, window, key: top?.key ?? null, value: top?.value ?? 0 });
        }
      }
      return {
        sources,
        newestLineAgeSeconds: newest > 0 ? Math.max(0, Math.round(t / 1000 - newest)) : null,
        lines: LINE_RESULTS.map((result) => ({ result, count: engine.metrics.logLines.value(result) })),
        cases: { seconds: recent.seconds, rows: RECIPIENT_CASES.map((c) => ({ case: c, count: recent.counts[c] })) },
        leaders,
      };
    },
  };
}

function followState(st: FollowStatus): string {
  if (st.stopped) return 'stopped';
  if (st.lastError !== null) return `read error: ${st.lastError}`;
  if (!st.present) return 'missing';
  return 'following';
}
