/**
 * The exporter as a real process, the way an operator runs it — the one way tests and benchmarks
 * start it. It listens on 127.0.0.1 port 0 and its address is read from its own 'listening' log
 * line, so processes running side by side never race for a port.
 *
 * - spawnExporter: the process and its address, nothing more (benchmarks, start-up and shutdown tests);
 * - startExporter: follows the given logs and waits until /-/ready answers (end-to-end tests that
 *   talk to it like Prometheus, check_http or the Nagios plugin would).
 *
 * Sources run through tsx by default; QMAIL_EXPORTER_ENTRY=dist (or `entry: 'dist'`) runs dist/cli.js.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { pollUntil } from './ports.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Command and arguments that start the exporter: sources through tsx by default, or dist/cli.js. */
export function exporterCommand(entry: 'source' | 'dist' = process.env.QMAIL_EXPORTER_ENTRY === 'dist' ? 'dist' : 'source'): { command: string; args: string[] } {
  if (entry === 'dist') return { command: process.execPath, args: [join(REPO_ROOT, 'dist', 'cli.js')] };
  return { command: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli.ts')] };
}

export interface SpawnOptions {
  /** the TypeScript sources through tsx, or the built dist/cli.js (default: QMAIL_EXPORTER_ENTRY, else source) */
  entry?: 'source' | 'dist';
  /** a script to run with node instead (e.g. the release bundle); wins over `entry` */
  script?: string;
  /** node flags before the entry, e.g. --cpu-prof or an --import hook */
  nodeArgs?: string[];
  /** run as this user and group (the caller must be root), e.g. to meet file permissions for real */
  uid?: number;
  gid?: number;
}

export interface SpawnedExporter {
  proc: ChildProcess;
  /** performance.now() when the process was spawned */
  spawnedAt: number;
  /** http://127.0.0.1:PORT once the exporter listens; rejects if it exits first */
  url: Promise<string>;
  /** everything the process wrote to stderr so far (its logs; the last 2 MB of a long run) */
  stderr(): string;
  /** SIGTERM (or the given signal), SIGKILL after 15 s; resolves with how it exited */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The 'listening' line in logfmt or JSON: its address. */
const LISTENING_RE = /"?msg"?[=:]"?listening"?[^\n]*?"?address"?[=:]"?127\.0\.0\.1:(\d+)/;

/**
 * Starts `qmail_exporter ARGS --web.listen-address=127.0.0.1:0 --log.level=info` (the address
 * comes from the info-level 'listening' line, so the log level is info whatever ARGS say).
 */
export function spawnExporter(args: string[], opts: SpawnOptions = {}): SpawnedExporter {
  const { command, args: entry } = opts.script === undefined ? exporterCommand(opts.entry) : { command: process.execPath, args: [opts.script] };
  const spawnedAt = performance.now();
  const proc = spawn(command, [...(opts.nodeArgs ?? []), ...entry, ...args, '--web.listen-address=127.0.0.1:0', '--log.level=info'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'ignore', 'pipe'],
    ...(opts.uid === undefined ? {} : { uid: opts.uid }),
    ...(opts.gid === undefined ? {} : { gid: opts.gid }),
  });
  let buf = '';
  const url = new Promise<string>((res, rej) => {
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      if (buf.length > 4_000_000) buf = buf.slice(-2_000_000);
      const m = LISTENING_RE.exec(buf);
      if (m) res(`http://127.0.0.1:${m[1]}`);
    });
    proc.once('exit', (code, signal) => rej(new Error(`exporter exited (code ${code}, signal ${signal}) before listening:\n${buf.slice(-3000)}`)));
    proc.once('error', (err) => rej(new Error(`exporter could not start: ${err.message}`)));
  });
  url.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    proc.once('exit', (code, signal) => res({ code, signal }));
    proc.once('error', () => res({ code: null, signal: null }));
  });
  return {
    proc,
    spawnedAt,
    url,
    stderr: () => buf,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const killer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const how = await exited;
      clearTimeout(killer);
      return how;
    },
  };
}

/** The command-line tests' name for it: a spawned exporter. */
export type CliProcess = SpawnedExporter;
export const spawnCli = (args: string[]): CliProcess => spawnExporter(args);

export interface ExporterOptions {
  /** files to follow (--qmail.log-path, repeated) */
  logPaths: string[];
  /** --qmail.read-from-start (default true) */
  readFromStart?: boolean;
  /** more flags, e.g. ['--qmail.missing-grace=0s'] */
  args?: string[];
  /** a script to run with node instead of the sources (e.g. the release bundle) */
  entry?: string;
  /**
   * wait for this path to answer 200 over plain HTTP before returning (default '/-/ready');
   * null: only wait until the port accepts TCP connections (for TLS or basic-auth set-ups)
   */
  readyPath?: string | null;
}

export interface ExporterProcess {
  port: number;
  /** 127.0.0.1:PORT, a Prometheus target */
  address: string;
  /** http://127.0.0.1:PORT */
  url: string;
  pid: number;
  /** GET /metrics, asserting 200; the exposition text */
  scrape(): Promise<string>;
  /** what the exporter printed so far */
  output(): string;
  /** null while running, else why it exited */
  exited(): string | null;
  /** SIGTERM, then SIGKILL; resolves when it has exited */
  stop(): Promise<void>;
}

export async function startExporter(opts: ExporterOptions): Promise<ExporterProcess> {
  const flags = [...opts.logPaths.map((p) => `--qmail.log-path=${p}`), ...(opts.readFromStart === false ? [] : ['--qmail.read-from-start']), ...(opts.args ?? [])];
  const x = spawnExporter(flags, opts.entry === undefined ? {} : { script: opts.entry });
  let exited: string | null = null;
  x.proc.once('exit', (code, signal) => {
    exited = `exporter exited (code ${code}, signal ${signal}): ${x.stderr().slice(-3000)}`;
  });
  const stop = async (): Promise<void> => {
    await x.stop();
  };
  let url: string;
  try {
    url = await x.url;
  } catch (err) {
    await stop();
    throw err;
  }
  const port = Number(new URL(url).port);
  const readyPath = opts.readyPath === undefined ? '/-/ready' : opts.readyPath;
  try {
    await pollUntil(
      async () => {
        if (readyPath === null) return (await tcpAccepts(port)) ? true : undefined;
        const r = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) });
        await r.arrayBuffer();
        return r.status === 200 ? true : undefined;
      },
      { what: `exporter on ${url} (${flags.join(' ')})`, timeoutMs: 30_000, abort: () => exited },
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    port,
    address: `127.0.0.1:${port}`,
    url,
    pid: x.proc.pid ?? -1,
    async scrape() {
      const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`GET ${url}/metrics: HTTP ${r.status}: ${text.slice(0, 500)}`);
      return text;
    },
    output: () => x.stderr(),
    exited: () => exited,
    stop,
  };
}

function tcpAccepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Appends `from` to `to` in `chunks` pieces cut at line ends, `intervalMs` apart, like a mail
 * server writing its log. Counters then grow across several scrapes instead of jumping to
 * their final value before Prometheus first sees them (a series that first appears at its
 * final value has no rate).
 */
export async function appendGradually(from: string, to: string, opts: { chunks: number; intervalMs: number }): Promise<void> {
  const size = statSync(from).size;
  const src = openSync(from, 'r');
  const dst = openSync(to, 'a');
  try {
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const n = readSync(src, buffer, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    let start = 0;
    for (let i = 1; i <= opts.chunks && start < read; i++) {
      let end = i === opts.chunks ? read : Math.floor((read * i) / opts.chunks);
      const nl = buffer.indexOf(10, Math.max(start, end - 1));
      end = nl < 0 || nl >= read ? read : nl + 1;
      if (end > start) writeSync(dst, buffer, start, end - start);
      start = end;
      if (start < read) await new Promise((r) => setTimeout(r, opts.intervalMs));
    }
  } finally {
    closeSync(src);
    closeSync(dst);
  }
}
