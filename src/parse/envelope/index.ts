/**
 * The envelope of a mail-log line: who wrote it and when. One entry point for every format the
 * qmail host's loggers produce (syslog, RFC 3339 syslog, multilog TAI64N / tai64nlocal / localtime
 * patch, dovecot log_path files, bare stderr lines); the first character picks the reader, so a
 * line costs one reader at most. Never throws: a line that fits no format is a bare line.
 */
import type { Envelope, LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail } from './detail.js';
import { multilogBody, parseCtime, parseTai64n, parseTai64nLocal } from './multilog.js';
import { parseRfc3339 } from './rfc3339.js';
import { readSploggerStamp, SPLOGGER_RECORD_LENGTH } from './splogger.js';
import { parseSyslog } from './syslog.js';

export type { EnvelopeDetail, EnvelopeFormat } from './detail.js';
export { isSyslogFormat } from './detail.js';
export { SPLOGGER_RECORD_LENGTH } from './splogger.js';

function bareStamped(text: string): EnvelopeDetail | null {
  const stamp = readSploggerStamp(text, 0);
  if (stamp === null) return null;
  return {
    time: stamp.time,
    host: null,
    tag: null,
    pid: null,
    message: text.slice(stamp.messageStart),
    continuation: stamp.continuation,
    format: 'bare',
    stamped: true,
  };
}

/** Index after the line's text without trailing spaces, tabs and CRs (copied, relayed, Windows-edited lines). */
function trimmedEnd(text: string): number {
  let end = text.length;
  for (;;) {
    const c = text.charCodeAt(end - 1);
    if (c !== 32 && c !== 9 && c !== 13) return end;
    end--;
  }
}

/**
 * The envelope with its format (for the dispatcher and the classifier). Trailing spaces, tabs and CRs
 * are dropped here, once for every parser: 'end msg 4711   ' reads as 'end msg 4711'. One exception:
 * a splogger record cut at its fixed length may end in a space that belongs to the text its
 * continuation carries, so a stamped record that was that long keeps its whitespace for the rejoin.
 */
export function readEnvelope(text: string, ctx: LineContext): EnvelopeDetail {
  const last = text.charCodeAt(text.length - 1);
  if (last !== 32 && last !== 9 && last !== 13) return readTrimmed(text, ctx);
  const end = trimmedEnd(text);
  const detail = readTrimmed(text.slice(0, end), ctx);
  if (detail.stamped && detail.message.length + (text.length - end) >= SPLOGGER_RECORD_LENGTH) {
    return readTrimmed(text, ctx);
  }
  return detail;
}

function readTrimmed(text: string, ctx: LineContext): EnvelopeDetail {
  const c = text.charCodeAt(0);
  let detail: EnvelopeDetail | null = null;
  if (c === 64 /* @ */) {
    detail = parseTai64n(text, ctx);
  } else if (c >= 48 && c <= 57) {
    if (text.charCodeAt(4) === 45 /* - */) {
      detail = text.charCodeAt(10) === 84 /* T */ ? parseRfc3339(text, ctx) : parseTai64nLocal(text, ctx);
    } else {
      detail = bareStamped(text);
    }
  } else if (c >= 65 && c <= 90) {
    detail = parseSyslog(text, ctx) ?? parseCtime(text, ctx);
  }
  return detail ?? multilogBody(text, 0, null, 'bare');
}

/**
 * Splits `text` into its envelope: time (Unix seconds, null when the line carries none), syslog host,
 * tag and pid, and the message after any splogger stamp. A bare line gives time null, tag null and the
 * whole text as message (unless it starts with a program's own 'name[pid]: ').
 */
export function parseEnvelope(text: string, ctx: LineContext): Envelope {
  const d = readEnvelope(text, ctx);
  return {
    time: d.time,
    host: d.host,
    tag: d.tag,
    pid: d.pid,
    message: d.message,
    continuation: d.continuation,
  };
}
