/**
 * Reading whole files (archived logs, stdin) as batches of lines, for `report`, `classify` and
 * `backfill`. Following a live file is the follower's job (src/follow/); this reads once, to EOF.
 * gzip is recognised by its magic bytes as well as by a `.gz` name, so a renamed archive still reads.
 */
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import type { LineContext } from '../events/parsed-line.js';
import { createLineSplitter, type LineSplitter } from '../follow/line-splitter.js';

/** Lines longer than this are cut (and still counted): no valid line of any qmail program comes near it. */
export const MAX_LINE_BYTES = 1024 * 1024 + 1024;

/**
 * Bytes read at a time, and so the size of a batch (about 550 simulator lines). A plain file is
 * read into one buffer allocated once and reused: the 1 MiB buffers a read stream allocates per
 * chunk, freed only when the garbage collector gets to them, cost 10–20 MB of resident memory
 * on a 1M-line report, and smaller batches keep fewer lines alive at a time (docs/benchmarks.md).
 */
export const READ_CHUNK_BYTES = 64 * 1024;

export interface ReadOptions {
  /** bytes per read (and so per batch); READ_CHUNK_BYTES unless a test wants tiny reads */
  chunkBytes?: number;
}

async function openMaybeGzip(path: string, chunkBytes: number): Promise<Readable> {
  // At least the two bytes the gzip check looks at arrive in the first read.
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: Math.max(chunkBytes, 16) });
  // Peek at the first two bytes: 1f 8b is gzip whatever the name says.
  const first: Buffer | null = await new Promise((res, rej) => {
    const onReadable = (): void => {
      cleanup();
      res(raw.read(2) ?? raw.read());
    };
    const onEnd = (): void => {
      cleanup();
      res(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      rej(err);
    };
    const cleanup = (): void => {
      raw.off('readable', onReadable);
      raw.off('end', onEnd);
      raw.off('error', onError);
    };
    raw.once('readable', onReadable);
    raw.once('end', onEnd);
    raw.once('error', onError);
  });
  const out = new PassThrough({ highWaterMark: chunkBytes });
  if (first === null) {
    out.end();
    return out;
  }
  raw.unshift(first);
  const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const src = gz ? raw.pipe(createGunzip({ chunkSize: Math.max(chunkBytes, 64) })) : raw;
  src.on('error', (err) => out.destroy(err));
  raw.on('error', (err) => out.destroy(err));
  // A reader that stops early destroys `out`; the file (and gunzip) must close with it.
  out.once('close', () => {
    if (!raw.destroyed && raw !== process.stdin) raw.destroy();
    if (src !== raw && !src.destroyed) src.destroy();
  });
  return src.pipe(out);
}

/**
 * Yields the file's lines in batches. A last line without a newline is still yielded (the file is
 * complete). Invalid UTF-8 becomes U+FFFD; a line over MAX_LINE_BYTES is cut to that length.
 */
export async function* readLineBatches(path: string, opts: ReadOptions = {}): AsyncGenerator<string[]> {
  const chunkBytes = Math.max(1, Math.floor(opts.chunkBytes ?? READ_CHUNK_BYTES));
  try {
    yield* readLineBatchesOf(path, chunkBytes);
  } catch (err) {
    // Errors from a read (EISDIR, EIO) do not name the file; the caller's message should.
    const e = err as NodeJS.ErrnoException;
    if (e !== null && typeof e === 'object' && e.path === undefined) e.path = path;
    throw err;
  }
}

function isPlainFile(path: string): boolean {
  if (path === '-') return false;
  try {
    return statSync(path).isFile();
  } catch {
    return false; // the stream's open reports why
  }
}

async function* readLineBatchesOf(path: string, chunkBytes: number): AsyncGenerator<string[]> {
  const splitter = createLineSplitter({ maxLineBytes: MAX_LINE_BYTES });
  if (isPlainFile(path)) {
    // Synchronous reads into one buffer: report/classify/backfill have nothing else to do meanwhile,
    // and each read costs one system call instead of a thread-pool round trip and a new buffer.
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.max(chunkBytes, 2));
      let n = readSync(fd, buf, 0, buf.length, null);
      const gz = n >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
      if (!gz) {
        for (; n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
          const { lines } = splitter.push(buf.subarray(0, n));
          if (lines.length > 0) yield lines;
        }
        yield* lastLine(splitter);
        return;
      }
    } finally {
      closeSync(fd);
    }
  }
  // Standard input, a FIFO, or gzip: a stream (gunzip hands out a new buffer per chunk anyway).
  for await (const chunk of (await openMaybeGzip(path, chunkBytes)) as AsyncIterable<Buffer>) {
    const { lines } = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  yield* lastLine(splitter);
}

function* lastLine(splitter: LineSplitter): Generator<string[]> {
  const last = splitter.flush();
  if (last !== null) yield [last.line];
}

/**
 * Where a file's lines come from, for the parser: the year reference for syslog lines without a
 * year (a `maillog-YYYYMMDD` file was rotated on that day, so its lines are from before it; any other
 * file's lines are from before its last modification), and the listener for multilog files
 * (`/var/log/qmail/smtpd/current` → `smtpd`).
 */
export function contextForFile(path: string, nowSeconds: number): LineContext {
  return { referenceTime: referenceTimeForFile(path, nowSeconds), listenerHint: listenerHintForPath(path) };
}

export function referenceTimeForFile(path: string, nowSeconds: number): number {
  if (path === '-') return nowSeconds;
  const m = /-(\d{4})(\d{2})(\d{2})(?:\d{2,6})?(?:\.gz)?$/.exec(basename(path));
  if (m) {
    const t = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59).getTime() / 1000;
    if (Number.isFinite(t)) return t;
  }
  try {
    return statSync(path).mtimeMs / 1000;
  } catch {
    return nowSeconds;
  }
}

export function listenerHintForPath(path: string): string | null {
  if (path === '-') return null;
  const abs = resolve(path);
  const name = basename(abs);
  if (name === 'current' || name.startsWith('@')) return basename(dirname(abs)) || null;
  try {
    if (statSync(abs).isDirectory()) return name || null;
  } catch {
    // not there (yet): no hint
  }
  return null;
}
