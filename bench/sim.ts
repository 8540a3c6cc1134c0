/**
 * Throughput of the simulator's file writer: `node --import tsx bench/sim.ts [lines]`
 * (default 1,000,000; env SIM_BENCH_LINES also works). Writes a plain and a gzip file to a
 * temporary directory, prints lines/s and MB/s for each, and removes them.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../src/sim/writer.js';

export interface SimBenchResult {
  file: string;
  lines: number;
  ms: number;
  linesPerSecond: number;
  megabytes: number;
}

export async function benchSimulator(lines = 1_000_000): Promise<SimBenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'qx-sim-bench-'));
  const results: SimBenchResult[] = [];
  try {
    for (const name of ['maillog', 'maillog.gz']) {
      const file = join(dir, name);
      const t0 = process.hrtime.bigint();
      await writeSimulatedLog(file, { startTime: 1_700_000_000, lines, seed: 1, profile: 'abuse' });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      results.push({ file: name, lines, ms, linesPerSecond: (lines / ms) * 1000, megabytes: statSync(file).size / 1e6 });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = Number(process.argv[2] ?? process.env.SIM_BENCH_LINES ?? 1_000_000);
  for (const r of await benchSimulator(lines)) {
    console.log(
      `${r.file.padEnd(11)} ${r.lines.toLocaleString('en-US')} lines in ${Math.round(r.ms).toLocaleString('en-US')} ms: ` +
        `${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s, ${r.megabytes.toFixed(1)} MB on disk`,
    );
  }
}
