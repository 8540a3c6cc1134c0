/**
 * The first lines of a log file (plain or gzip), for ordering archives by their first time without
 * reading them whole. The file is opened, its head read and closed again, so ordering hundreds of
 * multilog `@*.s` files holds no descriptors open.
 */
import { open } from 'node:fs/promises';
import { constants, gunzipSync } from 'node:zlib';

/** Bytes read from the head of a file: about two thousand lines of a plain log. */
export const HEAD_BYTES = 256 * 1024;
/** Compressed bytes inflated from a gzip file's head: logs compress 10 to 30 times. */
const GZIP_HEAD_BYTES = 32 * 1024;
/** gzip's worst ratio is about 1000:1; this bounds the inflated text even then. */
const MAX_INFLATED = 32 * 1024 * 1024;

/**
 * Complete lines from the start of the file: its first HEAD_BYTES, or the text inflated from its
 * first GZIP_HEAD_BYTES when it starts with gzip's magic bytes. A last line cut by the limit is
 * left out. Bad gzip data gives no lines; a file that cannot be read throws.
 */
export async function readFirstLines(path: string): Promise<string[]> {
  const handle = await open(path, 'r');
  let head: Buffer;
  let whole: boolean;
  try {
    const buf = Buffer.alloc(HEAD_BYTES);
    let got = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
      if (got === buf.length) break;
    }
    head = buf.subarray(0, got);
    whole = got < buf.length;
  } finally {
    await handle.close();
  }
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) {
    try {
      // SYNC_FLUSH: inflate what is there instead of failing on the cut end of the stream.
      head = gunzipSync(head.subarray(0, GZIP_HEAD_BYTES), { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength: MAX_INFLATED });
    } catch {
      return [];
    }
    whole = false;
  }
  const lines = head.toString('utf8').split('\n');
  if (!whole || lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}
