/**
 * The one loop: lines in, accounting and events out. It holds no logic beyond routing, so the live
 * exporter, `report`, `classify` and `backfill` all count exactly the same way.
 */
import type { Classification } from './events/accounting.js';
import type { MailEvent } from './events/events.js';
import type { LineContext } from './events/parsed-line.js';
import type { Recorder } from './metrics/record.js';
import { checkYoungGeneration } from './heap.js';

/** Lines between two looks at the young generation's size: about half a megabyte of allocation. */
const HEAP_CHECK_LINES = 512;

export interface PipelineDeps {
  classify(text: string, ctx: LineContext): Classification;
  flush(): MailEvent[];
  recorder: Recorder;
  /** Further consumers of every event (leaderboards, report tables). */
  observers?: ReadonlyArray<(e: MailEvent) => void>;
}

export interface Pipeline {
  /** Classify, account and record one line; returns what the classifier said of it. */
  line(text: string, ctx: LineContext): Classification;
  /** The same for every line of a batch, in order. */
  batch(lines: readonly string[], ctx: LineContext): void;
  /** End of input: record what the classifier still held. */
  flush(): void;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  const { recorder } = deps;
  const observers = deps.observers ?? [];

  function emit(events: readonly MailEvent[]): void {
    for (const e of events) {
      recorder.event(e);
      for (const o of observers) o(e);
    }
  }

  // Every line passes here, batch by batch (report, backfill, the live exporter) or one at a time
  // (classify): the one place to size the heap (heap.ts), every HEAP_CHECK_LINES lines.
  let uncheckedLines = 0;

  function line(text: string, ctx: LineContext): Classification {
    if (++uncheckedLines >= HEAP_CHECK_LINES) {
      uncheckedLines = 0;
      checkYoungGeneration();
    }
    const c = deps.classify(text, ctx);
    recorder.line(c.result, c.events.length > 0 ? c.events[0]!.time : null);
    emit(c.events);
    return c;
  }

  return {
    line,
    batch(lines, ctx) {
      for (let i = 0; i < lines.length; i++) line(lines[i]!, ctx);
    },
    flush() {
      emit(deps.flush());
    },
  };
}
