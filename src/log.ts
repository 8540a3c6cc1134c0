/**
 * The exporter's own logger (pino), writing synchronously to stderr as Prometheus exporters do:
 * at exporter log volumes a sync write costs nothing and nothing is lost on a crash.
 *
 * Two formats, both one record per line with the same fields:
 *   logfmt: ts=2024-05-01T10:00:00.000Z level=info component=follow msg="log rotated" path=/var/log/maillog
 *   json:   {"level":"info","ts":"2024-05-01T10:00:00.000Z","component":"follow","msg":"log rotated",…}
 * logfmt needs no transport (no worker thread): a small stream turns each JSON record pino
 * writes into a logfmt line. Rooms log through `logger.child({ component: 'follow' })`; errors go
 * under `err`.
 */
import { pino } from 'pino';
import type { LogFormat, LogLevel } from './config.js';

export type Logger = pino.Logger;

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** a file descriptor (default 2, stderr) or a stream that receives whole lines */
  destination?: number | NodeJS.WritableStream;
}

export function createLogger(opts: LoggerOptions): Logger {
  const dest = opts.destination ?? 2;
  const sink: pino.DestinationStream =
    typeof dest === 'number' ? pino.destination({ dest, sync: true }) : (dest as unknown as pino.DestinationStream);
  const out = opts.format === 'logfmt' ? logfmtStream(sink) : sink;
  return pino(
    {
      level: opts.level,
      base: undefined,
      messageKey: 'msg',
      timestamp: () => `,"ts":"${new Date().toISOString()}"`,
      formatters: { level: (label) => ({ level: label }) },
    },
    out,
  );
}

/** Fields written first, in this order; the rest follow in the order they were logged. */
const LEADING_KEYS = ['ts', 'level', 'component', 'msg'];

/** A stream pino writes JSON lines to, forwarding each as a logfmt line to `sink`. */
function logfmtStream(sink: pino.DestinationStream): pino.DestinationStream {
  return {
    write(chunk: string) {
      for (const line of chunk.split('\n')) {
        if (line !== '') sink.write(`${jsonLineToLogfmt(line)}\n`);
      }
    },
  };
}

/**
 * One pino JSON record as a logfmt line. Nested objects are flattened with dots
 * (`err.code=ENOENT`); an error is shown by its message, type and code, not its stack.
 * A line that is not JSON (which pino never writes) is passed through as `msg`.
 */
export function jsonLineToLogfmt(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return `msg=${logfmtValue(line)}`;
  }
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return `msg=${logfmtValue(line)}`;
  const fields = record as Record<string, unknown>;
  const pairs: string[] = [];
  for (const key of LEADING_KEYS) {
    if (Object.hasOwn(fields, key)) pairs.push(`${key}=${logfmtValue(fields[key])}`);
  }
  for (const [key, value] of Object.entries(fields)) {
    if (LEADING_KEYS.includes(key)) continue;
    if (key === 'err') appendError(pairs, value);
    else appendField(pairs, logfmtKey(key), value);
  }
  return pairs.join(' ');
}

function appendField(pairs: string[], key: string, value: unknown): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) appendField(pairs, `${key}.${logfmtKey(k)}`, v);
    return;
  }
  pairs.push(`${key}=${logfmtValue(value)}`);
}

/**
 * pino's serialized error ({type, message, stack, code, …}) reduced to one line:
 * `err="open failed" err.type=FollowError err.code=QX_FOLLOW_READ`. The stack is left out.
 */
function appendError(pairs: string[], value: unknown): void {
  if (value === null || typeof value !== 'object' || typeof (value as { message?: unknown }).message !== 'string') {
    appendField(pairs, 'err', value);
    return;
  }
  const err = value as Record<string, unknown>;
  pairs.push(`err=${logfmtValue(err['message'])}`);
  if (err['type'] !== undefined && err['type'] !== 'Error') pairs.push(`err.type=${logfmtValue(err['type'])}`);
  if (err['code'] !== undefined) pairs.push(`err.code=${logfmtValue(err['code'])}`);
}

function logfmtKey(key: string): string {
  const clean = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return clean === '' ? '_' : clean;
}

/** Bare when safe, else double-quoted with JSON escapes (quotes, backslashes, control characters). */
function logfmtValue(value: unknown): string {
  const text = value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (text !== '' && /^[^\s"=\\\x00-\x1f\x7f]+$/.test(text)) return text;
  return JSON.stringify(text);
}
