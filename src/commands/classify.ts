/**
 * `qmail_exporter classify [FILE...|-]`: one JSON object per input line, in order, saying what the
 * exporter makes of it: `{"line":N,"event":...fields}`. With several files each object also names
 * its `file` and lines are numbered per file.
 *
 * A few lines only get their meaning from a later line (an eMPF `policy_check` recipient is known
 * to be sent only at the session's `mail recv`; a splogger record may be continued by the next
 * line). Output is held back until those lines are resolved, so every object is printed in input
 * order with its own event. A line that is held and never resolved (a recipient whose message was
 * not queued) prints `"event":"ignored"` with `"unresolved":true`.
 */
import type { Writable } from 'node:stream';
import type { MailEvent } from '../events/events.js';
import { createEngine, type EngineSenders } from '../engine.js';
import { seedYearAnchor } from '../parse/envelope/year.js';
import { contextForFile, readLineBatches } from '../read/file-lines.js';

export interface ClassifyOptions {
  files: string[];
  /** who is sending (src/senders.ts): identity rule, trusted relays, SMTP uids */
  senders?: EngineSenders;
  listenerMap?: Record<string, string>;
  nowSeconds: number;
  out: Writable;
}

export async function runClassify(opts: ClassifyOptions): Promise<void> {
  const engine = createEngine({ listenerMap: opts.listenerMap ?? {}, senders: opts.senders });
  const files = opts.files.length > 0 ? opts.files : ['-'];
  const many = files.length > 1;
  // Lines are numbered as the classifier counts them (1, 2, … across all files); `first` is the
  // number of the oldest line not printed yet, `slots` what is known of it and the lines after it.
  let first = 1;
  let next = 1;
  const slots = new Map<number, { file: string; line: number; text: string | null }>();
  let out: string[] = [];

  const render = (file: string, line: number, e: MailEvent | null): string => {
    const base: Record<string, unknown> = many ? { file, line } : { line };
    return `${JSON.stringify(e === null ? { ...base, event: 'ignored', unresolved: true } : { ...base, ...e })}\n`;
  };
  const fill = (n: number, e: MailEvent | null): void => {
    const s = slots.get(n);
    if (s !== undefined && s.text === null) s.text = render(s.file, s.line, e);
  };
  const drain = (): void => {
    for (;;) {
      const s = slots.get(first);
      if (s === undefined || s.text === null) return;
      out.push(s.text);
      slots.delete(first++);
    }
  };
  const write = async (): Promise<void> => {
    if (out.length === 0) return;
    const text = out.join('');
    out = [];
    if (!opts.out.write(text)) await new Promise<void>((res) => opts.out.once('drain', () => res()));
  };
  const place = (events: readonly MailEvent[], own: number): MailEvent | null => {
    let mine: MailEvent | null = null;
    for (const e of events) {
      const origin = engine.classifier.originOf(e);
      if (origin !== undefined && origin !== own) fill(origin, e);
      else mine ??= e;
    }
    return mine;
  };

  for (const file of files) {
    const ctx = contextForFile(file, opts.nowSeconds);
    let lineNo = 0;
    for await (const batch of readLineBatches(file)) {
      if (lineNo === 0) seedYearAnchor(ctx, batch); // one year per file: the head's first exact stamp
      for (const text of batch) {
        const n = next++;
        slots.set(n, { file, line: ++lineNo, text: null });
        const c = engine.pipeline.line(text, ctx);
        const mine = place(c.events, n);
        if (mine !== null) fill(n, mine);
        else if (c.result !== 'counted') fill(n, { event: c.result, program: '', time: null } as MailEvent);
        // a counted line without an event of its own waits for a later line to resolve it
        drain();
      }
      await write();
    }
  }
  // End of input: whatever the classifier still holds is resolved now or never.
  for (const e of engine.classifier.flush()) {
    const origin = engine.classifier.originOf(e);
    if (origin !== undefined) fill(origin, e);
  }
  for (const [n, s] of slots) if (s.text === null) fill(n, null);
  drain();
  await write();
}
