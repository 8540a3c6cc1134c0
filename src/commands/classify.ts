/**
 * `qmail_exporter classify [FILE...|-]`: one JSON object per input line, in order, saying what the
 * exporter makes of it: `{"line":N,"event":...fields}`. With several files each object also names
 * its `file` and lines are numbered per file.
 *
 * A few lines only get their meaning from a later line (an eMPF `policy_check` recipient is known
 * to be sent only at the session's `mail recv`; a splogger record may be continued by the next
 * line). Output is held back until those lines are resolved, so every object is printed in input
 * order with its final event. A line that is held and never resolved prints `"event":"ignored"`
 * with `"unresolved":true`.
 */
import type { Writable } from 'node:stream';
import type { MailEvent } from '../classify/events.js';
import { createEngine } from '../engine.js';
import { contextForFile, readLineBatches } from '../read/file-lines.js';

export interface ClassifyOptions {
  files: string[];
  listenerMap?: Record<string, string>;
  nowSeconds: number;
  out: Writable;
}

export async function runClassify(opts: ClassifyOptions): Promise<void> {
  const engine = createEngine({ listenerMap: opts.listenerMap ?? {} });
  const files = opts.files.length > 0 ? opts.files : ['-'];
  const many = files.length > 1;
  let buffer: string[] = [];
  const flushOut = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const text = buffer.join('');
    buffer = [];
    if (!opts.out.write(text)) await new Promise<void>((res) => opts.out.once('drain', () => res()));
  };

  for (const file of files) {
    const ctx = contextForFile(file, opts.nowSeconds);
    let lineNo = 0;
    // Lines the classifier holds ('counted' with no event yet), oldest first, waiting for events that
    // belong to them: those arrive ahead of the resolving line's own event.
    const held: Array<{ line: number; slot: number }> = [];
    const pending: Array<string | null> = [];
    const emit = (line: number, e: MailEvent | null, extra?: Record<string, unknown>): string => {
      const base: Record<string, unknown> = many ? { file, line } : { line };
      return `${JSON.stringify(e === null ? { ...base, event: 'ignored', unresolved: true, ...extra } : { ...base, ...e, ...extra })}\n`;
    };
    const drain = (): void => {
      let i = 0;
      while (i < pending.length && pending[i] !== null) buffer.push(pending[i++]!);
      if (i > 0) {
        pending.splice(0, i);
        for (const h of held) h.slot -= i;
      }
    };
    for await (const batch of readLineBatches(file)) {
      for (const text of batch) {
        lineNo++;
        const c = engine.pipeline.line(text, ctx);
        const events = c.events;
        // Events beyond this line's own one resolve held lines, in the order they were held.
        const own = events.length > 0 ? events[events.length - 1]! : null;
        for (let k = 0; k < events.length - 1 && held.length > 0; k++) {
          const h = held.shift()!;
          pending[h.slot] = emit(h.line, events[k]!);
        }
        if (c.result === 'counted' && own === null) {
          held.push({ line: lineNo, slot: pending.length });
          pending.push(null);
        } else {
          pending.push(emit(lineNo, own ?? { event: c.result, program: '', time: null } as MailEvent));
        }
        drain();
      }
      await flushOut();
    }
    // End of file: whatever the classifier still holds is resolved now or never.
    const rest = engine.classifier.flush();
    for (const e of rest) {
      const h = held.shift();
      if (h === undefined) break;
      pending[h.slot] = emit(h.line, e);
    }
    for (const h of held) pending[h.slot] = emit(h.line, null);
    held.length = 0;
    drain();
    await flushOut();
  }
}
