/**
 * Hosts that cannot run Node send their log over syslog. A live exporter (service with a syslog
 * listener) is fed (1) a generated week of log sent as RFC 3164 syslog over TCP, in both RFC 6587
 * framings, and (2) the same kind of log relayed by a real rsyslogd with the forwarding
 * configuration docs/syslog.md gives; the counters must equal the simulator's truth.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { defaultConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { createService, type Service } from '../../src/service.js';
import { createSimulatedHost } from '../../src/sim/host.js';
import type { Truth } from '../../src/sim/truth.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import { diffAgainst, readSeries } from '../helpers/exposition.js';
import { freePort, pollUntil } from '../helpers/ports.js';
import { expectedFromTruth, unexpectedSeries } from '../helpers/truth.js';
import { startExporter as startExporterProcess } from '../helpers/exporter-process.js';

const RSYSLOGD = process.env.RSYSLOGD_BIN ?? '/usr/sbin/rsyslogd';
const haveRsyslog = spawnSync(RSYSLOGD, ['-v']).status === 0;
const WEEK = 7 * 86400;

/** Exactly `seconds` of a simulated host's log, ending a day before now (syslog stamps have no year). */
function simulatedLines(seconds: number, linesPerSecond: number, seed: number): { lines: string[]; truth: Truth; start: number } {
  const start = Math.floor(Date.now() / 1000) - seconds - 86400;
  const host = createSimulatedHost({ startTime: start, seed, linesPerSecond, profile: 'abuse' });
  const lines = host.advanceTo(start + seconds);
  return { lines, truth: host.truth(), start };
}

async function startExporter(address: string, storagePath: string | null = null): Promise<{ service: Service; port: number; clock: { ms: number } }> {
  const config = defaultConfig();
  config.qmail.logPaths = [];
  config.storage = { ...config.storage, path: storagePath };
  config.syslog = { ...config.syslog, listenAddresses: [address], hostname: 'mail' };
  const clock = { ms: Date.now() };
  const logger = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const service = createService({ config, logger, hashKey: 'test-key-0123456789abcdef', now: () => clock.ms, watch: false });
  await service.start();
  const { port } = await service.receivers[0]!.listen();
  return { service, port, clock };
}

/** Waits until the listener has passed on `n` messages (accepted + foreign). */
async function waitForMessages(service: Service, address: string, n: number): Promise<Map<string, number>> {
  return pollUntil(
    async () => {
      const m = readSeries(await service.registry.metrics());
      const got =
        (m.get(seriesKey('qmail_exporter_syslog_messages_total', { address, result: 'accepted' })) ?? 0) +
        (m.get(seriesKey('qmail_exporter_syslog_messages_total', { address, result: 'foreign_host' })) ?? 0);
      return got >= n ? m : undefined;
    },
    { what: `${n} syslog messages`, timeoutMs: 120_000, intervalMs: 200 },
  );
}

function expectTruth(truth: Truth, actual: Map<string, number>, extraForeign: number): void {
  const want = expectedFromTruth(truth);
  const foreignKey = seriesKey('qmail_exporter_log_lines_total', { result: 'foreign' });
  want[foreignKey] = (want[foreignKey] ?? 0) + extraForeign;
  const problems = [...diffAgainst(want, actual), ...unexpectedSeries(truth, actual)];
  assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
}

test('a generated week sent as syslog over TCP (LF and octet-counted frames) gives the truth; another host is foreign', async () => {
  const { lines, truth, start } = simulatedLines(WEEK, 0.1, 11);
  const address = 'tcp://127.0.0.1:0';
  const x = await startExporter(address);
  try {
    const socket = net.connect(x.port, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    const foreign = '<22>Nov 14 22:13:20 other-host smtp: 1700000020.000013 tcpserver: status: 1/60';
    let text = '';
    lines.forEach((line, i) => {
      const msg = `<22>${line}`;
      // every other frame octet-counted, the rest LF-terminated (a receiver must take both)
      text += i % 2 === 0 ? `${Buffer.byteLength(msg)} ${msg}` : `${msg}\n`;
      if (i % 1000 === 0) text += `${foreign}\n`;
    });
    const foreignCount = Math.ceil(lines.length / 1000);
    await new Promise<void>((res) => socket.end(text, () => res()));
    const actual = await waitForMessages(x.service, address, lines.length + foreignCount);
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_messages_total', { address, result: 'foreign_host' })), foreignCount);
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_framing_errors_total', { address, kind: 'oversized' })), 0);
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_received_bytes_total', { address })), Buffer.byteLength(text));
    assert.ok(truth.lastLineTime - start >= WEEK - 3600, `the log spans ${(truth.lastLineTime - start) / 86400} days`);
    assert.ok(lines.length > 40_000, `${lines.length} lines`);
    expectTruth(truth, actual, foreignCount);
    // the leaderboards see the abusers, health sees the listener
    const top = [...actual.entries()].filter(([k]) => k.startsWith('qmail_leaderboard_auth_user_sender_mismatches{') && k.includes('window="24h"')).sort((a, b) => b[1] - a[1]);
    assert.match(top[0]![0], new RegExp(`user="${truth.actors.hijackedUser.toLowerCase()}"`));
    const h = x.service.health.snapshot();
    assert.equal(h.healthy, true, h.reasons.join('; '));
    assert.equal(h.listeners[0]!.listening, true);
    assert.notEqual(h.listeners[0]!.last_message_seconds_ago, null);
    const source = x.service.overview().sources.find((s) => s.kind === 'syslog')!;
    assert.match(source.state, /^listening/);
  } finally {
    await x.service.stop();
  }
});

interface Rsyslog {
  dir: string;
  inputPort: number;
  stop(): Promise<void>;
}

/** rsyslogd unprivileged: its own config, work directory and pid file; no local socket (imuxsock off). */
async function startRsyslog(exporterPort: number, forwarding = ''): Promise<Rsyslog> {
  const dir = mkdtempSync(join(tmpdir(), 'qx-rsyslog-'));
  const inputPort = await freePort();
  // The forwarding block is the one docs/syslog.md gives for EL7 (target and port filled in), fed
  // here by imtcp instead of the local log socket.
  const conf = `global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" port="${inputPort}" address="127.0.0.1")
mail.* action(type="omfwd" target="127.0.0.1" port="${exporterPort}" protocol="tcp" ${forwarding}
              action.resumeRetryCount="-1" action.resumeInterval="1"
              queue.type="LinkedList" queue.size="200000" queue.workerThreads="1" queue.dequeueBatchSize="1"
              queue.filename="qmail_exporter_fwd" queue.maxDiskSpace="1g" queue.saveOnShutdown="on")
`;
  writeFileSync(join(dir, 'rsyslog.conf'), conf);
  const check = spawnSync(RSYSLOGD, ['-N1', '-f', join(dir, 'rsyslog.conf')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stderr);
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  await pollUntil(
    () =>
      new Promise<true | undefined>((res) => {
        const s = net.connect(inputPort, '127.0.0.1', () => {
          s.destroy();
          res(true);
        });
        s.on('error', () => res(undefined));
      }),
    { what: 'rsyslogd listening', abort: () => (child.exitCode !== null ? `rsyslogd exited: ${output}` : null) },
  );
  return {
    dir,
    inputPort,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((res) => child.once('exit', res));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('a real rsyslogd relaying a mail host log gives the truth; logger lines from this host are foreign', { skip: !haveRsyslog && 'rsyslogd not installed' }, async () => {
  const { lines, truth } = simulatedLines(86400, 0.1, 12);
  const address = 'tcp://127.0.0.1:0';
  const x = await startExporter(address);
  const rs = await startRsyslog(x.port);
  try {
    // The mail host's programs, as rsyslogd would receive them from its log socket.
    const socket = net.connect(rs.inputPort, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    await new Promise<void>((res) => socket.end(lines.map((l) => `<22>${l}\n`).join(''), () => res()));
    // util-linux logger, the way an operator tests a forwarding: it names this machine, not 'mail'
    const logger = spawnSync('logger', ['--server', '127.0.0.1', '--port', String(rs.inputPort), '--tcp', '--rfc3164', '-p', 'mail.info', '-t', 'qmail', 'hello from logger'], { encoding: 'utf8' });
    const loggerLines = logger.status === 0 ? 1 : 0;
    const actual = await waitForMessages(x.service, address, lines.length + loggerLines);
    expectTruth(truth, actual, loggerLines);
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_messages_total', { address, result: 'foreign_host' })), loggerLines);
  } finally {
    await rs.stop();
    await x.service.stop();
  }
});

test('the real command line: --syslog.listen-address without --qmail.log-path follows no file and is ready once listening', async () => {
  const syslogPort = await freePort();
  const x = await startExporterProcess({
    logPaths: [],
    args: [`--syslog.listen-address=tcp://127.0.0.1:${syslogPort}`, '--syslog.hostname=mail'],
  });
  try {
    const socket = net.connect(syslogPort, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    socket.end('<22>Nov 14 22:13:20 mail qmail: 1700000000.000001 new msg 12345\n');
    const text = await pollUntil(async () => {
      const t = await x.scrape();
      return /^qmail_queue_messages_total 1$/m.test(t) ? t : undefined;
    }, { what: 'the received line counted', abort: () => x.exited() });
    assert.doesNotMatch(text, /^qmail_exporter_log_file_present\{/m);
    const health = (await (await fetch(`${x.url}/healthz`)).json()) as { healthy: boolean; files: unknown[]; listeners: Array<{ address: string }> };
    assert.equal(health.healthy, true);
    assert.deepEqual(health.files, []);
    assert.equal(health.listeners[0]!.address, `tcp://127.0.0.1:${syslogPort}`);
  } finally {
    await x.stop();
  }
});

test('lines sent while the exporter restarts wait in rsyslog\'s disk-assisted queue and are counted once', { skip: !haveRsyslog && 'rsyslogd not installed' }, async () => {
  const { lines, truth } = simulatedLines(6 * 3600, 0.1, 13);
  const port = await freePort();
  const address = `tcp://127.0.0.1:${port}`;
  const storage = mkdtempSync(join(tmpdir(), 'qx-syslog-state-'));
  let x = await startExporter(address, storage);
  const rs = await startRsyslog(port);
  const feed = async (part: string[]) => {
    const socket = net.connect(rs.inputPort, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    await new Promise<void>((res) => socket.end(part.map((l) => `<22>${l}\n`).join(''), () => res()));
  };
  const half = Math.floor(lines.length / 2);
  try {
    await feed(lines.slice(0, half));
    await waitForMessages(x.service, address, half);
    // the exporter stops (final checkpoint: counters and classifier state) ...
    assert.equal(await x.service.stop(), true);
    // ... while the mail host goes on logging
    await feed(lines.slice(half));
    x = await startExporter(address, storage);
    const actual = await waitForMessages(x.service, address, lines.length - half);
    // exactly the second half arrived at the new exporter: nothing lost, nothing sent twice
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_messages_total', { address, result: 'accepted' })), lines.length - half);
    expectTruth(truth, actual, 0);
  } finally {
    await rs.stop();
    await x.service.stop();
    rmSync(storage, { recursive: true, force: true });
  }
});

test('rsyslog forwarding RFC 5424 with octet-counted framing gives the truth too', { skip: !haveRsyslog && 'rsyslogd not installed' }, async () => {
  const { lines, truth } = simulatedLines(86400, 0.05, 14);
  const address = 'tcp://127.0.0.1:0';
  const x = await startExporter(address);
  const rs = await startRsyslog(x.port, 'template="RSYSLOG_SyslogProtocol23Format" TCP_Framing="octet-counted"');
  try {
    const socket = net.connect(rs.inputPort, '127.0.0.1');
    await new Promise<void>((res, rej) => socket.once('connect', res).once('error', rej));
    await new Promise<void>((res) => socket.end(lines.map((l) => `<22>${l}\n`).join(''), () => res()));
    const actual = await waitForMessages(x.service, address, lines.length);
    expectTruth(truth, actual, 0);
    assert.equal(actual.get(seriesKey('qmail_exporter_syslog_framing_errors_total', { address, kind: 'oversized' })), 0);
  } finally {
    await rs.stop();
    await x.service.stop();
  }
});
