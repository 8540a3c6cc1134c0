/**
 * Writing the simulated host's log to disk: a whole file at once (plain or gzip, for tests and
 * benches), or live, appending as the wall clock passes and rotating like the weekly maillog
 * (for the demo and for follower tests that drive the clock by hand).
 */
import { createWriteStream } from 'node:fs';
import { access, appendFile, open, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createQueueMirror } from './queue-dir.js';
import { createSimulatedHost, createSimulation } from './host.js';
import type { SimOptions } from './host.js';
import type { Truth } from './truth.js';

/** lines taken from the host at a time (about 120 kB: small enough that their strings die young) */
const CHUNK_LINES = 1000;
/** bytes per write; two such buffers alternate, so one is filled while the other is written */
const WRITE_BYTES = 4 << 20;

/** Write n lines to a file (plain, or gzip when the name ends with .gz) fast; returns the truth. */
export async function writeSimulatedLog(file: string, opts: SimOptions & { lines: number }): Promise<Truth> {
  if (!(Number.isSafeInteger(opts.lines) && opts.lines >= 0)) throw new RangeError('writeSimulatedLog: lines must be a whole number ≥ 0');
  const sim = createSimulation(opts);
  const sink = file.endsWith('.gz') ? gzipSink(file) : await fileSink(file);
  try {
    // Two reused buffers rather than a Buffer per chunk: fresh external memory makes V8 run full
    // collections, which cost as much as generating the lines.
    const buffers = [Buffer.allocUnsafe(WRITE_BYTES), Buffer.allocUnsafe(WRITE_BYTES)];
    let current = 0;
    let used = 0;
    let inFlight: Promise<void> = Promise.resolve();
    const flush = async (): Promise<void> => {
      await inFlight;
      inFlight = sink.write(buffers[current]!.subarray(0, used));
      current ^= 1;
      used = 0;
    };
    for (let left = opts.lines; left > 0; ) {
      const n = Math.min(CHUNK_LINES, left);
      left -= n;
      const text = sim.takeText(n);
      // every character is ASCII: latin1 writes the same bytes as utf8, without looking for multibyte ones
      if (used + text.length > WRITE_BYTES) await flush();
      if (text.length > WRITE_BYTES) {
        await inFlight;
        inFlight = sink.write(Buffer.from(text, 'latin1'));
      } else used += buffers[current]!.write(text, used, 'latin1');
    }
    if (used > 0) await flush();
    await inFlight;
    await sink.close();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return sim.host.truth();
}

interface Sink {
  /** resolves once the bytes are written (or handed on) and the buffer may be reused */
  write(bytes: Buffer): Promise<void>;
  close(): Promise<void>;
  abort(): Promise<void>;
}

async function fileSink(file: string): Promise<Sink> {
  const fh = await open(file, 'w');
  return {
    async write(bytes) {
      for (let at = 0; at < bytes.length; ) at += (await fh.write(bytes, at, bytes.length - at)).bytesWritten;
    },
    close: () => fh.close(),
    abort: () => fh.close().catch(() => undefined),
  };
}

function gzipSink(file: string): Sink {
  // level 1: the benches need big files quickly, and compression ratio does not matter here
  const gzip = createGzip({ level: 1 });
  const done = pipeline(gzip, createWriteStream(file));
  // every wait also ends when the pipeline fails (e.g. the directory does not exist)
  const failed = new Promise<never>((_, reject) => done.catch(reject));
  failed.catch(() => undefined);
  return {
    write(bytes) {
      // the callback comes once zlib has consumed the chunk, so the buffer may then be reused
      const written = new Promise<void>((resolve, reject) => gzip.write(bytes, (err) => (err ? reject(err) : resolve())));
      return Promise.race([written, failed]);
    },
    async close() {
      gzip.end();
      await done;
    },
    async abort() {
      gzip.destroy();
      await done.catch(() => undefined);
    },
  };
}

/** A live host: appends lines to dir/fileName as log time passes, rotating like the weekly maillog. */
export interface LiveWriterOptions extends SimOptions {
  dir: string;
  /** default 'maillog' */
  fileName?: string;
  /** rename to `${fileName}-YYYYMMDDHHMMSS` (log time) and recreate every this many ms; null/undefined: never */
  rotateEveryMs?: number | null;
  /** interval of the timer start() sets, default 200 */
  tickMs?: number;
  /** wall clock in ms, default Date.now; log time follows it */
  now?: () => number;
  /** keep a qmail queue directory here that follows the simulated queue (see queue-dir.ts); none by default */
  queueDir?: string;
}

export interface LiveWriter {
  /** write what is due every tickMs until stop() */
  start(): void;
  /** write what is due now (tests drive it by hand) */
  tick(): Promise<void>;
  /** stop the timer, write what is due, and return the truth of every line written */
  stop(): Promise<Truth>;
  truth(): Truth;
  rotations(): number;
}

export function startLiveWriter(opts: LiveWriterOptions): LiveWriter {
  const now = opts.now ?? Date.now;
  const fileName = opts.fileName ?? 'maillog';
  const path = join(opts.dir, fileName);
  const rotateEveryMs = opts.rotateEveryMs ?? null;
  const host = createSimulatedHost(opts);
  const queue = opts.queueDir === undefined ? null : createQueueMirror(opts.queueDir);
  let created = false;
  let lastRotationMs = now();
  let rotations = 0;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  let backgroundError: unknown = null;

  const rotate = async (): Promise<void> => {
    const base = `${path}-${compactLocalTime(host.now())}`;
    let target = base;
    // two rotations within one second of log time must not overwrite each other
    for (let i = 1; await exists(target); i++) target = `${base}-${i}`;
    await rename(path, target);
    await writeFile(path, '');
    rotations++;
  };

  const once = async (): Promise<void> => {
    const ms = now();
    if (!created) {
      await writeFile(path, '', { flag: 'a' });
      await queue?.init();
      created = true;
    }
    const lines = host.advanceTo(ms / 1000);
    if (lines.length > 0) await appendFile(path, lines.join('\n') + '\n');
    await queue?.apply(lines);
    if (rotateEveryMs !== null && ms - lastRotationMs >= rotateEveryMs) {
      await rotate();
      lastRotationMs = ms;
    }
  };

  const tick = (): Promise<void> => {
    // one tick at a time, in order; a failed tick does not stop the next one
    const run = chain.catch(() => undefined).then(once);
    chain = run;
    return run;
  };

  return {
    start(): void {
      if (timer) return;
      timer = setInterval(() => {
        tick().catch((err: unknown) => {
          backgroundError ??= err;
        });
      }, opts.tickMs ?? 200);
    },
    tick,
    async stop(): Promise<Truth> {
      if (timer) clearInterval(timer);
      timer = null;
      await tick();
      if (backgroundError !== null) throw backgroundError;
      return host.truth();
    },
    truth: () => host.truth(),
    rotations: () => rotations,
  };
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

/** YYYYMMDDHHMMSS in local time, as logrotate's dateext names rotated files */
export function compactLocalTime(unixSeconds: number): string {
  const d = new Date(Math.floor(unixSeconds) * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}
