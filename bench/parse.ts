/**
 * Lines per second through envelope + dispatch + classify (one core), on a real log file:
 *
 *   node --import tsx bench/parse.ts FILE        (BENCH_SECONDS=3 by default; FILE may be .gz)
 *
 * The file is read into memory first, so only parsing and classifying are timed. The lines are run
 * through a fresh classifier repeatedly until BENCH_SECONDS of CPU time have passed (CPU time, because
 * wall time on a shared machine measures the neighbours); the first pass is a warm-up.
 * Also reports the envelope alone and envelope + dispatch (no state), and how the lines were accounted.
 * Syslog lines get a year from a fixed reference time; multilog lines are read with listener hint 'smtp'.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createClassifier } from '../src/classify/classifier.js';
import type { LineResult } from '../src/events/events.js';
import { readEnvelope } from '../src/parse/envelope/index.js';
import { parseLine } from '../src/parse/dispatch.js';
import type { LineContext } from '../src/events/parsed-line.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node --import tsx bench/parse.ts FILE');
  process.exit(2);
}
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const raw = readFileSync(file);
const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
const lines = text.split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const ctx: LineContext = { referenceTime: Date.now() / 1000, listenerHint: 'smtp' };

/** CPU seconds of this process (user + system): steadier than wall time on a shared machine. */
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(12);

function measure(name: string, run: () => void): void {
  run(); // warm-up
  let passes = 0;
  const wallStart = process.hrtime.bigint();
  const cpuStart = cpuSeconds();
  let cpu = 0;
  do {
    run();
    passes++;
    cpu = cpuSeconds() - cpuStart;
  } while (cpu < seconds);
  const wall = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const n = passes * lines.length;
  console.log(`${name.padEnd(32)} ${fmt(n / cpu)} lines/CPU-s ${fmt(n / wall)} lines/s wall  (${passes} passes)`);
}

console.log(`${file}: ${lines.length.toLocaleString('en-US')} lines, ${(text.length / lines.length).toFixed(0)} chars/line on average`);

let sink = 0;
measure('envelope', () => {
  for (let i = 0; i < lines.length; i++) sink += readEnvelope(lines[i]!, ctx).message.length;
});
measure('envelope + dispatch', () => {
  for (let i = 0; i < lines.length; i++) sink += parseLine(lines[i]!, ctx).kind.length;
});
measure('envelope + dispatch + classify', () => {
  const c = createClassifier();
  for (let i = 0; i < lines.length; i++) sink += c.classify(lines[i]!, ctx).events.length;
  sink += c.flush().length;
});

const tally: Record<LineResult, number> = { counted: 0, ignored: 0, unrecognised: 0, foreign: 0 };
const c = createClassifier();
for (const l of lines) tally[c.classify(l, ctx).result]++;
console.log('accounting:', JSON.stringify(tally), 'state:', JSON.stringify(c.stats()));
if (sink === -1) console.log(sink);
