/**
 * Keeps V8's young generation small, for a process that lives beside qmail on a small machine.
 *
 * V8 starts the young generation with 1 MiB semi-spaces and doubles them, up to 16 MiB each on a
 * 64-bit machine, as objects keep surviving collections. Reading a log, nearly everything a line
 * allocates (about 950 bytes a line) dies within the line, yet over a million lines enough state
 * survives for V8 to reach the maximum: 32 MiB of committed semi-spaces, about a third of a 1M-line
 * `report`'s resident memory. Semi-spaces of 4 MiB cost about 3 % more CPU than 16 MiB and save
 * about 20 MB; 1 MiB costs about 9 % (docs/benchmarks.md, "Young generation").
 *
 * `node --max-semi-space-size=4` says this on the command line (the systemd unit and the container
 * do). A plain `node dist/cli.js` or `npx qmail_exporter` has no such flag, and V8 takes heap
 * sizes only at start-up, so this module stops the growth instead: once the semi-spaces have
 * reached the cap it sets V8's growth factor to 1, which V8 reads each time it would grow them.
 * The pipeline calls `checkYoungGeneration()` every 512 lines until then (one heap-space query
 * each, a few hundred in all) and nothing is left to check afterwards.
 *
 * Only the sizing changes: which objects live, and so every count, is the same at any size.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The semi-space size we stop at, MiB. */
export const DEFAULT_MAX_SEMI_SPACE_MIB = 4;

/** new-space bytes (both semi-spaces) at which growth stops; 0 when nothing is to be done */
let stopAtBytes = 0;

/**
 * Stops the young generation growing past `maxSemiSpaceMiB`. cli.ts calls this unless node was
 * started with a semi-space size of its own (then the user's flag decides).
 */
export function capYoungGeneration(maxSemiSpaceMiB: number = DEFAULT_MAX_SEMI_SPACE_MIB): void {
  stopAtBytes = 2 * Math.max(1, maxSemiSpaceMiB) * 1024 * 1024;
  checkYoungGeneration();
}

/** Every few hundred lines: stop the growth once the cap is reached. Cheap no-op when done or not asked. */
export function checkYoungGeneration(): void {
  if (stopAtBytes === 0) return;
  const newSpace = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  if (newSpace === undefined) {
    stopAtBytes = 0; // a V8 without a semi-space new space: nothing to cap
    return;
  }
  if (newSpace.space_size >= stopAtBytes) {
    setFlagsFromString('--semi-space-growth-factor=1');
    stopAtBytes = 0;
  }
}

/**
 * Young-generation collections by the main thread alone. With semi-spaces of 4 MiB a scavenge takes
 * 0.1–0.5 ms, and a log read at full speed needs one every 3–4 ms; handing part of each to V8's
 * helper threads and waiting for them costs more than it saves. Without them `report` over 1M lines
 * takes about 5 % less wall time and CPU (docs/benchmarks.md, "Young generation"). V8 reads the
 * flag at every scavenge, so setting it after start-up is enough. cli.ts calls this unless node was
 * started with a flag of the user's own about it (`--parallel-scavenge`, `--single-threaded-gc`).
 */
export function scavengeOnMainThread(): void {
  setFlagsFromString('--no-parallel-scavenge');
}

/** Node's own flags: the command line and NODE_OPTIONS. */
function nodeFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  return [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
}

/** Whether node's own flags (command line or NODE_OPTIONS) already size the young generation. */
export function youngGenerationSizedByFlags(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeFlags(execArgv, nodeOptions).some(
    (f) => /^--(?:max|min)[-_]semi[-_]space[-_]size(?:=|$)/.test(f) || /^--semi[-_]space[-_]growth[-_]factor(?:=|$)/.test(f),
  );
}

/** Whether node's own flags already say which threads scavenge (then scavengeOnMainThread is not called). */
export function scavengeThreadsSetByFlags(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  return nodeFlags(execArgv, nodeOptions).some((f) => /^--(?:no[-_])?parallel[-_]scavenge$/.test(f) || /^--single[-_]threaded(?:[-_]gc)?$/.test(f));
}

/**
 * A full, compacting garbage collection, on demand. V8 offers `gc()` only to processes started
 * with `--expose-gc`; the flag can still be set at run time, and a new context then sees `gc`.
 * A plain full collection frees the dead objects but leaves the old generation's pages committed
 * when a few live objects remain on each (after a 1M-line catch-up: 25 MB committed, 9 MB used);
 * compacting every page for this one collection moves the survivors together and hands the
 * pages back (old generation 25 → about 10 MB). Null when V8 refuses the flags after start-up:
 * callers then do without.
 */
export function compactingGarbageCollector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('gc');
    if (typeof gc !== 'function') return null;
    return () => {
      setFlagsFromString('--compact-on-every-full-gc');
      try {
        (gc as () => void)();
      } finally {
        setFlagsFromString('--no-compact-on-every-full-gc');
      }
    };
  } catch {
    return null;
  }
}

export interface IdleCollectorOptions {
  /** bytes of JS heap in use now (process.memoryUsage().heapUsed) */
  usedBytes(): number;
  /** CPU time the process has used so far, microseconds (user + system, process.cpuUsage()) */
  cpuMicros(): number;
  /** milliseconds, monotonic (performance.now()) */
  now(): number;
  /** a full collection */
  collect(): void;
  /** collect once the heap in use has grown this much since the last collection; default 16 MiB */
  garbageBytes?: number;
  /** ...and the process used less than this share of one core since the previous tick; default 0.25 */
  busyShare?: number;
}

export interface IdleCollector {
  /** Look at the heap once (cli.ts calls this every second); true when it collected. */
  tick(): boolean;
}

/**
 * Hands back the garbage of a burst of reading (the catch-up of a backlog, a rotated file read at
 * once) as soon as the process is quiet again. V8 does this by itself too, but its memory reducer
 * waits about 8 s after the last allocation and then collects in steps: after a 1M-line catch-up
 * the exporter holds 83–90 MB for 10–20 s, 63 MB after it. A full collection of the exporter's live
 * heap (about 11 MB) takes 10–60 ms, and happens only after a burst has left at least
 * `garbageBytes` behind and the process has gone quiet (scrapes cost a few ms of CPU a second;
 * a catch-up takes the whole core): a quiet exporter never pays for it, a busy one never waits.
 */
export function createIdleCollector(opts: IdleCollectorOptions): IdleCollector {
  const garbage = opts.garbageBytes ?? 16 * 1024 * 1024;
  const busyShare = opts.busyShare ?? 0.25;
  let base = opts.usedBytes();
  let lastCpu = opts.cpuMicros();
  let lastAt = opts.now();
  return {
    tick() {
      const used = opts.usedBytes();
      const cpu = opts.cpuMicros();
      const at = opts.now();
      const share = at > lastAt ? (cpu - lastCpu) / 1000 / (at - lastAt) : 1;
      lastCpu = cpu;
      lastAt = at;
      if (used < base) base = used; // V8 collected by itself: measure from there
      if (used - base < garbage || share >= busyShare) return false;
      opts.collect();
      base = opts.usedBytes();
      lastCpu = opts.cpuMicros(); // the collection's own CPU is not the process being busy
      lastAt = opts.now();
      return true;
    },
  };
}
