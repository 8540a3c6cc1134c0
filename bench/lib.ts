/**
 * Helpers shared by the benchmarks (bench/compare.ts, bench/soak.ts): measured child processes,
 * a live exporter process on a loopback port, scrapes, latency probes, and the multilog form of a
 * syslog mail log. Loopback only; every wait has a deadline.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { parseExposition, sumSamples } from '../src/nagios/exposition.js';
import { spawnExporter } from '../test/helpers/exporter-process.js';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

export const repoRoot = new URL('..', import.meta.url).pathname;
export const cliPath = join(repoRoot, 'dist', 'cli.js');
/** preloaded with `node --import`: prints `maxrss_kb=N` to stderr when the process exits */
export const rssHook = join(repoRoot, 'bench', 'rss-at-exit.mjs');
const GNU_TIME = '/usr/bin/time';

export function fmt(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '?';
}

export function quantile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

export function median(values: readonly number[]): number {
  return quantile([...values].sort((a, b) => a - b), 0.5);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** `npx tsc -p tsconfig.build.json`: the benchmarks time the built exporter, as it is shipped. */
export function buildDist(): void {
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: repoRoot, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('build failed (npx tsc -p tsconfig.build.json)');
}

export interface Measured {
  ms: number;
  /** peak resident set size of the process, MB (NaN when it could not be read) */
  peakRssMb: number;
  /** user + system CPU seconds of the process (NaN without GNU time) */
  cpuSeconds: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to its end and reports wall time and peak RSS. Peak RSS comes from GNU time
 * (getrusage of the child) when /usr/bin/time exists, else from the last VmHWM read in /proc
 * while it ran (a high-water mark, so the last reading is close to the true peak).
 */
export async function runMeasured(cmd: string, args: string[], opts: { stdoutToFile?: string } = {}): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const dir = mkdtempSync(join(tmpdir(), 'qx-measure-'));
  const timeOut = join(dir, 'time.out');
  try {
    const argv = useTime ? ['-f', '%M %U %S', '-o', timeOut, cmd, ...args] : args;
    const t0 = process.hrtime.bigint();
    const child = spawn(useTime ? GNU_TIME : cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const sink = opts.stdoutToFile ? createWriteStream(opts.stdoutToFile) : null;
    child.stdout!.on('data', (d: Buffer) => {
      if (sink) sink.write(d);
      else stdout += d.toString('utf8');
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    let hwmKb = NaN;
    const poll = useTime
      ? null
      : setInterval(() => {
          const kb = readVmHwmKb(child.pid);
          if (Number.isFinite(kb)) hwmKb = kb;
        }, 20);
    const [code] = (await once(child, 'exit')) as [number | null];
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (poll) clearInterval(poll);
    if (sink) await new Promise<void>((r) => sink.end(r));
    if (code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
    const timed = useTime ? (readFileSync(timeOut, 'utf8').trim().split('\n').at(-1) ?? '').split(' ').map(Number) : [];
    const kb = useTime ? (timed[0] ?? NaN) : hwmKb;
    const cpuSeconds = useTime ? (timed[1] ?? NaN) + (timed[2] ?? NaN) : NaN;
    return { ms, peakRssMb: kb / 1024, cpuSeconds, stdout, stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readVmHwmKb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** user + system CPU seconds a running process has used so far (from /proc; Linux ticks are 1/100 s). */
export function readCpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

export function readVmRssKb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}

// ---- a live exporter process --------------------------------------------------------------------

export interface LiveExporter {
  url: string;
  proc: ChildProcess;
  /** ms (performance.now()) when the process was spawned */
  spawnedAt: number;
  stderr(): string;
  /** SIGTERM, wait for the exit; peak RSS from the exit hook */
  stop(): Promise<{ peakRssMb: number; code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartExporterOptions {
  /** exporter flags besides --web.listen-address (127.0.0.1 port 0, read back from the log) */
  args: string[];
  /** run the TypeScript sources through tsx instead of dist/cli.js (tests: nothing to build) */
  fromSource?: boolean;
  /** extra node flags, e.g. --cpu-prof */
  nodeArgs?: string[];
  /** run as this user and group (the caller must be root), e.g. to meet file permissions for real */
  uid?: number;
  gid?: number;
}

/** The tests' exporter starter (test/helpers/exporter-process.ts) with the peak-RSS exit hook. */
export async function startExporter(opts: StartExporterOptions): Promise<LiveExporter> {
  const x = spawnExporter(opts.args, {
    entry: opts.fromSource ? 'source' : 'dist',
    nodeArgs: [...(opts.nodeArgs ?? []), '--import', rssHook],
    ...(opts.uid === undefined ? {} : { uid: opts.uid }),
    ...(opts.gid === undefined ? {} : { gid: opts.gid }),
  });
  const url = await x.url;
  return {
    url,
    proc: x.proc,
    spawnedAt: x.spawnedAt,
    stderr: x.stderr,
    async stop() {
      const { code, signal } = await x.stop();
      const m = /maxrss_kb=(\d+)/.exec(x.stderr());
      return { peakRssMb: m ? Number(m[1]) / 1024 : NaN, code, signal };
    },
  };
}

export async function scrapeText(url: string, path = '/metrics'): Promise<string> {
  const r = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(10_000) });
  if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status}`);
  return r.text();
}

/** Sum of qmail_exporter_log_lines_total over its results: every line the exporter has read. */
export function linesTotal(text: string): number {
  return sumSamples(parseExposition(text).samples, 'qmail_exporter_log_lines_total');
}

/** Polls /metrics until `want` lines are counted; returns ms since `from` (performance.now()). */
export async function waitForLines(x: LiveExporter, want: number, opts: { from: number; timeoutMs: number; intervalMs?: number }): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (x.proc.exitCode !== null || x.proc.signalCode !== null) throw new Error(`exporter exited: ${x.stderr().slice(-2000)}`);
    try {
      const n = linesTotal(await scrapeText(x.url));
      if (n >= want) return performance.now() - opts.from;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${want} lines not counted within ${opts.timeoutMs} ms: ${x.stderr().slice(-2000)}`);
    await sleep(opts.intervalMs ?? 50);
  }
}

/** /metrics render time over HTTP, sorted ms. */
export async function measureRender(url: string, samples: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const s = performance.now();
    await scrapeText(url);
    out.push(performance.now() - s);
  }
  return out.sort((a, b) => a - b);
}

/**
 * Latency from appending one line to seeing it counted at /metrics: append, then scrape until
 * lines_total moves. Sorted ms. `line(i, nowMs)` makes the i-th line (without the newline).
 */
export async function measureAppendLatency(
  url: string,
  append: (text: string) => void,
  samples: number,
  line: (i: number, nowMs: number) => string,
): Promise<number[]> {
  const lat: number[] = [];
  let base = linesTotal(await scrapeText(url));
  for (let i = 0; i < samples; i++) {
    const s = performance.now();
    append(`${line(i, Date.now())}\n`);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const n = linesTotal(await scrapeText(url));
      if (n > base) {
        base = n;
        break;
      }
      if (Date.now() > deadline) throw new Error(`line ${i} not counted within 10 s`);
      await sleep(1);
    }
    lat.push(performance.now() - s);
  }
  return lat.sort((a, b) => a - b);
}

// ---- log forms ----------------------------------------------------------------------------------

const SYSLOG_HEADER = /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ [^\s:]+: /;
const SPLOGGER_STAMP = /^(\d{9,11})\.(\d{6}) /;

/** '@4000000065...' TAI64N label for a Unix time: TAI = 2^62 + 10 s + Unix seconds. */
export function tai64nLabel(unixSeconds: number, nanoseconds: number): string {
  return `@40000000${(unixSeconds + 10).toString(16).padStart(8, '0')}${nanoseconds.toString(16).padStart(8, '0')}`;
}

/**
 * One syslog line in daemontools multilog form: the syslog header and splogger's `sec.usec`
 * stamp are replaced by a TAI64N label with the same time. Lines without a stamp (vpopmail,
 * dovecot) take the time of the last stamped line before them.
 */
export function syslogToMultilog(line: string, state: { sec: number; nsec: number }): string {
  const h = SYSLOG_HEADER.exec(line);
  let rest = h ? line.slice(h[0].length) : line;
  const s = SPLOGGER_STAMP.exec(rest);
  if (s) {
    state.sec = Number(s[1]);
    state.nsec = Number(s[2]) * 1000;
    rest = rest.slice(s[0].length);
  }
  return `${tai64nLabel(state.sec, state.nsec)} ${rest}`;
}

/** Streams a syslog maillog into its multilog form (see syslogToMultilog); returns lines written. */
export async function convertToMultilog(src: string, dst: string, startTime: number): Promise<number> {
  const out = createWriteStream(dst);
  const state = { sec: startTime, nsec: 0 };
  let tail = '';
  let lines = 0;
  let pending: string[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const ok = out.write(`${pending.join('\n')}\n`);
    pending = [];
    if (!ok) await once(out, 'drain');
  };
  for await (const chunk of createReadStream(src, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const parts = (tail + (chunk as string)).split('\n');
    tail = parts.pop()!;
    for (const p of parts) pending.push(syslogToMultilog(p, state));
    lines += parts.length;
    await flush();
  }
  if (tail !== '') {
    pending.push(syslogToMultilog(tail, state));
    lines++;
  }
  await flush();
  await new Promise<void>((r, j) => out.end((e?: Error | null) => (e ? j(e) : r())));
  return lines;
}

/** Prometheus text → Map of `name{labels as written}` → value (enough for the benchmarks' checks). */
export function sumBy(text: string, metric: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const sample of parseExposition(text).samples) {
    const value = sample.labels[label];
    if (sample.name !== metric || value === undefined) continue;
    out.set(value, (out.get(value) ?? 0) + sample.value);
  }
  return out;
}
