/**
 * `npm run bench`: throughput, memory and latency of the built exporter on generated logs.
 *
 *   1. generate a realistic N-line maillog with the simulator (default 1,000,000 lines; BENCH_LINES)
 *   2. `wc -l` on it: the floor
 *   3. `qmail_exporter report --format=prometheus` over it: lines/s and peak RSS
 *   4. the live exporter catching up the same file as a backlog through the follower: lines/s, peak RSS
 *   5. latency from an appended line to its counter at /metrics (median, p99)
 *   6. /metrics render time with the full catalogue and filled leaderboards
 *
 * Every process is measured on its own (wall time of the work, maxRSS from getrusage).
 */
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { writeSimulatedLog } from '../src/sim/writer.js';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const LATENCY_SAMPLES = Number(process.env.BENCH_LATENCY_SAMPLES ?? 200);
const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli.js');
const rss = join(root, 'bench', 'rss-at-exit.mjs');

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function runMeasured(args: string[]): { ms: number; rssMb: number; stdoutBytes: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', rss, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  const m = /maxrss_kb=(\d+)/.exec(r.stderr);
  return { ms, rssMb: m ? Number(m[1]) / 1024 : NaN, stdoutBytes: r.stdout.length };
}

async function scrapeText(url: string): Promise<string> {
  return (await fetch(`${url}/metrics`)).text();
}

function linesTotal(text: string): number {
  let n = 0;
  for (const m of text.matchAll(/^qmail_exporter_log_lines_total\{result="[a-z]+"\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

async function main(): Promise<void> {
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('build failed');
  const dir = mkdtempSync(join(tmpdir(), 'qx-bench-'));
  const rows: Array<[string, string, string, string]> = [];
  try {
    const file = join(dir, 'maillog');
    let t0 = Date.now();
    await writeSimulatedLog(file, { startTime: Math.floor(Date.now() / 1000) - LINES / 20, lines: LINES, seed: 1, profile: 'abuse' });
    const genMs = Date.now() - t0;
    const mb = statSync(file).size / 1e6;
    console.log(`generated ${fmt(LINES)} lines (${mb.toFixed(0)} MB) in ${fmt(genMs)} ms`);

    t0 = Date.now();
    spawnSync('wc', ['-l', file]);
    const wcMs = Date.now() - t0;
    rows.push(['wc -l (floor)', fmt(wcMs), fmt((LINES / wcMs) * 1000), '-']);

    const rep = runMeasured([cli, 'report', '--format=prometheus', file]);
    rows.push(['report --format=prometheus', fmt(rep.ms), fmt((LINES / rep.ms) * 1000), rep.rssMb.toFixed(0)]);

    // Live catch-up: the exporter reads the whole file as a backlog through the follower.
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    t0 = Date.now();
    const live = spawn(process.execPath, ['--import', rss, cli, `--qmail.log-path=${file}`, '--qmail.read-from-start', `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let liveErr = '';
    live.stderr.on('data', (d) => (liveErr += d));
    let caughtUpMs = NaN;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      try {
        if (linesTotal(await scrapeText(url)) >= LINES) {
          caughtUpMs = Date.now() - t0;
          break;
        }
      } catch {
        // not listening yet
      }
      if (Date.now() - t0 > 300_000) throw new Error(`live catch-up did not finish: ${liveErr}`);
    }

    // /metrics render time with the full catalogue and leaderboards filled by the backlog.
    const renders: number[] = [];
    for (let i = 0; i < 30; i++) {
      const s = process.hrtime.bigint();
      await scrapeText(url);
      renders.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
    renders.sort((a, b) => a - b);

    // Latency: append one line, poll /metrics until its counter moves.
    const lat: number[] = [];
    let base = linesTotal(await scrapeText(url));
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      const s = Date.now();
      const t = (s / 1000).toFixed(6);
      appendFileSync(file, `Nov 24 13:10:00 mail qmail: ${t} status: local 0/10 remote ${i % 20}/20\n`);
      for (;;) {
        const n = linesTotal(await scrapeText(url));
        if (n > base) {
          base = n;
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      lat.push(Date.now() - s);
    }
    lat.sort((a, b) => a - b);
    live.kill('SIGTERM');
    await new Promise((r) => live.once('exit', r));
    const m = /maxrss_kb=(\d+)/.exec(liveErr);
    rows.push(['live catch-up (follower + pipeline)', fmt(caughtUpMs), fmt((LINES / caughtUpMs) * 1000), m ? (Number(m[1]) / 1024).toFixed(0) : '?']);

    console.log('');
    console.log(`| what (${fmt(LINES)} lines) | ms | lines/s | peak RSS MB |`);
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
    console.log('');
    const q = (a: number[], p: number): number => a[Math.min(a.length - 1, Math.floor(a.length * p))]!;
    console.log(`append → /metrics latency over ${LATENCY_SAMPLES} lines: median ${q(lat, 0.5)} ms, p99 ${q(lat, 0.99)} ms`);
    console.log(`/metrics render (full catalogue + leaderboards, over HTTP): median ${q(renders, 0.5).toFixed(1)} ms, p99 ${q(renders, 0.99).toFixed(1)} ms`);
    console.log('(live catch-up time includes process start-up)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

mkdirSync(tmpdir(), { recursive: true });
await main();
