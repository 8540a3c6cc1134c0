/**
 * Follows one mail log through every rotation we know of and hands out complete lines with an
 * exact byte position (docs/follow.md has the rules in prose; every rule has a named test).
 *
 * The shape (a prototype of it lost no line in any measured scenario; docs/follow.md says why not `tail`):
 * - fs.watch on the *directory* is only a trigger; a poll ticker is the safety net;
 * - files are read through an open FileHandle at our own offset, never by name, so a renamed
 *   or deleted file is still read to its end;
 * - a file is recognised by dev+ino (+ the hash of its first line across restarts);
 * - files form a queue, oldest first, and are read strictly in that order: a rotated file is
 *   finished before anything of the next one is handed out. That keeps one position enough to
 *   checkpoint exactly: everything before it has been handed out, nothing after it has.
 */
import { constants, watch, type FSWatcher, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FollowError } from '../errors.js';
import {
  byteAt,
  headMatches,
  identityMatches,
  isUsablePosition,
  readHead,
  type ObservedFile,
} from './file-identity.js';
import { createLineSplitter, type FlushedLine, type LineSplitter } from './line-splitter.js';
import { listRotatedFiles, type RotatedFile } from './rotated-files.js';
import { intervalTicker, type Ticker } from './ticker.js';
import type {
  FollowObserver,
  FollowPosition,
  FollowStatus,
  LineBatch,
  ResumeOutcome,
  RotationKind,
} from './types.js';

export const DEFAULT_POLL_MS = 250;
export const DEFAULT_GRACE_MS = 5000;
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024 + 1024;
/** While every step fails, steps from the poll and the watcher are spaced out up to this much. */
export const MAX_RETRY_BACKOFF_MS = 8000;
/** rotated files kept open at once while waiting for late writes; older ones are finished early */
export const MAX_DRAINING_FILES = 4;
const READ_BUFFER_BYTES = 256 * 1024;
const LF = 10;

export interface FollowOptions {
  /** a file, or a daemontools multilog directory (then <dir>/current is followed) */
  path: string;
  /** called synchronously with complete lines, in order; process them before returning */
  onLines: (batch: LineBatch) => void;
  observer: FollowObserver;
  /** where to start a file that exists at start-up when there is no usable resume position */
  startAt: 'end' | 'start';
  /** from a checkpoint: continue from here if the file can be found again (see docs/follow.md) */
  resume?: FollowPosition | null;
  /** defaults to intervalTicker(pollMs) */
  ticker?: Ticker;
  /** use fs.watch on the directory as a trigger (default true) */
  watch?: boolean;
  /** safety poll, default 250 ms */
  pollMs?: number;
  /** keep draining a rotated file this long at most (default 5000 ms) */
  graceMs?: number;
  /** default 1 MiB + 1 KiB; longer lines are cut to this size, handed out and counted */
  maxLineBytes?: number;
  /** ms clock, default Date.now */
  now?: () => number;
}

export interface Follower {
  /** start the ticker and the watcher and run the first step (resume / startAt happen here) */
  start(): Promise<void>;
  /** open and decide the resume without reading (see the class); start() does it too */
  look(): Promise<void>;
  /** one full check + drain; never rejects; waits for a step already running */
  step(): Promise<void>;
  /** finish the current read, hand out no partial line, close every file */
  stop(): Promise<void>;
  /** position after the last line handed out (before any line: where reading started), or null */
  position(): FollowPosition | null;
  status(): FollowStatus;
  /** what became of opts.resume; 'none' until the first step has looked, or without resume */
  resumed(): ResumeOutcome;
}

export function createFollower(opts: FollowOptions): Follower {
  return new FileFollower(opts);
}

/** What the configured path means right now. */
interface Target {
  multilog: boolean;
  /** the file to follow: the path itself, or <dir>/current */
  file: string;
  /** where rotated files of it are found */
  dir: string;
  base: string;
  /** stat of `file`, null when it does not exist */
  stat: Stats | null;
}

/** One file in the read queue. */
interface Tracked {
  file: string;
  /** null for a rotated file discovered by listing, opened when its turn comes */
  fh: FileHandle | null;
  dev: number;
  ino: number;
  head: string;
  /** offset of the next byte to read */
  readPos: number;
  /** last known size */
  size: number;
  splitter: LineSplitter;
  /** still at the followed path (only the last file of the queue can be) */
  live: boolean;
  /** when it stopped being live (ms) */
  rotatedAt: number;
  /** will never be written again (multilog archive, copytruncate copy): finish once drained */
  complete: boolean;
  /** the offset before readPos-pending is known to follow a newline (or is 0) */
  anchored: boolean;
}

interface OpenedFile {
  fh: FileHandle;
  stat: Stats;
  head: string;
}

class FileFollower implements Follower {
  private readonly path: string;
  private readonly observer: FollowObserver;
  private readonly ticker: Ticker;
  private readonly graceMs: number;
  private readonly maxLineBytes: number;
  private readonly now: () => number;
  private readonly useWatch: boolean;
  private readonly buffer = Buffer.alloc(READ_BUFFER_BYTES);

  private queue: Tracked[] = [];
  private firstLookDone = false;
  private resumeOutcome: ResumeOutcome = 'none';
  /** newest multilog archive name already accounted for (read, queued, or older than start-up) */
  private watermark: string | null = null;
  private lastPosition: FollowPosition | null = null;

  private present = false;
  private presenceReported = false;
  private missingSince: number | null = null;
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private lastErrorCode: string | null = null;
  private failedThisStep = false;
  /** steps in a row that failed, and when the poll or the watcher may try again (ms) */
  private failedSteps = 0;
  private retryAt = 0;

  private watcher: FSWatcher | null = null;
  private watchedDir: string | null = null;

  private started = false;
  private stopping = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private pendingStep: Promise<void> | null = null;

  constructor(private readonly opts: FollowOptions) {
    this.path = opts.path;
    this.observer = opts.observer;
    this.ticker = opts.ticker ?? intervalTicker(opts.pollMs ?? DEFAULT_POLL_MS);
    this.graceMs = opts.graceMs ?? DEFAULT_GRACE_MS;
    this.maxLineBytes = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.now = opts.now ?? Date.now;
    this.useWatch = opts.watch ?? true;
  }

  async start(): Promise<void> {
    if (this.started || this.stopping) return;
    this.started = true;
    this.ticker.start(() => this.retry());
    await this.step();
  }

  /**
   * The first look only: open what exists and decide what becomes of `resume` (see resumed()),
   * without reading a line. A caller that must know every follower's verdict before it counts
   * anything (checkpoint restore) calls this on all of them, then start().
   */
  look(): Promise<void> {
    const next = this.chain.then(async () => {
      if (this.stopping || this.firstLookDone) return;
      try {
        const target = await this.resolveTarget();
        if (target) await this.reconcile(target, this.now());
      } catch (err) {
        this.fail(err, `cannot look at ${this.path}`);
      }
    });
    this.chain = next;
    return next;
  }

  step(): Promise<void> {
    if (this.stopping) return this.chain;
    // A step that is queued but not yet running will see everything this call wants seen.
    if (this.pendingStep) return this.pendingStep;
    const next = this.chain.then(() => {
      this.pendingStep = null;
      return this.runStep();
    });
    this.pendingStep = next;
    this.chain = next;
    return next;
  }

  /**
   * A step from the poll or the watcher. While the file cannot be read (a 0600 root maillog),
   * these come further and further apart — 250 ms, 500 ms, … up to MAX_RETRY_BACKOFF_MS — instead
   * of four failing opens a second for as long as it lasts.
   */
  private retry(): void {
    if (this.failedSteps > 0 && this.now() < this.retryAt) return;
    void this.step();
  }

  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.ticker.stop();
      this.closeWatcher();
    }
    await this.chain;
    for (const f of this.queue) {
      if (f.fh) await f.fh.close().catch(() => undefined);
      f.fh = null;
    }
    this.stopped = true;
  }

  position(): FollowPosition | null {
    return this.lastPosition === null ? null : { ...this.lastPosition };
  }

  resumed(): ResumeOutcome {
    return this.resumeOutcome;
  }

  status(): FollowStatus {
    const first = this.queue[0];
    return {
      path: this.path,
      present: this.present,
      missingSince: this.missingSince,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
      lastErrorCode: this.lastErrorCode,
      offset: first ? first.readPos - first.splitter.pendingBytes : 0,
      file: first ? first.file : null,
      stopped: this.stopped,
    };
  }

  // ---- one step -------------------------------------------------------------------------------

  private async runStep(): Promise<void> {
    if (this.stopping) return;
    this.failedThisStep = false;
    const now = this.now();
    let target: Target | null = null;
    try {
      target = await this.resolveTarget();
    } catch (err) {
      this.fail(err, `cannot stat ${this.path}`);
    }
    if (target) {
      this.ensureWatcher(target);
      try {
        await this.reconcile(target, now);
      } catch (err) {
        this.fail(err, `cannot open ${target.file}`);
      }
    }
    await this.drainQueue(now, target);
    if (this.failedThisStep) {
      this.failedSteps++;
      this.retryAt = this.now() + Math.min(MAX_RETRY_BACKOFF_MS, (this.opts.pollMs ?? DEFAULT_POLL_MS) * 2 ** Math.min(this.failedSteps - 1, 10));
    } else {
      this.failedSteps = 0;
      this.lastError = null;
      this.lastErrorAt = null;
      this.lastErrorCode = null;
    }
    this.updatePresence(target, now);
    this.observer.lag(this.path, this.lagBytes());
  }

  private async resolveTarget(): Promise<Target> {
    const st = await statOrNull(this.path);
    if (st?.isDirectory()) {
      const file = join(this.path, 'current');
      return { multilog: true, file, dir: this.path, base: 'current', stat: await statOrNull(file) };
    }
    // A path naming a multilog "current" file directly behaves like its directory.
    const base = basename(this.path);
    return { multilog: base === 'current', file: this.path, dir: dirname(this.path), base, stat: st };
  }

  /** Compare the file at the path with the live file; notice rotation; open what appeared. */
  private async reconcile(target: Target, now: number): Promise<void> {
    const st = target.stat;
    if (st && !st.isFile()) this.fail(new Error(`${target.file} is ${describeKind(st)}, not a regular file`));
    if (st === null && target.multilog && target.file !== this.path) await this.checkLooksLikeMultilog(target);

    const live = this.live();
    let rotated = false;
    if (live && !(st?.isFile() && st.dev === live.dev && st.ino === live.ino)) {
      await this.markRotated(live, target, now);
      rotated = true;
    } else if (live && st) {
      live.size = st.size;
    }

    if (!this.firstLookDone) {
      await this.firstLook(target, now);
      this.firstLookDone = true;
      return;
    }
    let openedNew = false;
    if (!this.live() && st?.isFile()) {
      // Anything that appears after start-up is new: read it from its first byte.
      openedNew = (await this.openLive(target, 0, now)) !== null;
    }
    if (target.multilog && (rotated || openedNew)) await this.queueMultilogArchives(target, now);
  }

  private async markRotated(f: Tracked, target: Target, now: number): Promise<void> {
    f.live = false;
    f.rotatedAt = now;
    let kind: RotationKind = 'renamed';
    if (f.fh) {
      try {
        const s = await f.fh.stat();
        f.size = s.size;
        if (s.nlink === 0) kind = 'recreated';
      } catch {
        // the fd is still ours; the next read will report a real problem
      }
    }
    // multilog renames `current` only after its last write; a deleted current may still be written
    if (target.multilog && kind === 'renamed') f.complete = true;
    this.observer.rotated(this.path, kind);
    if (kind === 'renamed' && !target.multilog) {
      const moved = (await listRotatedFiles(target.dir, target.base, false)).find(
        (r) => r.dev === f.dev && r.ino === f.ino,
      );
      if (moved) f.file = moved.file;
    }
  }

  /** The first successful look: apply the resume position or startAt to what exists now. */
  private async firstLook(target: Target, now: number): Promise<void> {
    const st = target.stat;
    let opened: OpenedFile | null = null;
    if (st?.isFile()) opened = await openRegular(target.file);
    // List after opening: an archive named after our open file is recognised by its inode.
    const rotatedList = target.multilog ? await listRotatedFiles(target.dir, target.base, true) : null;
    if (target.multilog) this.watermark = rotatedList?.at(-1)?.name ?? null;

    const resume = this.opts.resume ?? null;
    let startOffset = 0;
    let anchored = true;
    if (resume === null) {
      this.resumeOutcome = 'none';
      if (opened && this.opts.startAt === 'end') ({ offset: startOffset, anchored } = await this.endOfLastLine(opened));
    } else {
      const usable = isUsablePosition(resume);
      const before = usable && opened ? await byteBefore(opened.fh, resume.offset) : -1;
      if (usable && opened && identityMatches(resume, observed(opened), before)) {
        this.resumeOutcome = 'exact';
        startOffset = resume.offset;
        anchored = before === LF;
      } else {
        const list = rotatedList ?? (await listRotatedFiles(target.dir, target.base, false));
        const found = usable && (await this.queueFromRotated(list, resume, opened, 'resume', target.multilog, 0, now));
        this.resumeOutcome = found ? 'rotated' : 'mismatch';
        // The file at the path is not the checkpointed one: all of it came after the checkpoint.
        startOffset = 0;
      }
    }
    if (opened) {
      const f = this.track(target.file, opened, startOffset, true, now, anchored);
      this.queue.push(f);
      this.observer.opened(this.path, f.file, startOffset);
      if (this.lastPosition === null) this.lastPosition = positionOf(f, startOffset);
    }
  }

  private async openLive(target: Target, offset: number, now: number): Promise<Tracked | null> {
    const opened = await openRegular(target.file);
    if (!opened) return null;
    const f = this.track(target.file, opened, offset, true, now);
    this.queue.push(f);
    this.observer.opened(this.path, f.file, offset);
    return f;
  }

  /**
   * Queue the multilog archives that appeared since the last look, oldest first, before the
   * live `current`. Several rotations can happen between two steps; each archive we never had
   * open is read whole. The one we had open as `current` is recognised by its inode.
   */
  private async queueMultilogArchives(target: Target, now: number): Promise<void> {
    const list = await listRotatedFiles(target.dir, target.base, true);
    const fresh: Tracked[] = [];
    for (const r of list) {
      if (this.watermark !== null && r.name <= this.watermark) continue;
      const known = this.queue.find((t) => t.dev === r.dev && t.ino === r.ino);
      if (known) {
        known.file = r.file;
        continue;
      }
      fresh.push(this.trackLater(r, 0, true, now));
    }
    const at = this.live() ? this.queue.length - 1 : this.queue.length;
    this.queue.splice(at, 0, ...fresh);
    const newest = list.at(-1)?.name;
    if (newest !== undefined && (this.watermark === null || newest > this.watermark)) this.watermark = newest;
  }

  /**
   * Find the file a saved position belongs to among rotated files and queue it from that
   * offset, followed by every rotated file newer than it. `how` decides what counts as a match:
   * on resume the inode (then the first line, for a copytruncate copy); after a truncation
   * only the first line (the copy has a new inode). Returns whether something was queued.
   */
  private async queueFromRotated(
    list: RotatedFile[],
    saved: FollowPosition,
    exclude: OpenedFile | null,
    how: 'resume' | 'copy',
    multilog: boolean,
    insertAt: number,
    now: number,
  ): Promise<boolean> {
    const candidates = list.filter(
      (r) =>
        !(exclude && r.dev === exclude.stat.dev && r.ino === exclude.stat.ino) &&
        !this.queue.some((t) => t.dev === r.dev && t.ino === r.ino),
    );
    let matchIndex = -1;
    let match: OpenedFile | null = null;
    const tryMatch = async (i: number, test: typeof identityMatches): Promise<boolean> => {
      const r = candidates[i]!;
      if (r.size < saved.offset) return false;
      const o = await openRegular(r.file).catch(() => null);
      if (!o) return false;
      if (test(saved, observed(o), await byteBefore(o.fh, saved.offset))) {
        matchIndex = i;
        match = o;
        return true;
      }
      await o.fh.close().catch(() => undefined);
      return false;
    };
    if (how === 'resume') {
      for (let i = 0; i < candidates.length && matchIndex < 0; i++) {
        if (candidates[i]!.ino === saved.ino) await tryMatch(i, identityMatches);
      }
    }
    for (let i = candidates.length - 1; i >= 0 && matchIndex < 0; i--) await tryMatch(i, headMatches);
    const matched = match as OpenedFile | null;
    if (matchIndex < 0 || matched === null) return false;

    const complete = how === 'copy' || multilog;
    const first = this.track(candidates[matchIndex]!.file, matched, saved.offset, false, now);
    first.complete = complete;
    const queued = [first];
    for (const r of candidates.slice(matchIndex + 1)) {
      if (multilog) {
        queued.push(this.trackLater(r, 0, complete, now));
      } else {
        // Names like maillog.1 shift at the next rotation: pin these files now.
        const o = await openRegular(r.file).catch(() => null);
        if (o) {
          const t = this.track(r.file, o, 0, false, now);
          t.complete = complete;
          queued.push(t);
          this.observer.opened(this.path, t.file, 0);
        }
      }
    }
    this.observer.opened(this.path, first.file, saved.offset);
    this.queue.splice(insertAt, 0, ...queued);
    if (how === 'resume') this.lastPosition = positionOf(first, saved.offset);
    return true;
  }

  // ---- reading --------------------------------------------------------------------------------

  /** Read the queue in order; a rotated file that may still be written holds back the rest. */
  private async drainQueue(now: number, target: Target | null): Promise<void> {
    const truncatedThisStep = new Set<Tracked>();
    let i = 0;
    while (i < this.queue.length && !this.stopping) {
      const f = this.queue[i]!;
      try {
        if (!f.fh && !(await this.openLater(f))) {
          this.queue.splice(i, 1);
          continue;
        }
        const fh = f.fh!;
        const st = await fh.stat();
        // Once per file and step: a file rewritten faster than we look is read from 0 next step.
        if (!truncatedThisStep.has(f) && (await this.handleTruncation(f, st.size, i, target, now))) {
          truncatedThisStep.add(f);
          continue;
        }
        f.size = st.size;
        if (!(await this.drain(f))) {
          if (truncatedThisStep.has(f)) break; // rewritten again within one step: next step
          continue;
        }
        if (f.live) {
          i++;
          continue;
        }
        const later = this.queue.slice(i + 1);
        const done =
          f.complete ||
          now - f.rotatedAt >= this.graceMs ||
          // the writer has moved on: a syslog daemon writes one file at a time
          later.some((g) => g.complete || g.size > 0) ||
          this.drainingCount() > MAX_DRAINING_FILES;
        if (!done || this.stopping) break;
        this.finish(f);
        await fh.close().catch(() => undefined);
        f.fh = null;
        this.queue.splice(i, 1);
      } catch (err) {
        this.fail(err, `cannot read ${f.file}`);
        break;
      }
    }
  }

  /** Read to the end; false when the file turned out to be rewritten under us (nothing handed out from that read). */
  private async drain(f: Tracked): Promise<boolean> {
    const fh = f.fh!;
    let intact = true;
    while (!this.stopping) {
      const { bytesRead } = await fh.read(this.buffer, 0, this.buffer.length, f.readPos);
      if (bytesRead === 0) break;
      // A copytruncate between our truncation check and this read would hand out the middle of
      // the new content as lines. The first line is still the same after the read: the bytes
      // were read before any truncation. Otherwise leave them to the truncation handling.
      if (f.head !== '' && (await readHead(fh)) !== f.head) {
        intact = false;
        break;
      }
      f.readPos += bytesRead;
      const { lines, oversized } = f.splitter.push(this.buffer.subarray(0, bytesRead));
      for (let k = 0; k < oversized; k++) this.observer.oversizedLine(this.path);
      if (lines.length > 0) {
        if (f.head === '') f.head = await readHead(fh);
        f.anchored = true;
        this.emit(f, lines, f.readPos - f.splitter.pendingBytes);
      }
      // Reported per read, not per drain: a catch-up of a large backlog shows its progress.
      if (f.readPos > f.size) f.size = f.readPos;
      this.observer.readBytes(this.path, bytesRead);
      this.observer.lag(this.path, this.lagBytes());
    }
    if (f.readPos > f.size) f.size = f.readPos;
    return intact;
  }

  /** A file that will not be written again: its unfinished last line is a line. */
  private finish(f: Tracked): void {
    const flushed = f.splitter.flush();
    if (flushed) this.emitFlushed(f, flushed);
  }

  private emitFlushed(f: Tracked, flushed: FlushedLine): void {
    if (flushed.oversized) this.observer.oversizedLine(this.path);
    this.emit(f, [flushed.line], f.readPos);
  }

  private emit(f: Tracked, lines: string[], offset: number): void {
    const position: FollowPosition = { dev: f.dev, ino: f.ino, head: f.head, offset, file: f.file };
    this.lastPosition = position;
    this.opts.onLines({ path: this.path, file: f.file, lines, position: { ...position } });
  }

  /**
   * copytruncate (or any rewrite in place): the file is shorter than what we read, its first
   * line changed, or the byte before our offset is no longer a newline. Read the unread rest
   * from the copy when one is found next to it, then the file again from 0.
   */
  private async handleTruncation(
    f: Tracked,
    size: number,
    index: number,
    target: Target | null,
    now: number,
  ): Promise<boolean> {
    const fh = f.fh!;
    const committed = f.readPos - f.splitter.pendingBytes;
    let truncated = size < f.readPos;
    if (!truncated && f.head !== '') truncated = (await readHead(fh)) !== f.head;
    if (!truncated && f.anchored && committed > 0) truncated = (await byteAt(fh, committed - 1)) !== LF;
    if (!truncated) {
      if (f.head === '' && size > 0) f.head = await readHead(fh);
      return false;
    }
    this.observer.rotated(this.path, 'truncated');
    let copied = false;
    if (target && !target.multilog && f.head !== '' && committed > 0) {
      const saved: FollowPosition = { dev: f.dev, ino: f.ino, head: f.head, offset: committed, file: f.file };
      const list = await listRotatedFiles(target.dir, target.base, false);
      copied = await this.queueFromRotated(list, saved, null, 'copy', false, index, now);
    }
    if (copied) {
      f.splitter.reset(); // the copy holds these bytes; they are read from there
    } else {
      const flushed = f.splitter.flush();
      if (flushed) this.emitFlushed(f, flushed);
    }
    f.readPos = 0;
    f.size = size;
    f.head = await readHead(fh);
    f.anchored = true;
    return true;
  }

  /** Offset just after the last newline, so a line being written at start-up is read whole. */
  private async endOfLastLine(o: OpenedFile): Promise<{ offset: number; anchored: boolean }> {
    const size = o.stat.size;
    const window = Math.min(size, this.maxLineBytes + 2);
    const chunk = Buffer.alloc(Math.min(window, 64 * 1024));
    let end = size;
    while (end > size - window) {
      const len = Math.min(chunk.length, end - (size - window));
      const { bytesRead } = await o.fh.read(chunk, 0, len, end - len);
      if (bytesRead < len) break; // shrank under us: the truncation check sorts it out
      const nl = chunk.lastIndexOf(LF, len - 1);
      if (nl !== -1) return { offset: end - len + nl + 1, anchored: true };
      end -= len;
    }
    // No newline within reach: the whole file is one unfinished line, or a line too long to keep.
    return window === size ? { offset: 0, anchored: true } : { offset: size, anchored: false };
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private track(file: string, o: OpenedFile, offset: number, live: boolean, now: number, anchored = true): Tracked {
    return {
      file,
      fh: o.fh,
      dev: o.stat.dev,
      ino: o.stat.ino,
      head: o.head,
      readPos: offset,
      size: o.stat.size,
      splitter: createLineSplitter({ maxLineBytes: this.maxLineBytes }),
      live,
      rotatedAt: now,
      complete: false,
      anchored,
    };
  }

  private trackLater(r: RotatedFile, offset: number, complete: boolean, now: number): Tracked {
    return {
      file: r.file,
      fh: null,
      dev: r.dev,
      ino: r.ino,
      head: '',
      readPos: offset,
      size: r.size,
      splitter: createLineSplitter({ maxLineBytes: this.maxLineBytes }),
      live: false,
      rotatedAt: now,
      complete,
      anchored: true,
    };
  }

  /** Open a queued archive when its turn comes; it must still be the file we listed. */
  private async openLater(f: Tracked): Promise<boolean> {
    const o = await openRegular(f.file).catch((err: unknown) => {
      this.fail(err, `cannot open ${f.file}`);
      return null;
    });
    if (o && o.stat.dev === f.dev && o.stat.ino === f.ino) {
      f.fh = o.fh;
      f.head = o.head;
      f.size = o.stat.size;
      this.observer.opened(this.path, f.file, f.readPos);
      return true;
    }
    if (o) await o.fh.close().catch(() => undefined);
    this.fail(new Error(`rotated file ${f.file} disappeared before it could be read`));
    return false;
  }

  private live(): Tracked | null {
    const last = this.queue.at(-1);
    return last?.live ? last : null;
  }

  private drainingCount(): number {
    return this.queue.filter((t) => !t.live && !t.complete && t.fh !== null).length;
  }

  private lagBytes(): number {
    let lag = 0;
    for (const f of this.queue) lag += Math.max(0, f.size - (f.readPos - f.splitter.pendingBytes));
    return lag;
  }

  private updatePresence(target: Target | null, now: number): void {
    const present = this.live() !== null;
    if (present) this.missingSince = null;
    else if (target && target.stat === null && this.missingSince === null) this.missingSince = now;
    else if (target && target.stat !== null) this.missingSince = null;
    if (!this.presenceReported || present !== this.present) {
      this.present = present;
      this.presenceReported = true;
      this.observer.presence(this.path, present);
    }
  }

  /** A directory with neither `current` nor archives is not a multilog directory: say so. */
  private async checkLooksLikeMultilog(target: Target): Promise<void> {
    if (this.queue.length > 0) return;
    const archives = await listRotatedFiles(target.dir, target.base, true);
    if (archives.length === 0) {
      this.fail(new Error(`${this.path} is a directory without a 'current' file (expected a log file or a multilog directory)`));
    }
  }

  private fail(err: unknown, context?: string): void {
    const cause = err instanceof Error ? err : new Error(String(err));
    const message = context ? `${context}: ${cause.message}` : cause.message;
    const error = new FollowError('QX_FOLLOW_READ', message, { details: { path: this.path }, cause });
    this.failedThisStep = true;
    this.lastError = message;
    this.lastErrorAt = this.now();
    const code = (cause as NodeJS.ErrnoException).code;
    this.lastErrorCode = typeof code === 'string' ? code : null;
    this.observer.readError(this.path, error);
  }

  private ensureWatcher(target: Target): void {
    if (!this.useWatch || this.stopping) return;
    const dir = target.dir;
    if (this.watcher && this.watchedDir === dir) return;
    this.closeWatcher();
    const accept = target.multilog ? () => true : (name: string) => name.startsWith(target.base);
    try {
      const w = watch(dir, { persistent: true }, (_event, name) => {
        if (name === null || accept(String(name))) this.retry();
      });
      w.on('error', () => {
        // the directory went away: the poll carries on, and the next step watches again
        if (this.watcher === w) this.closeWatcher();
      });
      this.watcher = w;
      this.watchedDir = dir;
    } catch {
      // directory missing or not watchable: the poll ticker still drives steps
    }
  }

  private closeWatcher(): void {
    const w = this.watcher;
    this.watcher = null;
    this.watchedDir = null;
    if (w) {
      try {
        w.close();
      } catch {
        // already closed
      }
    }
  }
}

// ---- helpers ------------------------------------------------------------------------------------

async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

/**
 * Open for reading without ever blocking: O_NONBLOCK makes opening a FIFO return at once
 * (a plain open would wait for a writer and hold a libuv thread); non-files are refused.
 * null when the file does not exist.
 */
async function openRegular(file: string): Promise<OpenedFile | null> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new Error(`${file} is ${describeKind(st)}, not a regular file`);
    return { fh, stat: st, head: await readHead(fh) };
  } catch (err) {
    await fh.close().catch(() => undefined);
    throw err;
  }
}

async function byteBefore(fh: FileHandle, offset: number): Promise<number> {
  return offset > 0 ? byteAt(fh, offset - 1) : LF;
}

function observed(o: OpenedFile): ObservedFile {
  return { dev: o.stat.dev, ino: o.stat.ino, head: o.head, size: o.stat.size };
}

function positionOf(f: Tracked, offset: number): FollowPosition {
  return { dev: f.dev, ino: f.ino, head: f.head, offset, file: f.file };
}

function describeKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
