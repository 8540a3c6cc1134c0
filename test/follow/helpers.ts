/**
 * Test helpers for the follow room: a temp directory, a follower driven by hand (manual
 * ticker, no fs.watch, injected clock) and an observer that records everything it is told.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFollower, manualTicker, type FollowOptions, type Follower } from '../../src/follow/index.js';
import type { FollowObserver, LineBatch, RotationKind } from '../../src/follow/types.js';

export function makeTempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'qx-follow-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export interface Recording {
  observer: FollowObserver;
  onLines: (batch: LineBatch) => void;
  lines: string[];
  batches: LineBatch[];
  opened: { file: string; offset: number }[];
  rotated: RotationKind[];
  errors: Error[];
  presence: boolean[];
  lag: number[];
  oversized: number;
  bytesRead: number;
}

export function record(): Recording {
  const r: Recording = {
    lines: [],
    batches: [],
    opened: [],
    rotated: [],
    errors: [],
    presence: [],
    lag: [],
    oversized: 0,
    bytesRead: 0,
    onLines: (batch) => {
      r.batches.push(batch);
      r.lines.push(...batch.lines);
    },
    observer: {
      opened: (_path, file, offset) => r.opened.push({ file, offset }),
      rotated: (_path, kind) => r.rotated.push(kind),
      readBytes: (_path, bytes) => {
        r.bytesRead += bytes;
      },
      readError: (_path, err) => r.errors.push(err),
      presence: (_path, present) => r.presence.push(present),
      lag: (_path, bytes) => r.lag.push(bytes),
      oversizedLine: () => {
        r.oversized += 1;
      },
    },
  };
  return r;
}

export interface Clock {
  now: () => number;
  advance(ms: number): void;
}

export function clock(start = 1_700_000_000_000): Clock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

export interface Harness {
  follower: Follower;
  rec: Recording;
  clock: Clock;
  /** take everything handed out since the last call */
  take(): string[];
}

/** A follower with a manual ticker, no watcher and a hand-driven clock; stopped after the test. */
export function harness(
  t: { after(fn: () => Promise<void> | void): void },
  opts: Omit<FollowOptions, 'onLines' | 'observer'> & Partial<Pick<FollowOptions, 'onLines'>>,
): Harness {
  const rec = record();
  const c = clock();
  const follower = createFollower({
    ticker: manualTicker(),
    watch: false,
    now: c.now,
    onLines: rec.onLines,
    observer: rec.observer,
    ...opts,
  });
  t.after(() => follower.stop());
  let taken = 0;
  return {
    follower,
    rec,
    clock: c,
    take() {
      const out = rec.lines.slice(taken);
      taken = rec.lines.length;
      return out;
    },
  };
}

export function append(file: string, text: string): void {
  appendFileSync(file, text);
}

/** "prefix-<from>\n" … "prefix-<to - 1>\n" */
export function numbered(prefix: string, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += `${prefix}-${i}\n`;
  return s;
}

export function numberedList(prefix: string, from: number, to: number): string[] {
  const out: string[] = [];
  for (let i = from; i < to; i++) out.push(`${prefix}-${i}`);
  return out;
}
