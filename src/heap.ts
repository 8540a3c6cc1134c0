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
 * `checkYoungGeneration()` runs after every batch of lines until then (a few hundred batches,
 * one heap-space query each) and costs nothing afterwards.
 *
 * Only the sizing changes: which objects live, and so every count, is the same at any size.
 */
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

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

/** After a batch of lines: stop the growth once the cap is reached. Cheap no-op when done or not asked. */
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

/** Whether node's own flags (command line or NODE_OPTIONS) already size the young generation. */
export function youngGenerationSizedByFlags(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const flags = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  return flags.some((f) => /^--(?:max|min)[-_]semi[-_]space[-_]size(?:=|$)/.test(f) || /^--semi[-_]space[-_]growth[-_]factor(?:=|$)/.test(f));
}
