/**
 * `qmail_exporter backfill [FILE...] --output=FILE`: history from archived logs. The files
 * (maillog-YYYYMMDD, maillog-YYYYMMDD.gz, multilog @*.s; plain or gzip, in any order) are put in
 * the order of their first timestamp and read through ONE engine, the counting core the live
 * exporter uses, so counters carry on from one archive to the next. The catalogue is sampled at
 * every --step of log time and written as OpenMetrics text with timestamps for
 * `promtool tsdb create-blocks-from openmetrics`. The whole procedure: docs/backfill.md.
 */
import { constants } from 'node:fs';
import { access, open, rm } from 'node:fs/promises';
import type { MailEvent } from '../events/events.js';
import type { Recorder } from '../metrics/record.js';
import { createRecorder } from '../metrics/record.js';
import type { AnyFamily } from '../metrics/tally.js';
import { createEngine, type EngineSenders, type Engine } from '../engine.js';
import { ConfigError } from '../errors.js';
import { createPipeline } from '../pipeline.js';
import { seedYearAnchor } from '../parse/envelope/year.js';
import { contextForFile, readLineBatches } from '../read/file-lines.js';
import { readFirstLines } from '../backfill/first-lines.js';
import { parseExtraLabels, parseStep } from '../backfill/options.js';
import { writeOpenMetrics } from '../backfill/openmetrics.js';
import { Sampler, StepClock } from '../backfill/sampler.js';

export interface BackfillOptions {
  files: string[];
  /** who is sending (src/senders.ts): identity rule, trusted relays, SMTP uids */
  senders?: EngineSenders;
  /** the output file; null is refused (the flag is required) */
  output: string | null;
  /** Prometheus duration text, e.g. '60s' */
  step: string;
  /** 'name=value', one per --label */
  labels: string[];
  listenerMap: Record<string, string>;
  /** wall clock, Unix seconds: the year reference for files without a dated name, and the future bound for line times */
  nowSeconds: number;
}

export interface BackfillSummary {
  /** the files in the order they were read, with their first line time (null: none found) */
  files: Array<{ path: string; firstTime: number | null }>;
  lines: number;
  /** Unix ms of the first and the last sample */
  firstSampleMs: number;
  lastSampleMs: number;
  steps: number;
  /** sample lines written (a histogram point is buckets + 3 lines) */
  samples: number;
  series: number;
  bytes: number;
}

/**
 * Line times before this are not believed: a broken TAI64N stamp reads as 1970. qmail itself is
 * older, but no archive anyone backfills today is.
 */
export const EARLIEST_BELIEVABLE_SECONDS = Date.UTC(2000, 0, 1) / 1000;
/** Line times more than a day after the wall clock are not believed either (a time zone's worth of slack). */
const FUTURE_SLACK_SECONDS = 86_400;

/**
 * The absurd-span guard: a history longer than MIN_STEPS_CHECKED steps may not grow past
 * MAX_STEPS_PER_LINE steps for each line read so far (plus LINES_SLACK). A year-old log read with the
 * wrong year for some of its lines, or a foreign file with a far-off stamp, jumps by a year after a
 * few lines: 525,600 one-minute samples of ~300 series, gigabytes, for a file of 100,000 lines. A
 * sparse but real history (a quiet host's year) stays well inside: its steps grow with its lines.
 */
export const MIN_STEPS_CHECKED = 50_000;
export const MAX_STEPS_PER_LINE = 100;
export const LINES_SLACK = 1_000;

function absurdSpanMessage(time: number, startMs: number, steps: number, lines: number, file: string, step: string): string {
  const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
  const days = Math.round((time * 1000 - startMs) / 86_400_000);
  return (
    `backfill: a line of ${file} at ${iso(time * 1000)} would stretch the history from ${iso(startMs)} over ${days} days ` +
    `(${Math.round(steps)} samples of ${step}) after only ${lines} lines: refusing before writing it. ` +
    'A jump like this is most often a year put wrong or a file that does not belong to this history; ' +
    'check the input (docs/backfill.md, "Times"), or use a larger --step for a long, sparse history'
  );
}

/** Reads the files and writes the OpenMetrics file; throws ConfigError for bad options. */
export async function runBackfill(opts: BackfillOptions): Promise<BackfillSummary> {
  const stepMs = parseStep(opts.step);
  if (opts.output === null || opts.output === '') {
    throw new ConfigError('QX_CONFIG_INVALID', '--output: required (the OpenMetrics file to write for promtool)', { details: { flag: '--output' } });
  }
  if (opts.files.length === 0) throw new ConfigError('QX_CONFIG_INVALID', 'backfill: no input files (name the archived logs, e.g. /var/log/maillog-*)');
  if (opts.files.includes('-')) {
    throw new ConfigError('QX_CONFIG_INVALID', "backfill: '-' (standard input) is not supported: the files are read twice, to order them by time");
  }
  const engine = createEngine({ listenerMap: opts.listenerMap, senders: opts.senders });
  const families = catalogueFamilies(engine);
  const extraLabels = parseExtraLabels(opts.labels, reservedLabelNames(families));
  for (const file of opts.files) await checkReadable(file);

  const valid = { min: EARLIEST_BELIEVABLE_SECONDS, max: opts.nowSeconds + FUTURE_SLACK_SECONDS };
  const ordered = await orderByFirstTime(opts.files, opts, valid);

  const sampler = new Sampler(families);
  let changed = true;
  const clock = new StepClock(stepMs, valid, () => {
    sampler.sample(changed);
    changed = false;
  });
  // The engine's classifier and metrics, with the clock in front of the recorder: before an update
  // at or past a step boundary is counted, the catalogue is sampled at that boundary. (engine.pipeline
  // records without that hook, so this command builds its own from the same parts.)
  const counting = createRecorder(engine.metrics);
  let linesRead = 0;
  let fileOfLine = '';
  // Refuses a history that would be absurd for its input before it is sampled, let alone written.
  const checkSpan = (time: number | null): void => {
    if (time === null || !clock.started || !(time >= valid.min && time <= valid.max)) return;
    const steps = (time * 1000 - clock.startMs) / stepMs;
    if (steps > MIN_STEPS_CHECKED && steps > MAX_STEPS_PER_LINE * (linesRead + LINES_SLACK)) {
      throw new ConfigError('QX_CONFIG_INVALID', absurdSpanMessage(time, clock.startMs, steps, linesRead, fileOfLine, opts.step), {
        details: { steps: Math.round(steps), lines: linesRead },
      });
    }
  };
  const recorder: Recorder = {
    event(e) {
      checkSpan(e.time);
      clock.advance(e.time);
      counting.event(e);
      changed = true;
    },
    line(result, time) {
      linesRead++;
      checkSpan(time);
      clock.advance(time);
      counting.line(result, time);
      changed = true;
    },
  };
  const pipeline = createPipeline({
    classify: (text, ctx) => engine.classifier.classify(text, ctx),
    flush: () => engine.classifier.flush(),
    recorder,
  });

  const out = await open(opts.output, 'w');
  let summary: BackfillSummary;
  try {
    let lines = 0;
    for (const { path } of ordered) {
      fileOfLine = path;
      const ctx = contextForFile(path, opts.nowSeconds);
      let first = true;
      for await (const batch of readLineBatches(path)) {
        if (first) seedYearAnchor(ctx, batch); // one year per file: the head's first exact stamp
        first = false;
        pipeline.batch(batch, ctx);
        lines += batch.length;
      }
    }
    pipeline.flush();
    clock.finish();
    if (!clock.started) {
      throw new ConfigError('QX_CONFIG_INVALID', `backfill: no line with a time in ${opts.files.join(', ')}: nothing to backfill (are these qmail logs?)`);
    }
    const stats = await writeOpenMetrics(
      { families: sampler.families(), timeOfStep: (i) => clock.timeOfStep(i), extraLabels },
      async (chunk) => {
        for (let done = 0; done < chunk.length; ) done += (await out.write(chunk, done, chunk.length - done)).bytesWritten;
      },
    );
    summary = {
      files: ordered.map(({ path, firstTime }) => ({ path, firstTime })),
      lines,
      firstSampleMs: clock.startMs,
      lastSampleMs: clock.timeOfStep(sampler.steps - 1),
      steps: sampler.steps,
      ...stats,
    };
  } catch (err) {
    // A half-written history must not be imported by mistake (it would lack `# EOF`, which promtool
    // refuses, but better gone). Only a regular file is removed: --output=/dev/stdout stays.
    const regular = (await out.stat().catch(() => null))?.isFile() ?? false;
    await out.close().catch(() => undefined);
    if (regular) await rm(opts.output, { force: true }).catch(() => undefined);
    throw err;
  }
  await out.close();
  return summary;
}

/** The catalogue's families in catalogue order, without build info (metrics.snapshot() leaves it out). */
function catalogueFamilies(engine: Engine): AnyFamily[] {
  const out: AnyFamily[] = [];
  for (const name of Object.keys(engine.metrics.snapshot())) {
    const f = engine.registry.getSingleMetric(name) as unknown as AnyFamily | undefined;
    if (f !== undefined) out.push(f);
  }
  return out;
}

function reservedLabelNames(families: readonly AnyFamily[]): Set<string> {
  const names = new Set<string>(['le', 'quantile']);
  for (const f of families) for (const n of f.labelNames) names.add(n);
  return names;
}

/** Fails before any work is done, naming the file, rather than half-way through the output. */
async function checkReadable(path: string): Promise<void> {
  try {
    await access(path, constants.R_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw Object.assign(new Error(`backfill: cannot read ${path}: ${why}`, { cause: err }), { code: e.code, path });
  }
}

/**
 * Stable sort of the files by the time of their first line that has one, looking at the head of
 * each file only (a fresh engine per file, so nothing counted here reaches the output). Files
 * without a time in their head go last, in the order given.
 */
async function orderByFirstTime(
  files: readonly string[],
  opts: Pick<BackfillOptions, 'listenerMap' | 'nowSeconds'>,
  valid: { min: number; max: number },
): Promise<Array<{ path: string; firstTime: number | null }>> {
  const keyed: Array<{ path: string; firstTime: number | null; index: number }> = [];
  for (let index = 0; index < files.length; index++) {
    const path = files[index]!;
    keyed.push({ path, firstTime: await firstTime(path, opts, valid), index });
  }
  keyed.sort((a, b) => (a.firstTime ?? Infinity) - (b.firstTime ?? Infinity) || a.index - b.index);
  return keyed.map(({ path, firstTime }) => ({ path, firstTime }));
}

async function firstTime(
  path: string,
  opts: Pick<BackfillOptions, 'listenerMap' | 'nowSeconds'>,
  valid: { min: number; max: number },
): Promise<number | null> {
  const { classifier } = createEngine({ listenerMap: opts.listenerMap });
  const ctx = contextForFile(path, opts.nowSeconds);
  const believable = (e: MailEvent): boolean => e.time !== null && e.time >= valid.min && e.time <= valid.max;
  const head = await readFirstLines(path);
  seedYearAnchor(ctx, head);
  for (const text of head) {
    const e = classifier.classify(text, ctx).events.find(believable);
    if (e !== undefined) return e.time;
  }
  return classifier.flush().find(believable)?.time ?? null;
}
