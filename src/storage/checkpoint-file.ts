/**
 * The checkpoint on disk: one JSON file, `checkpoint.json`, replaced atomically so that a crash
 * or power cut at any moment leaves either the old checkpoint or the new one, never a torn one.
 *
 * The sequence is the classic one: write a temporary file in the same directory, fsync it,
 * rename it over checkpoint.json (atomic within a file system), then fsync the directory so
 * the rename itself is durable. Temporary files left by a crash are never read, and are
 * removed by the next successful write.
 *
 * One writer per directory: writes from this process are serialised; two processes sharing a
 * directory are not supported.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { MAX_CHECKPOINT_BYTES } from './checkpoint-schema.js';

export const CHECKPOINT_FILE_NAME = 'checkpoint.json';
const TEMP_PREFIX = `${CHECKPOINT_FILE_NAME}.tmp-`;

export type CheckpointReadResult =
  | { ok: true; data: unknown }
  | { ok: false; reason: 'missing' | 'corrupt' | 'unreadable'; error?: string };

const writesInFlight = new Map<string, Promise<void>>();

/** Serialise `data` as JSON and replace `<dir>/checkpoint.json` atomically; creates `dir`. Rejects on I/O errors. */
export async function writeCheckpointFile(dir: string, data: unknown): Promise<void> {
  const previous = writesInFlight.get(dir) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(() => writeNow(dir, data));
  writesInFlight.set(dir, mine);
  try {
    await mine;
  } finally {
    if (writesInFlight.get(dir) === mine) writesInFlight.delete(dir);
  }
}

async function writeNow(dir: string, data: unknown): Promise<void> {
  const text = `${JSON.stringify(data)}\n`;
  // Never write what the next start would refuse to read.
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) throw new Error(`checkpoint of ${Buffer.byteLength(text)} bytes exceeds ${MAX_CHECKPOINT_BYTES}`);
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const fh = await open(temp, 'wx', 0o600);
    try {
      await fh.writeFile(text, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(temp, join(dir, CHECKPOINT_FILE_NAME));
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dir);
  await removeStaleTemps(dir);
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(TEMP_PREFIX)) await unlink(join(dir, name)).catch(() => undefined);
  }
}

/**
 * Read `<dir>/checkpoint.json`. Never rejects: 'missing' (no checkpoint yet: a first start),
 * 'corrupt' (not JSON, e.g. damaged by hand or a disk fault), 'unreadable' (permissions, a
 * directory in its place, I/O error), each with the error text where there is one.
 */
export async function readCheckpointFile(dir: string): Promise<CheckpointReadResult> {
  let text: string;
  try {
    const fh = await open(join(dir, CHECKPOINT_FILE_NAME), 'r');
    try {
      // The size is checked before reading: a huge file must not be read into a capped heap.
      const { size } = await fh.stat();
      if (size > MAX_CHECKPOINT_BYTES) return { ok: false, reason: 'corrupt', error: `${size} bytes, more than the ${MAX_CHECKPOINT_BYTES} a checkpoint may have` };
      const buf = Buffer.alloc(size + 1);
      let got = 0;
      for (;;) {
        const { bytesRead } = await fh.read(buf, got, buf.length - got, got);
        if (bytesRead === 0) break;
        got += bytesRead;
        if (got > size) return { ok: false, reason: 'corrupt', error: 'the file grew while it was read' };
      }
      text = buf.toString('utf8', 0, got);
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { ok: false, reason: 'missing' };
    return { ok: false, reason: 'unreadable', error: errorText(err) };
  }
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, reason: 'corrupt', error: errorText(err) };
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
