/**
 * Reading whole files (archived logs, stdin) as batches of lines, for `report`, `classify` and
 * `backfill`. Following a live file is the follower's job (src/follow/); this reads once, to EOF.
 * gzip is recognised by its magic bytes as well as by a `.gz` name, so a renamed archive still reads.
 */
import { createReadStream, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import type { LineContext } from '../events/parsed-line.js';

/** Lines longer than this are cut (and still counted): no valid line of any qmail program comes near it. */
export const MAX_LINE_BYTES = 1024 * 1024 + 1024;

async function openMaybeGzip(path: string): Promise<Readable> {
  const raw: Readable = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
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
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  if (first === null) {
    out.end();
    return out;
  }
  raw.unshift(first);
  const gz = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
  const src = gz ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw;
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
export async function* readLineBatches(path: string): AsyncGenerator<string[]> {
  try {
    yield* readLineBatchesOf(path);
  } catch (err) {
    // Errors from a read (EISDIR, EIO) do not name the file; the caller's message should.
    const e = err as NodeJS.ErrnoException;
    if (e !== null && typeof e === 'object' && e.path === undefined) e.path = path;
    throw err;
  }
}

async function* readLineBatchesOf(path: string): AsyncGenerator<string[]> {
  const stream = await openMaybeGzip(path);
  let carry: Buffer | null = null;
  // After cutting an over-long line, the rest of it up to the next newline is dropped.
  let skipping = false;
  for await (let chunk of stream as AsyncIterable<Buffer>) {
    if (skipping) {
      const nl = chunk.indexOf(10);
      if (nl < 0) continue;
      chunk = chunk.subarray(nl + 1);
      skipping = false;
    }
    const lines: string[] = [];
    let buf: Buffer = chunk;
    let start = 0;
    if (carry !== null) {
      // Finish the carried partial line without copying the whole new chunk behind it.
      const nl = chunk.indexOf(10);
      if (nl < 0) buf = Buffer.concat([carry, chunk]);
      else {
        const joined = Buffer.concat([carry, chunk.subarray(0, nl)]);
        let end = joined.length;
        if (end > 0 && joined[end - 1] === 13) end--;
        lines.push(joined.toString('utf8', 0, Math.min(end, MAX_LINE_BYTES)));
        start = nl + 1;
      }
      carry = null;
    }
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      let end = nl;
      if (end > start && buf[end - 1] === 13) end--;
      // No encoding name means UTF-8, and Buffer#toString then skips looking the name up (once per line).
      lines.push(buf.toString(undefined, start, Math.min(end, start + MAX_LINE_BYTES)));
      start = nl + 1;
    }
    if (start < buf.length) {
      if (buf.length - start > MAX_LINE_BYTES) {
        // Hand out the first part of a line longer than the cap now, so memory stays bounded.
        lines.push(buf.toString('utf8', start, start + MAX_LINE_BYTES));
        skipping = true;
      } else {
        carry = Buffer.from(buf.subarray(start));
      }
    }
    if (lines.length > 0) yield lines;
  }
  if (carry !== null && carry.length > 0) {
    let end = carry.length;
    if (carry[end - 1] === 13) end--;
    yield [carry.toString('utf8', 0, end)];
  }
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
