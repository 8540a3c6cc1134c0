/**
 * Loopback networking for tests that start real processes (the exporter, Prometheus): a free
 * port to hand to a process that cannot report the one it bound, and polling with a deadline.
 */
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that was free a moment ago: bind port 0, read the port, close.
 * Another process could take it before ours binds it; on a test machine that is rare enough.
 */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('freePort: no port bound'));
        return;
      }
      const { port } = address;
      server.close(() => resolve(port));
    });
  });
}

export interface PollOptions {
  /** give up after this many milliseconds (default 20 s) */
  timeoutMs?: number;
  /** pause between attempts (default 100 ms) */
  intervalMs?: number;
  /** what is awaited, for the error message */
  what: string;
  /** called before each attempt; a string stops the wait at once with that message (e.g. the process exited) */
  abort?: () => string | null;
}

/**
 * Calls `attempt` until it returns a value other than undefined, and returns that value.
 * Errors thrown by `attempt` count as "not yet"; the last one is quoted if the deadline passes.
 */
export async function pollUntil<T>(attempt: () => Promise<T | undefined> | T | undefined, opts: PollOptions): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const intervalMs = opts.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  for (;;) {
    const stop = opts.abort?.() ?? null;
    if (stop !== null) throw new Error(`${opts.what}: ${stop}`);
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError === null ? '' : `; last error: ${lastError instanceof Error ? lastError.message : String(lastError)}`;
      throw new Error(`${opts.what}: not reached within ${timeoutMs} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Waits until GET `url` answers with `status` (default 200); returns the body. */
export async function waitForHttp(url: string, opts: Omit<PollOptions, 'what'> & { status?: number; what?: string }): Promise<string> {
  const want = opts.status ?? 200;
  return pollUntil(
    async () => {
      const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
      const body = await r.text();
      if (r.status !== want) throw new Error(`HTTP ${r.status}`);
      return body;
    },
    { ...opts, what: opts.what ?? `GET ${url} → ${want}` },
  );
}
