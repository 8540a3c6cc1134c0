/**
 * Recognising a file again: after a rename (dev+ino), after a restart (dev+ino+head, where head
 * guards against an inode number reused by a new file), and after copytruncate (head alone
 * finds the copy, which has a new inode but starts with the same line).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type { FollowPosition } from './types.js';

export const HEAD_BYTES = 4096;
const LF = 10;

/** Hash of the first line as FileIdentity.head defines it ('' while there is none). */
export function headOf(bytes: Buffer): string {
  const nl = bytes.indexOf(LF);
  if (nl !== -1) return createHash('sha256').update(bytes.subarray(0, nl)).digest('hex');
  if (bytes.length >= HEAD_BYTES) return createHash('sha256').update(bytes.subarray(0, HEAD_BYTES)).digest('hex');
  return '';
}

export async function readHead(fh: FileHandle): Promise<string> {
  const buf = Buffer.alloc(HEAD_BYTES);
  let got = 0;
  while (got < HEAD_BYTES) {
    const { bytesRead } = await fh.read(buf, got, HEAD_BYTES - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return headOf(buf.subarray(0, got));
}

/** The byte at `pos`, or -1 past the end. */
export async function byteAt(fh: FileHandle, pos: number): Promise<number> {
  const buf = Buffer.alloc(1);
  const { bytesRead } = await fh.read(buf, 0, 1, pos);
  return bytesRead === 1 ? buf[0]! : -1;
}

export interface ObservedFile {
  dev: number;
  ino: number;
  head: string;
  size: number;
}

/** A position that came from a checkpoint file: check its shape before trusting it. */
export function isUsablePosition(p: unknown): p is FollowPosition {
  if (typeof p !== 'object' || p === null) return false;
  const o = p as Record<string, unknown>;
  return (
    Number.isSafeInteger(o['dev']) &&
    Number.isSafeInteger(o['ino']) &&
    Number.isSafeInteger(o['offset']) &&
    (o['offset'] as number) >= 0 &&
    typeof o['head'] === 'string' &&
    typeof o['file'] === 'string'
  );
}

/**
 * Is `saved` a position in `file`? The inode must match, and the first line when the position
 * knows it. dev is only required when there is no head to compare: some device numbers change
 * across reboots (device-mapper minors, overlay and network file systems), and ino+head is
 * already specific. The file must still reach the offset, and the offset must sit just after a
 * newline (or at the very end: a rotated file finished with a flushed partial line).
 */
export function identityMatches(saved: FollowPosition, file: ObservedFile, byteBeforeOffset: number): boolean {
  if (saved.ino !== file.ino) return false;
  if (saved.head === '') {
    if (saved.dev !== file.dev) return false;
  } else if (saved.head !== file.head) {
    return false;
  }
  return contentReaches(saved, file, byteBeforeOffset);
}

/** Same first line (the copy of a copytruncate rotation), reaching the offset. */
export function headMatches(saved: FollowPosition, file: ObservedFile, byteBeforeOffset: number): boolean {
  return saved.head !== '' && saved.head === file.head && contentReaches(saved, file, byteBeforeOffset);
}

function contentReaches(saved: FollowPosition, file: ObservedFile, byteBeforeOffset: number): boolean {
  if (file.size < saved.offset) return false;
  if (saved.offset > 0 && saved.offset < file.size && byteBeforeOffset !== LF) return false;
  return true;
}
