/**
 * The exporter as a real process, the way an operator runs it: `node --import tsx src/cli.ts`
 * (or the built `dist/cli.js` when QMAIL_EXPORTER_ENTRY=dist), on a free 127.0.0.1 port, with
 * the given flags. Tests that need Prometheus, check_http or the Nagios plugin talk to it over
 * HTTP like they would in production.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from 'node:net';
import { freePort, pollUntil } from './ports.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Command and arguments that start the exporter: sources through tsx by default, or dist/cli.js. */
export function exporterCommand(): { command: string; args: string[] } {
  if (process.env.QMAIL_EXPORTER_ENTRY === 'dist') return { command: process.execPath, args: [join(REPO_ROOT, 'dist', 'cli.js')] };
  return { command: process.execPath, args: ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli.ts')] };
}

export interface ExporterOptions {
  /** files to follow (--qmail.log-path, repeated) */
  logPaths: string[];
  /** --qmail.read-from-start (default true) */
  readFromStart?: boolean;
  /** more flags, e.g. ['--qmail.missing-grace=0s'] */
  args?: string[];
  /** port to listen on; a free one by default */
  port?: number;
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
  /** SIGTERM, then SIGKILL after 5 s; resolves when it has exited */
  stop(): Promise<void>;
}

export async function startExporter(opts: ExporterOptions): Promise<ExporterProcess> {
  const port = opts.port ?? (await freePort());
  const { command, args } = opts.entry === undefined ? exporterCommand() : { command: process.execPath, args: [opts.entry] };
  const flags = [
    ...opts.logPaths.map((p) => `--qmail.log-path=${p}`),
    ...(opts.readFromStart === false ? [] : ['--qmail.read-from-start']),
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
    ...(opts.args ?? []),
  ];
  let log = '';
  let exited: string | null = null;
  const child: ChildProcess = spawn(command, [...args, ...flags], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const append = (chunk: Buffer): void => {
    if (log.length < 200_000) log += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exitedPromise = new Promise<void>((res) => {
    child.once('exit', (code, signal) => {
      exited = `exporter exited (code ${code}, signal ${signal}): ${log.slice(-3000)}`;
      res();
    });
    child.once('error', (err) => {
      exited = `exporter could not start: ${err.message}`;
      res();
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exitedPromise;
    clearTimeout(killer);
  };

  const readyPath = opts.readyPath === undefined ? '/-/ready' : opts.readyPath;
  try {
    await pollUntil(
      async () => {
        if (readyPath === null) return (await tcpAccepts(port)) ? true : undefined;
        const r = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(1000) });
        await r.arrayBuffer();
        return r.status === 200 ? true : undefined;
      },
      { what: `exporter on ${url} (${[...args, ...flags].join(' ')})`, timeoutMs: 30_000, abort: () => exited },
    );
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    port,
    address: `127.0.0.1:${port}`,
    url,
    pid: child.pid ?? -1,
    async scrape() {
      const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) });
      const text = await r.text();
      if (r.status !== 200) throw new Error(`GET ${url}/metrics: HTTP ${r.status}: ${text.slice(0, 500)}`);
      return text;
    },
    output: () => log,
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
