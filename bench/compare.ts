/**
 * The exporter against mtail on the same generated mail logs, in one run:
 *
 *   node --import tsx bench/compare.ts
 *
 * For each size (COMPARE_SIZES, default 1,000,000 and 10,000,000 lines) and each form (syslog as
 * splogger writes it, and the same lines in daemontools multilog form with TAI64N labels):
 *   - `wc -l` (the floor: reading the bytes and finding newlines),
 *   - `qmail_exporter report --format=prometheus FILE` (dist/cli.js),
 *   - the live exporter catching the whole file up as a backlog through the follower,
 *   - `mtail --one_shot --progs bench/ --logs FILE` running bench/qmail.mtail,
 * each timed on its own (wall time, peak RSS); `report` COMPARE_RUNS times (default 3), the
 * median run kept. The live exporter, once caught up, idles 5 s and its own
 * process_resident_memory_bytes is read. Then, on the first syslog log, append → /metrics
 * latency over COMPARE_LATENCY_SAMPLES lines (default 1,000) and /metrics render time. The end
 * of the output holds the memory and speed targets (docs/benchmarks.md) against the 1M syslog
 * row, each met or missed.
 * The recipient and delivery counts of our report and of mtail are compared, so both sides are
 * seen to count the same thing.
 *
 * Environment: COMPARE_SIZES=1000000,10000000  COMPARE_FORMS=syslog,multilog  COMPARE_RUNS=3
 *              COMPARE_LATENCY_SAMPLES=1000  COMPARE_KEEP=1 (keep the generated logs, print where)
 *              COMPARE_NODE_ARGS='--max-semi-space-size=16' (node flags for our report and live runs)
 */
import { mkdirSync, mkdtempSync, appendFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../src/sim/writer.js';
import {
  buildDist,
  cliPath,
  convertToMultilog,
  fmt,
  measureAppendLatency,
  measureRender,
  quantile,
  readCpuSeconds,
  repoRoot,
  runMeasured,
  scrapeText,
  sleep,
  startExporter,
  sumBy,
  waitForLines,
} from './lib.js';

const SIZES = (process.env.COMPARE_SIZES ?? '1000000,10000000').split(',').map(Number);
const FORMS = (process.env.COMPARE_FORMS ?? 'syslog,multilog').split(',') as Array<'syslog' | 'multilog'>;
const LATENCY_SAMPLES = Number(process.env.COMPARE_LATENCY_SAMPLES ?? 1000);
const RUNS = Math.max(1, Number(process.env.COMPARE_RUNS ?? 3));
const NODE_ARGS = (process.env.COMPARE_NODE_ARGS ?? '').split(/\s+/).filter((a) => a !== '');
/** how long the live exporter idles after its catch-up before its RSS is read */
const IDLE_MS = 5000;
/** issue 15's targets, for the 1M-line syslog log */
const TARGET_REPORT_RSS_MB = 80;
const TARGET_IDLE_RSS_MB = 85;
const TARGET_REPORT_LINES_PER_S = 1_000_000;
const RENDER_SAMPLES = 50;
const MTAIL = process.env.MTAIL ?? '/usr/bin/mtail';
/** lines per second of log time in the generated logs (the simulator's clock) */
const LOG_RATE = 20;

interface Row {
  lines: number;
  form: string;
  what: string;
  ms: number;
  rssMb: number;
  cpuS: number;
  /** live exporter: its process_resident_memory_bytes after IDLE_MS idle, MB */
  idleRssMb?: number;
}

/**
 * The cases both sides count. Same user and different user are compared as their sum `sent_auth`:
 * the exporter decides identity with bare logins, extension addresses and aliases
 * (src/events/recipient-case.ts), which a string comparison in mtail cannot express, so only the
 * sum is a fair check; our split is printed beside it.
 */
const CASES = ['inbound_accepted', 'sent_no_auth', 'sent_auth', 'rejected_no_auth', 'rejected_auth_failed'];
const SENT_AUTH_PARTS = ['sent_auth_same_user', 'sent_auth_different_user'];

/** Folds the two authenticated-send cases into `sent_auth`. */
function withSentAuth(byCase: Map<string, number>): Map<string, number> {
  const out = new Map(byCase);
  out.set('sent_auth', SENT_AUTH_PARTS.reduce((sum, k) => sum + (byCase.get(k) ?? 0), 0));
  return out;
}
const RESULTS = ['success', 'deferral', 'failure'];

function agreement(ours: string, mtail: string): { ok: boolean; lines: string[] } {
  const lines: string[] = [];
  let ok = true;
  const pairs: Array<[string, Map<string, number>, Map<string, number>, string[]]> = [
    ['recipients by case', withSentAuth(sumBy(ours, 'qmail_smtp_recipients_total', 'case')), withSentAuth(sumBy(mtail, 'qmail_mtail_smtp_recipients_total', 'case')), CASES],
    ['deliveries by result', sumBy(ours, 'qmail_deliveries_total', 'result'), sumBy(mtail, 'qmail_mtail_deliveries_total', 'result'), RESULTS],
  ];
  for (const [what, a, b, keys] of pairs) {
    const parts = keys.map((k) => {
      const x = a.get(k) ?? 0;
      const y = b.get(k) ?? 0;
      if (x !== y) ok = false;
      return `${k} ${fmt(x)}${x === y ? '' : ` vs mtail ${fmt(y)}`}`;
    });
    lines.push(`${what}: ${parts.join(', ')}`);
  }
  const split = sumBy(ours, 'qmail_smtp_recipients_total', 'case');
  lines.push(`ours split sent_auth into ${SENT_AUTH_PARTS.map((k) => `${k} ${fmt(split.get(k) ?? 0)}`).join(', ')}`);
  return { ok, lines };
}

/** The memory and speed targets against the 1M-line syslog rows. MB here are MiB (2^20 bytes): GNU time's kbytes are KiB. */
function targets(rows: Row[]): string[] {
  const row = (prefix: string): Row | undefined => rows.find((r) => r.lines === 1_000_000 && r.form === 'syslog' && r.what.startsWith(prefix));
  const report = row('report');
  const live = row('live');
  if (report === undefined || live === undefined) return ['(targets: need the 1,000,000-line syslog log in COMPARE_SIZES and COMPARE_FORMS)'];
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  const linesPerS = (report.lines / report.ms) * 1000;
  const idle = live.idleRssMb ?? NaN;
  return [
    '| target (1,000,000 syslog lines) | measured | |',
    '|---|---:|---|',
    `| report peak RSS < ${TARGET_REPORT_RSS_MB} MB | ${report.rssMb.toFixed(1)} MB | ${verdict(report.rssMb < TARGET_REPORT_RSS_MB)} |`,
    `| live exporter RSS after catch-up and ${IDLE_MS / 1000} s idle < ${TARGET_IDLE_RSS_MB} MB | ${idle.toFixed(1)} MB | ${verdict(idle < TARGET_IDLE_RSS_MB)} |`,
    `| report ≥ ${fmt(TARGET_REPORT_LINES_PER_S)} lines/s, start-up included | ${fmt(linesPerS)} lines/s (${(report.ms / 1000).toFixed(2)} s; ${fmt(report.lines / report.cpuS)} lines per CPU second) | ${verdict(linesPerS >= TARGET_REPORT_LINES_PER_S)} |`,
    '',
    `(load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores at the end: on a shared machine wall time stretches, lines per CPU second much less)`,
  ];
}

async function main(): Promise<void> {
  if (process.env.COMPARE_SKIP_BUILD !== '1') buildDist();
  const dir = mkdtempSync(join(tmpdir(), 'qx-compare-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  let latency: number[] = [];
  let renders: number[] = [];
  const keep = process.env.COMPARE_KEEP === '1';
  try {
    for (const lines of SIZES) {
      const sizeDir = join(dir, String(lines));
      mkdirSync(join(sizeDir, 'smtpd'), { recursive: true });
      const syslogFile = join(sizeDir, 'maillog');
      const startTime = Math.floor(Date.now() / 1000) - Math.ceil(lines / LOG_RATE);
      let t0 = performance.now();
      await writeSimulatedLog(syslogFile, { startTime, lines, seed: 1, profile: 'abuse' });
      console.error(`generated ${fmt(lines)} lines (${(statSync(syslogFile).size / 1e6).toFixed(0)} MB) in ${fmt(performance.now() - t0)} ms`);
      const files: Record<string, string> = { syslog: syslogFile };
      if (FORMS.includes('multilog')) {
        // A multilog directory named after the service: the exporter takes the listener from it.
        const multilogFile = join(sizeDir, 'smtpd', 'current');
        t0 = performance.now();
        const n = await convertToMultilog(syslogFile, multilogFile, startTime);
        if (n !== lines) throw new Error(`multilog conversion wrote ${n} lines, want ${lines}`);
        console.error(`converted to multilog form (${(statSync(multilogFile).size / 1e6).toFixed(0)} MB) in ${fmt(performance.now() - t0)} ms`);
        files.multilog = multilogFile;
      }

      for (const form of FORMS) {
        const file = files[form]!;
        let liveRss = NaN;
        const add = (what: string, ms: number, rssMb: number, cpuS: number, idleRssMb?: number): void => {
          rows.push({ lines, form, what, ms, rssMb, cpuS, ...(idleRssMb === undefined ? {} : { idleRssMb }) });
          const idle = idleRssMb === undefined ? '' : `, ${idleRssMb.toFixed(1)} MB after ${IDLE_MS / 1000} s idle`;
          console.error(`  ${fmt(lines)} ${form} ${what}: ${fmt(ms)} ms, ${fmt((lines / ms) * 1000)} lines/s, ${rssMb.toFixed(0)} MB, ${cpuS.toFixed(2)} CPU s${idle}`);
        };

        const wc = await runMeasured('wc', ['-l', file]);
        add('wc -l (floor)', wc.ms, wc.peakRssMb, wc.cpuSeconds);

        // The median of RUNS runs by wall time (the machine may be shared); its RSS and CPU with it.
        const reports = [];
        for (let r = 0; r < RUNS; r++) reports.push(await runMeasured(process.execPath, [...NODE_ARGS, cliPath, 'report', '--format=prometheus', file]));
        reports.sort((a, b) => a.ms - b.ms);
        const report = reports[Math.floor((reports.length - 1) / 2)]!;
        const rssOfRuns = reports.map((r) => r.peakRssMb.toFixed(1)).join(', ');
        console.error(`  report runs: ${reports.map((r) => fmt(r.ms)).join(', ')} ms; peak RSS ${rssOfRuns} MB`);
        add(`report --format=prometheus${RUNS > 1 ? ` (median of ${RUNS})` : ''}`, report.ms, report.peakRssMb, report.cpuSeconds);

        const live = await startExporter({ args: [`--qmail.log-path=${file}`, '--qmail.read-from-start', '--log.level=warn'], nodeArgs: NODE_ARGS });
        let liveMs = NaN;
        let liveCpu = NaN;
        let idleRss = NaN;
        try {
          liveMs = await waitForLines(live, lines, { from: live.spawnedAt, timeoutMs: 30 * 60_000, intervalMs: 100 });
          liveCpu = readCpuSeconds(live.proc.pid);
          // What a small server sees once the backlog is read: the exporter's own resident memory.
          await sleep(IDLE_MS);
          idleRss = Number(/^process_resident_memory_bytes (\S+)$/m.exec(await scrapeText(live.url))?.[1]) / 1048576;
          if (form === 'syslog' && latency.length === 0) {
            renders = await measureRender(live.url, RENDER_SAMPLES);
            latency = await measureAppendLatency(
              live.url,
              (text) => appendFileSync(file, text),
              LATENCY_SAMPLES,
              (i, nowMs) => `Nov 24 13:10:00 mail qmail: ${(nowMs / 1000).toFixed(6)} status: local ${i % 10}/10 remote ${i % 20}/20`,
            );
          }
        } finally {
          liveRss = (await live.stop()).peakRssMb;
        }
        add('live catch-up (follower)', liveMs, liveRss, liveCpu, idleRss);

        const mtail = await runMeasured(MTAIL, [
          '--one_shot',
          '--one_shot_format=prometheus',
          '--progs',
          join(repoRoot, 'bench'),
          '--logs',
          file,
          // one_shot still opens its HTTP listener: keep it on loopback, on a free port
          '--address=127.0.0.1',
          '--port=0',
        ]);
        add('mtail --one_shot (bench/qmail.mtail)', mtail.ms, mtail.peakRssMb, mtail.cpuSeconds);

        const agree = agreement(report.stdout, mtail.stdout);
        notes.push(`${fmt(lines)} ${form}: ours and mtail ${agree.ok ? 'agree' : 'DISAGREE'} — ${agree.lines.join('; ')}`);
      }
      if (!keep) rmSync(sizeDir, { recursive: true, force: true });
      else console.error(`kept ${sizeDir}`);
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }

  // ---- the table ----
  const out: string[] = [];
  out.push(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ${MTAIL}`);
  out.push('');
  out.push(`| log | form | what | seconds | lines/s | CPU seconds | peak RSS MB | RSS after ${IDLE_MS / 1000} s idle MB |`);
  out.push('|---:|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const idle = r.idleRssMb === undefined ? '' : Number.isFinite(r.idleRssMb) ? r.idleRssMb.toFixed(1) : '?';
    out.push(
      `| ${fmt(r.lines)} | ${r.form} | ${r.what} | ${(r.ms / 1000).toFixed(2)} | ${fmt((r.lines / r.ms) * 1000)} | ${Number.isFinite(r.cpuS) ? r.cpuS.toFixed(2) : '?'} | ${Number.isFinite(r.rssMb) ? r.rssMb.toFixed(0) : '?'} | ${idle} |`,
    );
  }
  out.push('');
  out.push('| log | form | report speed ÷ mtail | live catch-up speed ÷ mtail | report speed ÷ wc -l |');
  out.push('|---:|---|---:|---:|---:|');
  for (const lines of SIZES) {
    for (const form of FORMS) {
      const get = (prefix: string): number => rows.find((r) => r.lines === lines && r.form === form && r.what.startsWith(prefix))?.ms ?? NaN;
      const m = get('mtail');
      out.push(`| ${fmt(lines)} | ${form} | ${(m / get('report')).toFixed(1)}× | ${(m / get('live')).toFixed(1)}× | ${(get('wc') / get('report')).toFixed(2)} |`);
    }
  }
  out.push('');
  if (latency.length > 0) {
    out.push(`append → /metrics latency over ${fmt(latency.length)} lines: median ${quantile(latency, 0.5).toFixed(1)} ms, p99 ${quantile(latency, 0.99).toFixed(1)} ms, max ${latency.at(-1)!.toFixed(1)} ms`);
    out.push(`/metrics render over HTTP after the backlog (full catalogue + leaderboards), ${renders.length} scrapes: median ${quantile(renders, 0.5).toFixed(1)} ms, p99 ${quantile(renders, 0.99).toFixed(1)} ms`);
  }
  out.push('(live catch-up time runs from process spawn to the last line counted at /metrics, polled every 100 ms; its CPU seconds are read from /proc at that moment)');
  out.push('');
  for (const n of notes) out.push(`- ${n}`);
  out.push('');
  out.push(...targets(rows));
  console.log(out.join('\n'));
}

await main();
