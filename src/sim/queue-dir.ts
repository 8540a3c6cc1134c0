/**
 * A queue directory that follows the simulated host, for the demo's --qmail.queue-path: qmail-send's
 * own lines say when a message enters the queue ('new msg M': qmail-send has moved it out of
 * queue/todo) and leaves it ('end msg M'), so the mirror keeps one file per queued message in
 * queue/mess/(M mod 23)/M, dated by the line's splogger stamp, like qmail-queue's. Messages the
 * simulated providers keep deferring (the blocklisting one) make it grow; delivery drains it.
 * queue/todo holds a message only between its queueing and its 'new msg' line, which the
 * simulator writes within the same instant, so todo stays empty as on a healthy host.
 */
import { mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** qmail's conf-split default: mess/0 … mess/22 */
const SPLIT = 23;
const QUEUE_LINE = /qmail: (\d+)\.(\d{6}) (new|end) msg (\d+)(?: |$)/;

export interface QueueMirror {
  /** the queue directory (pass it as --qmail.queue-path) */
  readonly path: string;
  /** Create the empty queue: mess/0–22 and todo/. */
  init(): Promise<void>;
  /** Follow the simulated lines just written. */
  apply(lines: readonly string[]): Promise<void>;
}

export function createQueueMirror(path: string): QueueMirror {
  const messFile = (msg: string): string => join(path, 'mess', String(Number(msg) % SPLIT), msg);
  return {
    path,
    async init() {
      for (let n = 0; n < SPLIT; n++) await mkdir(join(path, 'mess', String(n)), { recursive: true });
      await mkdir(join(path, 'todo'), { recursive: true });
    },
    async apply(lines) {
      for (const line of lines) {
        const m = QUEUE_LINE.exec(line);
        if (m === null) continue;
        const [, sec, , what, msg] = m as unknown as [string, string, string, string, string];
        const file = messFile(msg);
        if (what === 'new') {
          await writeFile(file, '');
          const t = new Date(Number(sec) * 1000);
          await utimes(file, t, t);
        } else {
          await rm(file, { force: true });
        }
      }
    },
  };
}
