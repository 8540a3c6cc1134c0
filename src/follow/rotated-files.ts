/**
 * Where rotated files go, so the follower can find one again by identity:
 * - syslog rotation (logrotate, newsyslog): `maillog-20240107`, `maillog-c1`, `maillog.1`;
 *   compressed names are skipped (we cannot read them);
 * - daemontools multilog: `current` is renamed to `@<tai64n>.s` (or `.u` when multilog was
 *   killed mid-file). TAI64N labels are fixed-width lowercase hex, so names sort by time.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

const MULTILOG_ARCHIVE = /^@[0-9a-f]{24}\.[su]$/;
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|lzma|lz|Z|zip|br)$/;

export function isMultilogArchiveName(name: string): boolean {
  return MULTILOG_ARCHIVE.test(name);
}

export function isRotatedSiblingName(base: string, name: string): boolean {
  if (COMPRESSED.test(name)) return false;
  if (name.startsWith(`${base}-`) && name.length > base.length + 1) return true;
  const rest = name.startsWith(`${base}.`) ? name.slice(base.length + 1) : '';
  return /^[0-9]+$/.test(rest);
}

export interface RotatedFile {
  name: string;
  file: string;
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

/** Names in `dir` that a rotation of the followed file could have produced (sorted for multilog). */
export async function listRotatedNames(dir: string, base: string, multilog: boolean): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const picked = names.filter((n) => (multilog ? isMultilogArchiveName(n) : isRotatedSiblingName(base, n)));
  return picked.sort();
}

/**
 * The rotated files in `dir`, oldest first: multilog archives by name (their TAI64N label),
 * syslog-rotated files by modification time (names like maillog.1 do not sort by age).
 * Entries that vanish or are not regular files are left out.
 */
export async function listRotatedFiles(dir: string, base: string, multilog: boolean): Promise<RotatedFile[]> {
  const out: RotatedFile[] = [];
  for (const name of await listRotatedNames(dir, base, multilog)) {
    const file = join(dir, name);
    try {
      const st = await stat(file);
      if (!st.isFile()) continue;
      out.push({ name, file, dev: st.dev, ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // removed between readdir and stat (multilog's cleanup, logrotate's compress): not ours to read
    }
  }
  if (!multilog) out.sort((a, b) => a.mtimeMs - b.mtimeMs || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}
