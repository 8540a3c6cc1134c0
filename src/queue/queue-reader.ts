/**
 * Reads the size of qmail's queue the way qmail-qstat does: the messages in `queue/mess/*` (every
 * queued message has exactly one file there, named after its inode), and the messages in
 * `queue/todo` that qmail-send has not yet preprocessed (`todo/N/` subdirectories in big-todo
 * builds are walked too). The oldest message's age comes from the mtime of its `mess` file, which
 * qmail-queue writes once when the message is queued.
 *
 * Reading a large queue takes a while, and a scrape must never wait for it: `sample()` starts a
 * read when the last one is older than `cacheMs`, waits for it at most `budgetMs`, and otherwise
 * answers with the previous reading while the read finishes in the background (at most one read
 * runs at a time). A queue that cannot be read is an error in the status (counted, and reported to
 * the caller), never an exception. File system and clock are injected; this room touches nothing
 * but the queue directory.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** The part of node:fs/promises the reader uses. */
export interface QueueFs {
  readdir(path: string, options: { withFileTypes: true }): Promise<Array<{ name: string; isDirectory(): boolean }>>;
  stat(path: string): Promise<{ mtimeMs: number }>;
}

export interface QueueReading {
  /** messages in queue/mess (qmail-qstat: "messages in queue") */
  messages: number;
  /** messages in queue/todo (qmail-qstat: "messages in queue but not yet preprocessed") */
  todo: number;
  /** mtime (ms) of the oldest file in queue/mess, or null when the queue is empty */
  oldestMtimeMs: number | null;
  /** clock (ms) when this reading finished */
  readAtMs: number;
}

export interface QueueError {
  /** errno code ('EACCES', 'ENOENT', …) or null */
  code: string | null;
  message: string;
}

export interface QueueStatus {
  path: string;
  /** the newest complete reading; null before the first, and while reads fail */
  reading: QueueReading | null;
  /** the error of the latest read, or null when it succeeded */
  error: QueueError | null;
  /** reads that failed since start */
  errors: number;
  /** reads that succeeded since start */
  reads: number;
}

export interface QueueReaderOptions {
  /** the queue directory (/var/qmail/queue) */
  path: string;
  /** milliseconds clock */
  now: () => number;
  /** a reading younger than this is answered without reading again (default 15 s) */
  cacheMs?: number;
  /** how long a scrape waits for a read in progress before it answers with the previous reading (default 2 s) */
  budgetMs?: number;
  /** resolves after ms; the default is an unref'd timer (tests pass one they control) */
  wait?: (ms: number) => Promise<void>;
  fs?: QueueFs;
  /** stat calls in flight at once while reading mess/ (default 32) */
  statConcurrency?: number;
  /** told the outcome of every read: null when it succeeded */
  onRead?: (error: QueueError | null) => void;
}

export interface QueueReader {
  /** The reading a scrape should show: refreshed when stale, waiting at most the budget. Never rejects. */
  sample(): Promise<QueueStatus>;
  /** The current status, without reading. */
  status(): QueueStatus;
}

export const DEFAULT_QUEUE_CACHE_MS = 15_000;
export const DEFAULT_QUEUE_BUDGET_MS = 2_000;

const defaultWait = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
  });

export function createQueueReader(opts: QueueReaderOptions): QueueReader {
  const fs: QueueFs = opts.fs ?? { readdir: (p, o) => readdir(p, o), stat: (p) => stat(p) };
  const cacheMs = opts.cacheMs ?? DEFAULT_QUEUE_CACHE_MS;
  const budgetMs = opts.budgetMs ?? DEFAULT_QUEUE_BUDGET_MS;
  const wait = opts.wait ?? defaultWait;
  const statConcurrency = Math.max(1, opts.statConcurrency ?? 32);

  let reading: QueueReading | null = null;
  let error: QueueError | null = null;
  let errors = 0;
  let reads = 0;
  let startedAt = -Infinity;
  let inFlight: Promise<void> | null = null;

  const status = (): QueueStatus => ({ path: opts.path, reading, error, errors, reads });

  /** Files (not directories) under dir, walking subdirectories; a file that vanishes meanwhile is not an error. */
  async function countFiles(dir: string): Promise<number> {
    let n = 0;
    for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) n += await countFiles(join(dir, entry.name)).catch(ignoreVanished(0));
      else n++;
    }
    return n;
  }

  async function readMess(): Promise<{ messages: number; oldestMtimeMs: number | null }> {
    const mess = join(opts.path, 'mess');
    const files: string[] = [];
    for (const split of await fs.readdir(mess, { withFileTypes: true })) {
      if (!split.isDirectory()) continue;
      const dir = join(mess, split.name);
      for (const f of await fs.readdir(dir, { withFileTypes: true }).catch(ignoreVanished([]))) {
        if (!f.isDirectory()) files.push(join(dir, f.name));
      }
    }
    let oldest: number | null = null;
    let messages = 0;
    for (let i = 0; i < files.length; i += statConcurrency) {
      const batch = files.slice(i, i + statConcurrency);
      const mtimes = await Promise.all(batch.map((f) => fs.stat(f).then((s) => s.mtimeMs, ignoreVanished(null))));
      for (const m of mtimes) {
        if (m === null) continue; // delivered and removed between readdir and stat
        messages++;
        if (oldest === null || m < oldest) oldest = m;
      }
    }
    return { messages, oldestMtimeMs: oldest };
  }

  async function read(): Promise<void> {
    try {
      const [mess, todo] = await Promise.all([readMess(), countFiles(join(opts.path, 'todo'))]);
      reading = { messages: mess.messages, todo, oldestMtimeMs: mess.oldestMtimeMs, readAtMs: opts.now() };
      error = null;
      reads++;
    } catch (err) {
      reading = null;
      error = errorOf(err);
      errors++;
    }
    opts.onRead?.(error);
  }

  return {
    async sample(): Promise<QueueStatus> {
      if (inFlight === null && opts.now() - startedAt >= cacheMs) {
        startedAt = opts.now();
        inFlight = read().finally(() => {
          inFlight = null;
        });
      }
      if (inFlight !== null) await Promise.race([inFlight, wait(budgetMs)]);
      return status();
    },
    status,
  };
}

function errorOf(err: unknown): QueueError {
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : null;
  const message = err instanceof Error ? err.message : String(err);
  return { code, message };
}

/** For an entry that disappeared between listing and reading it (ENOENT): the given value; other errors pass. */
function ignoreVanished<T>(value: T): (err: unknown) => T {
  return (err) => {
    if ((err as { code?: unknown })?.code === 'ENOENT') return value;
    throw err;
  };
}
