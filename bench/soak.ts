/**
 * Soak: the built exporter follows a log written at a steady rate for SOAK_SECONDS (default 600),
 * rotated every SOAK_ROTATE_SECONDS (default 60, weekly-rename style: maillog → maillog-N, a new
 * maillog), while SOAK_DISTINCT (default 1,000,000) distinct users and IPs pass through the
 * leaderboards. Checkpoints are on (--storage.path, every 10 s), as in production.
 *
 *   npm run soak                      (node --import tsx bench/soak.ts)
 *   SOAK_SECONDS=180 npm run soak     a shorter run
 *
 * Every 10 s it samples the exporter's RSS (VmRSS) and series count; at the end it prints the RSS
 * slope (MB/min, least squares over the second half of the run), the series counts, and whether
 * every counter equals the truth: the simulator's for its lines plus the known counts of the
 * distinct-key lines. Exits 1 when a counter differs, a line is lost or the series grow unbounded.
 *
 * Environment: SOAK_SECONDS, SOAK_RATE (simulator lines/s, default 2000), SOAK_DISTINCT,
 * SOAK_ROTATE_SECONDS, SOAK_SAMPLE_SECONDS (default 10), SOAK_SKIP_BUILD=1,
 * SOAK_NODE_ARGS (node flags for the exporter, e.g. '--max-old-space-size=96').
 */
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../src/sim/host.js';
import { createClassifier } from '../src/classify/classifier.js';
import { seriesKey } from '../src/metrics/series-key.js';
import { readSeries, diffAgainst } from '../test/helpers/exposition.js';
import { expectedFromTruth } from '../test/helpers/truth.js';
import { buildDist, fmt, linesTotal, readVmRssKb, scrapeText, sleep, startExporter } from './lib.js';

const SECONDS = Number(process.env.SOAK_SECONDS ?? 600);
const SIM_RATE = Number(process.env.SOAK_RATE ?? 2000);
const DISTINCT = Number(process.env.SOAK_DISTINCT ?? 1_000_000);
const ROTATE_SECONDS = Number(process.env.SOAK_ROTATE_SECONDS ?? 60);
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 10);
const WRITE_EVERY_MS = 100;
/** leaderboard and self-metric series are bounded by flags; this is far above what they allow */
const SERIES_BOUND = 5000;

// ---- lines with a new user and a new IP each --------------------------------------------------------

function ipOf(i: number): string {
  return `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
}

const SYNTHETIC_KINDS = [
  {
    // the sender's domain (example.org) is not the user's (example.com)
    key: seriesKey('qmail_smtp_recipients_total', { case: 'sent_auth_different_user', listener: 'submission', reason: 'other_domain' }),
    line: (i: number, stamp: string) =>
      `Nov 24 13:10:00 mail submission: ${stamp} CHKUSER relaying rcpt: from <list${i}@example.org:user${i}@example.com:> remote <helo${i}:unknown:${ipOf(i)}> rcpt <rcpt${i}@example.net> : client allowed to relay`,
  },
  {
    key: seriesKey('qmail_auth_attempts_total', { protocol: 'smtp', result: 'failure', reason: 'bad_password' }),
    line: (i: number) => `Nov 24 13:10:00 mail vpopmail[${1000 + (i % 30000)}]: vchkpw-smtp: password fail victim${i}@example.com:${ipOf(i)}`,
  },
  {
    key: seriesKey('qmail_smtp_recipients_total', { case: 'rejected_no_auth', listener: 'smtp', reason: 'relay_denied' }),
    line: (i: number, stamp: string) =>
      `Nov 24 13:10:00 mail smtp: ${stamp} CHKUSER rejected relaying: from <bot${i}@example.org::> remote <x${i}:unknown:${ipOf(i)}> rcpt <r@example.net> : client not allowed to relay`,
  },
];

function syntheticLine(i: number): string {
  const stamp = `1700000000.${String(i % 1_000_000).padStart(6, '0')}`;
  return SYNTHETIC_KINDS[i % SYNTHETIC_KINDS.length]!.line(i, stamp);
}

/** The synthetic lines must mean what the soak counts them as: checked with the classifier itself. */
function checkSyntheticLines(): void {
  const c = createClassifier({});
  for (let i = 0; i < SYNTHETIC_KINDS.length; i++) {
    const r = c.classify(syntheticLine(i), { referenceTime: Date.now() / 1000, listenerHint: null });
    if (r.result !== 'counted' || r.events.length !== 1) throw new Error(`synthetic line ${i} is ${r.result} with ${r.events.length} events: ${syntheticLine(i)}`);
  }
}

// ---- statistics -------------------------------------------------------------------------------------

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den === 0 ? NaN : num / den;
}

function countSeries(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) if (line !== '' && !line.startsWith('#')) n++;
  return n;
}

// ---- the run ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  if (process.env.SOAK_SKIP_BUILD !== '1') buildDist();
  checkSyntheticLines();
  const dir = mkdtempSync(join(tmpdir(), 'qx-soak-'));
  const log = join(dir, 'maillog');
  const simLinesTotal = SIM_RATE * SECONDS;
  const sim = createSimulation({ startTime: Math.floor(Date.now() / 1000) - Math.ceil(simLinesTotal / 20), seed: 5, profile: 'abuse' });
  writeFileSync(log, '');
  const x = await startExporter({
    nodeArgs: (process.env.SOAK_NODE_ARGS ?? '').split(' ').filter((a) => a !== ''),
    args: [`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${join(dir, 'state')}`, '--log.level=warn'],
  });
  let failed = false;
  try {
    for (;;) {
      try {
        await scrapeText(x.url);
        break;
      } catch {
        await sleep(50);
      }
    }
    console.error(`soak: ${SECONDS} s, ${fmt(SIM_RATE)} simulator lines/s + ${fmt(DISTINCT / SECONDS)} distinct-key lines/s, rotation every ${ROTATE_SECONDS} s, in ${dir}`);

    const t0 = performance.now();
    const end = t0 + SECONDS * 1000;
    let simWritten = 0;
    let synthWritten = 0;
    let rotations = 0;
    let nextRotation = t0 + ROTATE_SECONDS * 1000;
    const samples: Array<{ s: number; rssMb: number; heapMb: number; series: number; lines: number }> = [];
    let nextSample = t0;

    while (performance.now() < end) {
      const now = performance.now();
      const elapsed = (now - t0) / 1000;
      const simDue = Math.min(simLinesTotal, Math.floor(elapsed * SIM_RATE));
      const synthDue = Math.min(DISTINCT, Math.floor((elapsed / SECONDS) * DISTINCT));
      let text = '';
      if (simDue > simWritten) {
        text += sim.takeText(simDue - simWritten);
        simWritten = simDue;
      }
      if (synthDue > synthWritten) {
        const chunk: string[] = [];
        for (let i = synthWritten; i < synthDue; i++) chunk.push(syntheticLine(i));
        text += `${chunk.join('\n')}\n`;
        synthWritten = synthDue;
      }
      if (text !== '') appendFileSync(log, text);
      if (now >= nextRotation) {
        rotations++;
        renameSync(log, `${log}-${String(rotations).padStart(4, '0')}`);
        writeFileSync(log, '');
        nextRotation += ROTATE_SECONDS * 1000;
      }
      if (now >= nextSample) {
        const body = await scrapeText(x.url);
        const heap = /^nodejs_heap_size_used_bytes (\S+)$/m.exec(body);
        const sample = { s: elapsed, rssMb: readVmRssKb(x.proc.pid) / 1024, heapMb: heap ? Number(heap[1]) / 2 ** 20 : NaN, series: countSeries(body), lines: linesTotal(body) };
        samples.push(sample);
        console.error(
          `  t=${sample.s.toFixed(0).padStart(4)} s  RSS ${sample.rssMb.toFixed(1)} MB  JS heap used ${sample.heapMb.toFixed(1)} MB  series ${sample.series}  lines counted ${fmt(sample.lines)}`,
        );
        nextSample += SAMPLE_SECONDS * 1000;
      }
      await sleep(WRITE_EVERY_MS);
    }
    // What is still due at the end.
    if (simLinesTotal > simWritten) {
      appendFileSync(log, sim.takeText(simLinesTotal - simWritten));
      simWritten = simLinesTotal;
    }
    if (DISTINCT > synthWritten) {
      const chunk: string[] = [];
      for (let i = synthWritten; i < DISTINCT; i++) chunk.push(syntheticLine(i));
      appendFileSync(log, `${chunk.join('\n')}\n`);
      synthWritten = DISTINCT;
    }
    const written = simWritten + synthWritten;

    // Wait for the exporter to count everything (bounded).
    let text = '';
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      text = await scrapeText(x.url);
      if (linesTotal(text) >= written) break;
      await sleep(200);
    }
    const counted = linesTotal(text);

    const expected = expectedFromTruth(sim.host.truth());
    // Synthetic lines carry stamps of their own; the newest-line gauge is not part of this check.
    delete expected['qmail_exporter_last_line_timestamp_seconds'];
    const countedKey = seriesKey('qmail_exporter_log_lines_total', { result: 'counted' });
    expected[countedKey] = (expected[countedKey] ?? 0) + synthWritten;
    for (let k = 0; k < SYNTHETIC_KINDS.length; k++) {
      const n = Math.floor(synthWritten / SYNTHETIC_KINDS.length) + (k < synthWritten % SYNTHETIC_KINDS.length ? 1 : 0);
      const key = SYNTHETIC_KINDS[k]!.key;
      expected[key] = (expected[key] ?? 0) + n;
    }
    const problems = diffAgainst(expected, readSeries(text));

    const secondHalf = samples.filter((s) => s.s >= SECONDS / 2).map((s): [number, number] => [s.s / 60, s.rssMb]);
    const rssSlope = slope(secondHalf);
    const heapSlope = slope(samples.filter((s) => s.s >= SECONDS / 2).map((s): [number, number] => [s.s / 60, s.heapMb]));
    const seriesFirstHalfMax = Math.max(...samples.filter((s) => s.s < SECONDS / 2).map((s) => s.series));
    const seriesLast = countSeries(text);
    const rss = samples.map((s) => s.rssMb);

    const out = [
      '',
      `soak result (${SECONDS} s, node ${process.version})`,
      `| lines written | lines counted | rotations | distinct users/IPs | RSS min / max MB | RSS slope, 2nd half | JS heap slope, 2nd half | series (max 1st half → end) |`,
      `|---:|---:|---:|---:|---:|---:|---:|---:|`,
      `| ${fmt(written)} | ${fmt(counted)} | ${rotations} | ${fmt(synthWritten)} | ${Math.min(...rss).toFixed(0)} / ${Math.max(...rss).toFixed(0)} | ${rssSlope.toFixed(2)} MB/min | ${heapSlope.toFixed(2)} MB/min | ${seriesFirstHalfMax} → ${seriesLast} |`,
      '',
      `counters equal the truth: ${problems.length === 0 ? 'yes' : `NO (${problems.length} differences)`}`,
      ...problems.slice(0, 20).map((p) => `  ${p}`),
      `no line lost: ${counted === written ? 'yes' : `NO (${fmt(written - counted)} missing)`}`,
      `series bounded (≤ ${SERIES_BOUND}, not growing after the first half): ${seriesLast <= SERIES_BOUND && seriesLast <= seriesFirstHalfMax * 1.1 ? 'yes' : 'NO'}`,
    ];
    console.log(out.join('\n'));
    failed = problems.length > 0 || counted !== written || seriesLast > SERIES_BOUND;
  } finally {
    const stopped = await x.stop();
    console.log(`exporter peak RSS (getrusage at exit): ${stopped.peakRssMb.toFixed(0)} MB`);
    rmSync(dir, { recursive: true, force: true });
  }
  if (failed) process.exitCode = 1;
}

await main();
