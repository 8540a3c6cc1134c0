/**
 * Scrape load on a real exporter process: while it follows a log that a simulated host writes at
 * 20,000 lines/s (appended in batches), a fixed-rate load generator scrapes /metrics 200 times a
 * second for LOAD_SECONDS (default 60). Every scrape must succeed (HTTP 200, a complete exposition,
 * answered within 10 s), no line may be lost (lines_total at the end equals the lines written, and
 * every counter equals the simulator's truth), and the scrape latency percentiles are printed.
 *
 * Latency is measured from each request's scheduled time, not from when it was sent, so a stalled
 * event loop shows in the figures instead of hiding behind a late send. Loopback only; bounded in
 * time and count.
 *
 *   LOAD_SECONDS=10 node --import tsx --test test/load/scrape-load.test.ts
 *   LOAD_USE_DIST=1 …   runs the built dist/cli.js instead of the sources through tsx
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../../src/sim/host.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth } from '../helpers/truth.js';
import { waitForHttp } from '../helpers/ports.js';
import { linesTotal, quantile, readVmRssKb, startExporter, type LiveExporter } from '../../bench/lib.js';

const LOAD_SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const SCRAPES_PER_SECOND = 200;
const LINES_PER_SECOND = 20_000;
const WRITE_EVERY_MS = 50;
const SCRAPE_TIMEOUT_MS = 10_000;

interface ScrapeResult {
  latencyMs: number;
  error: string | null;
}

async function scrapeOnce(url: string, dueAt: number): Promise<ScrapeResult> {
  try {
    const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    const body = await r.text();
    const latencyMs = performance.now() - dueAt;
    if (r.status !== 200) return { latencyMs, error: `HTTP ${r.status}` };
    // A complete exposition: the line counter is there and the text ends with a newline.
    if (!body.includes('qmail_exporter_log_lines_total{') || !body.endsWith('\n')) return { latencyMs, error: `incomplete body (${body.length} bytes)` };
    return { latencyMs, error: null };
  } catch (err) {
    return { latencyMs: performance.now() - dueAt, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) };
  }
}

test(`${SCRAPES_PER_SECOND} scrapes/s for ${LOAD_SECONDS} s while following ${LINES_PER_SECOND} lines/s: no failed scrape, no lost line`, { timeout: LOAD_SECONDS * 1000 + 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-load-'));
  const log = join(dir, 'maillog');
  writeFileSync(log, '');
  // The simulator's log clock keeps its default pace (20 lines per log second); the lines are written
  // faster than that, so the log is placed in the past and ends about now.
  const totalLines = LINES_PER_SECOND * LOAD_SECONDS;
  const startTime = Math.floor(Date.now() / 1000) - Math.ceil(totalLines / 20);
  const sim = createSimulation({ startTime, seed: 21, profile: 'abuse' });
  let x: LiveExporter | null = null;
  try {
    x = await startExporter({ fromSource: process.env.LOAD_USE_DIST !== '1', args: [`--qmail.log-path=${log}`, '--qmail.read-from-start', '--log.level=warn'] });
    const exporter = x;
    await waitForHttp(`${exporter.url}/metrics`, { timeoutMs: 60_000, what: 'exporter listening', abort: () => (exporter.proc.exitCode !== null ? `exited: ${exporter.stderr()}` : null) });

    const t0 = performance.now();
    const end = t0 + LOAD_SECONDS * 1000;
    let written = 0;

    // Writer: keeps the number of lines written at LINES_PER_SECOND × elapsed, in batches.
    const writer = (async () => {
      while (performance.now() < end) {
        const due = Math.min(totalLines, Math.floor(((performance.now() - t0) / 1000) * LINES_PER_SECOND));
        if (due > written) {
          appendFileSync(log, sim.takeText(due - written));
          written = due;
        }
        await new Promise((r) => setTimeout(r, WRITE_EVERY_MS));
      }
      if (totalLines > written) {
        appendFileSync(log, sim.takeText(totalLines - written));
        written = totalLines;
      }
    })();

    // Load generator: open loop, one request every 1000/SCRAPES_PER_SECOND ms whatever the answers do.
    const pending: Array<Promise<ScrapeResult>> = [];
    const rssSamples: number[] = [];
    const intervalMs = 1000 / SCRAPES_PER_SECOND;
    const total = SCRAPES_PER_SECOND * LOAD_SECONDS;
    for (let i = 0; i < total; i++) {
      const dueAt = t0 + i * intervalMs;
      const wait = dueAt - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      pending.push(scrapeOnce(exporter.url, dueAt));
      if (i % SCRAPES_PER_SECOND === 0) rssSamples.push(readVmRssKb(exporter.proc.pid) / 1024);
    }
    const results = await Promise.all(pending);
    await writer;

    const failures = results.filter((r) => r.error !== null);
    const latencies = results.map((r) => r.latencyMs).sort((a, b) => a - b);
    const summary =
      `${results.length} scrapes in ${LOAD_SECONDS} s (${SCRAPES_PER_SECOND}/s), ${failures.length} failed; ` +
      `latency from schedule: median ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms, max ${latencies.at(-1)!.toFixed(1)} ms; ` +
      `exporter RSS ${Math.min(...rssSamples).toFixed(0)}–${Math.max(...rssSamples).toFixed(0)} MB; ${written} lines written`;
    t.diagnostic(summary);
    console.log(`scrape-load: ${summary}`);

    assert.equal(results.length, total);
    assert.deepEqual(
      failures.slice(0, 10).map((f) => f.error),
      [],
      `${failures.length} of ${results.length} scrapes failed`,
    );

    // No lost line: everything written is counted, and every counter equals the truth.
    assert.equal(written, totalLines);
    const deadline = Date.now() + 60_000;
    let counted = 0;
    let text = '';
    while (Date.now() < deadline) {
      text = await (await fetch(`${exporter.url}/metrics`)).text();
      counted = linesTotal(text);
      if (counted >= written) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(counted, written, 'lines_total equals the lines written');
    const problems = diffAgainst(expectedFromTruth(sim.host.truth()), readSeries(text));
    assert.deepEqual(problems, [], problems.slice(0, 20).join('\n'));
  } finally {
    if (x) {
      const stopped = await x.stop();
      if (stopped.code !== 0 && stopped.code !== null) console.error(x.stderr().slice(-4000));
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
