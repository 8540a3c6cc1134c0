/**
 * Backfill throughput: a week of a busy host (BENCH_LINES, default 10,000,000 lines, written by
 * the simulator over 7 days of log time into maillog-YYYYMMDD) through `runBackfill`, measured in
 * a child process of its own: wall time, lines/s, peak RSS (process.resourceUsage().maxRSS), the
 * size of the OpenMetrics file, and then the time promtool takes to import it.
 * The child runs the tsc build (dist/, built first, as bench/compare.ts does): tsx's transform wraps
 * every function it creates in a naming helper, which costs the parsers' closures about 10%.
 *
 *   node --import tsx bench/backfill.ts                 # generate, backfill, import
 *   BENCH_LINES=1000000 BENCH_STEP=15s node --import tsx bench/backfill.ts
 *   BENCH_CPU_PROF=/tmp/prof node --import tsx bench/backfill.ts   # also write a .cpuprofile of the backfill there
 *   BENCH_GZIP=1 ...                                     # the archive as maillog-YYYYMMDD.gz
 *   BENCH_TSX=1 ...                                      # run src/ through tsx instead of dist/
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { runBackfill as RunBackfill } from '../src/commands/backfill.js';
import { writeSimulatedLog } from '../src/sim/writer.js';

const WEEK = 7 * 86_400;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const root = fileURLToPath(new URL('..', import.meta.url));

async function child(file: string, output: string, step: string): Promise<void> {
  const modulePath = process.env.BENCH_TSX ? join(root, 'src/commands/backfill.ts') : join(root, 'dist/commands/backfill.js');
  const { runBackfill } = (await import(modulePath)) as { runBackfill: typeof RunBackfill };
  const t0 = process.hrtime.bigint();
  const s = await runBackfill({
    files: [file],
    output,
    step,
    labels: ['job=qmail', 'instance=mail.example.org:9399'],
    listenerMap: {},
    nowSeconds: Date.now() / 1000,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const result = { ms, lines: s.lines, steps: s.steps, samples: s.samples, series: s.series, bytes: s.bytes, maxRssKb: process.resourceUsage().maxRSS };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  const lines = Number(process.env.BENCH_LINES ?? 10_000_000);
  const step = process.env.BENCH_STEP ?? '60s';
  if (!process.env.BENCH_TSX) {
    const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    // tsc emits even when some file elsewhere has a type error; the measurement only needs the JS.
    if (build.status !== 0) console.warn('bench: tsc reported errors (above); measuring what it emitted');
  }
  const dir = mkdtempSync(join(tmpdir(), 'qx-bench-backfill-'));
  try {
    // A week ending on a Sunday rotation: maillog-YYYYMMDD names the day the file was rotated.
    const end = new Date();
    end.setHours(0, 0, 0, 0);
    end.setDate(end.getDate() - end.getDay());
    const startTime = end.getTime() / 1000 - WEEK;
    const ymd = `${end.getFullYear()}${String(end.getMonth() + 1).padStart(2, '0')}${String(end.getDate()).padStart(2, '0')}`;
    const file = join(dir, `maillog-${ymd}${process.env.BENCH_GZIP ? '.gz' : ''}`);
    let t0 = Date.now();
    await writeSimulatedLog(file, { startTime, lines, seed: 1, profile: 'abuse', linesPerSecond: lines / WEEK });
    console.log(`generated ${fmt(lines)} lines (${(statSync(file).size / 1e6).toFixed(0)} MB, ${file}) in ${fmt(Date.now() - t0)} ms`);

    const output = join(dir, 'backfill.om');
    const profArgs = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
    const r = spawnSync(process.execPath, [...profArgs, '--import', 'tsx', fileURLToPath(import.meta.url), '--child', file, output, step], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const m = /^RESULT (.*)$/m.exec(r.stdout);
    if (r.status !== 0 || !m) throw new Error(`backfill child failed (status ${r.status}): ${r.stdout}`);
    const res = JSON.parse(m[1]!) as { ms: number; lines: number; steps: number; samples: number; series: number; bytes: number; maxRssKb: number };
    console.log(
      `backfill --step=${step}: ${fmt(res.ms)} ms, ${fmt((res.lines / res.ms) * 1000)} lines/s, peak RSS ${(res.maxRssKb / 1024).toFixed(0)} MB; ` +
        `${fmt(res.steps)} steps × ${fmt(res.series)} series = ${fmt(res.samples)} samples, ${(res.bytes / 1e6).toFixed(0)} MB of OpenMetrics`,
    );

    if (process.env.BENCH_SKIP_PROMTOOL) return;
    t0 = Date.now();
    const p = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--max-block-duration=24h', '-q', output, join(dir, 'tsdb')], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`promtool failed: ${p.stderr}`);
    console.log(`promtool tsdb create-blocks-from openmetrics --max-block-duration=24h: ${fmt(Date.now() - t0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else await main();
