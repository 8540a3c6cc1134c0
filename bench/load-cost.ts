/**
 * What each runtime dependency costs at load: resident memory and milliseconds, each in a fresh
 * node process (median of LOAD_RUNS, default 5), against bare node.
 *
 *   node --import tsx bench/load-cost.ts
 *
 * Also the exporter's own entry points: `report` on an empty file and the live exporter idle at
 * start (no log lines), which is what a small server pays before the first line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDist, cliPath, median, repoRoot, runMeasured, scrapeText, sleep, startExporter } from './lib.js';

const RUNS = Number(process.env.LOAD_RUNS ?? 5);

interface Cost {
  rssMb: number;
  ms: number;
}

/** RSS (after a full collection, so only what the module keeps) and the import's wall time. */
function measure(specifier: string | null): Cost {
  const code = `
    const t = performance.now();
    ${specifier === null ? '' : `await import(${JSON.stringify(specifier)});`}
    const ms = performance.now() - t;
    globalThis.gc();
    console.log(JSON.stringify({ rss: process.memoryUsage().rss, ms }));`;
  const rss: number[] = [];
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', code], { cwd: repoRoot, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${specifier}: ${r.stderr}`);
    const o = JSON.parse(r.stdout) as { rss: number; ms: number };
    rss.push(o.rss / 1048576);
    ms.push(o.ms);
  }
  return { rssMb: median(rss), ms: median(ms) };
}

if (process.env.LOAD_SKIP_BUILD !== '1') buildDist();
const bare = measure(null);
const rows: Array<[string, Cost]> = [['(bare node)', bare]];
for (const s of ['prom-client', 'prom-client/lib/registry.js', 'express', 'pino', 'yaml', 'bcryptjs']) rows.push([s, measure(s)]);
console.log(`node ${process.version}, median of ${RUNS} fresh processes each`);
console.log('');
console.log('| module | RSS MB after import | over bare node MB | import ms |');
console.log('|---|---:|---:|---:|');
for (const [name, c] of rows) {
  console.log(`| ${name} | ${c.rssMb.toFixed(1)} | ${name === '(bare node)' ? '' : (c.rssMb - bare.rssMb).toFixed(1)} | ${name === '(bare node)' ? '' : c.ms.toFixed(1)} |`);
}

// The exporter's own entry points, before the first line.
const dir = mkdtempSync(join(tmpdir(), 'qx-load-'));
try {
  const empty = join(dir, 'maillog');
  writeFileSync(empty, '');
  const report: number[] = [];
  const reportMs: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = await runMeasured(process.execPath, [cliPath, 'report', '--format=prometheus', empty]);
    report.push(m.peakRssMb);
    reportMs.push(m.ms);
  }
  const idle: number[] = [];
  for (let i = 0; i < Math.min(RUNS, 3); i++) {
    const x = await startExporter({ args: [`--qmail.log-path=${empty}`, '--log.level=warn'] });
    try {
      let text = '';
      for (let k = 0; k < 100 && text === ''; k++) text = await scrapeText(x.url).catch(async () => (await sleep(100), ''));
      await sleep(2000);
      text = await scrapeText(x.url);
      idle.push(Number(/^process_resident_memory_bytes (\S+)$/m.exec(text)?.[1]) / 1048576);
    } finally {
      await x.stop();
    }
  }
  console.log('');
  console.log('| entry point | RSS MB | |');
  console.log('|---|---:|---|');
  console.log(`| report --format=prometheus on an empty file | ${median(report).toFixed(1)} (peak) | ${median(reportMs).toFixed(0)} ms wall |`);
  console.log(`| live exporter, no lines yet, 2 s after start | ${median(idle).toFixed(1)} (process_resident_memory_bytes) | |`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
