/**
 * Throughput of the simulator's file writer: `node --import tsx bench/sim.ts [lines]`
 * (default 1,000,000; env SIM_BENCH_LINES also works). Writes a plain and a gzip file to a
 * temporary directory, prints lines/s, size and CPU time for each, and removes them. On a shared
 * machine compare the CPU time too: wall time there includes waiting for other processes.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../src/sim/writer.js';

export interface SimBenchResult {
  file: string;
  lines: number;
  ms: number;
  /** CPU time of the whole process (all threads: main, GC helpers, zlib in the thread pool) */
  cpuMs: number;
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
      const cpu0 = process.cpuUsage();
      await writeSimulatedLog(file, { startTime: 1_700_000_000, lines, seed: 1, profile: 'abuse' });
      const cpu = process.cpuUsage(cpu0);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpuMs = (cpu.user + cpu.system) / 1000;
      results.push({ file: name, lines, ms, cpuMs, linesPerSecond: (lines / ms) * 1000, megabytes: statSync(file).size / 1e6 });
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
        `${Math.round(r.linesPerSecond).toLocaleString('en-US')} lines/s, ${r.megabytes.toFixed(1)} MB on disk ` +
        `(CPU ${Math.round(r.cpuMs).toLocaleString('en-US')} ms, load average ${loadavg()[0]!.toFixed(1)})`,
    );
  }
}
