/**
 * One year per file. Syslog's 'Mmm dd hh:mm:ss' has no year; the exact stamps of the same stream
 * have one: splogger's 'sec.usec', TAI64N, RFC 3339, tai64nlocal and the multilog localtime patch.
 * A reader seeds the stream's year anchor with the first exact stamp of the file's head (or of the
 * first batch of standard input), so that even the year-less lines BEFORE the first stamped one are
 * placed in its year; the classifier then carries the anchor from line to line (each dated line
 * becomes the anchor of the next). Without any exact stamp, the first year-less line takes the year
 * that puts it closest before the reference time (the file name's date, else its mtime, else now),
 * and the lines after it follow it.
 */
import type { LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail } from './detail.js';
import { readEnvelope } from './index.js';

/** Times before this are broken stamps (a TAI64N label of zeros), never an anchor. */
export const EARLIEST_ANCHOR_SECONDS = Date.UTC(2000, 0, 1) / 1000;

/** True when the envelope's time came with its year (a stamp or a dated format), not from inference. */
export function hasExactTime(e: EnvelopeDetail): boolean {
  if (e.time === null) return false;
  if (e.stamped && !e.continuation) return true;
  return e.format === 'tai64n' || e.format === 'tai64n-local' || e.format === 'rfc3339' || e.format === 'ctime';
}

/** The first exact line time among `lines` that could anchor a year (not before 2000, not past the reference's next day). */
export function firstExactTime(lines: readonly string[], ctx: LineContext, maxLines = 4096): number | null {
  const limit = ctx.referenceTime + 86_400;
  const n = Math.min(lines.length, maxLines);
  for (let i = 0; i < n; i++) {
    const e = readEnvelope(lines[i]!, ctx);
    if (hasExactTime(e) && e.time! >= EARLIEST_ANCHOR_SECONDS && e.time! <= limit) return e.time;
  }
  return null;
}

/** Seeds `ctx.yearAnchor` from the first exact stamp of a stream's head, when it has one. */
export function seedYearAnchor(ctx: LineContext, head: readonly string[]): void {
  if (ctx.yearAnchor !== undefined && ctx.yearAnchor !== null) return;
  const t = firstExactTime(head, ctx);
  if (t !== null) ctx.yearAnchor = t;
}
