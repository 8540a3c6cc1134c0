/**
 * The follower's safety poll, injectable so tests drive time by hand (mtail's "waker" idea):
 * production uses intervalTicker, tests manualTicker().tick() or, more often, await step().
 */
export interface Ticker {
  start(fn: () => void): void;
  stop(): void;
}

export function intervalTicker(ms: number): Ticker {
  let timer: NodeJS.Timeout | null = null;
  return {
    start(fn) {
      if (timer !== null) clearInterval(timer);
      timer = setInterval(fn, ms);
    },
    stop() {
      if (timer !== null) clearInterval(timer);
      timer = null;
    },
  };
}

export interface ManualTicker extends Ticker {
  /** call the started function once (no-op when stopped) */
  tick(): void;
  readonly running: boolean;
}

export function manualTicker(): ManualTicker {
  let fn: (() => void) | null = null;
  return {
    start(f) {
      fn = f;
    },
    stop() {
      fn = null;
    },
    tick() {
      fn?.();
    },
    get running() {
      return fn !== null;
    },
  };
}
