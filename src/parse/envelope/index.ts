/**
 * The envelope of a mail-log line: who wrote it and when. One entry point for every format the
 * qmail host's loggers produce (syslog, RFC 3339 syslog, multilog TAI64N / tai64nlocal / localtime
 * patch, dovecot log_path files, bare stderr lines); the first character picks the reader, so a
 * line costs one reader at most. Never throws: a line that fits no format is a bare line. Two things
 * that are not the mail host's are taken off first: trailing whitespace, and the service prefix a
 * container runtime puts before each line ('mailserver_1  | Sep  6 07:33:33 ...').
 */
import type { Envelope, LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail } from './detail.js';
import { multilogBody, parseCtime, parseTai64n, parseTai64nLocal } from './multilog.js';
import { containerStamp, parseRfc3339 } from './rfc3339.js';
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

/**
 * Index after a container runtime's prefix ('qmail_1  | ', 'mail-1  | ' from `docker compose logs`,
 * possibly wrapped in colour codes), or 0. The service name runs to spaces and a '|': syslog stamps,
 * TAI64N labels and program words never have a '|' after their first word and its spaces.
 */
export function containerPrefixEnd(text: string): number {
  let i = 0;
  if (text.charCodeAt(0) === 27 /* ESC */) i = afterAnsi(text, 0);
  const nameStart = i;
  while (i - nameStart < 64) {
    const c = text.charCodeAt(i);
    const nameChar = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 45 || c === 46;
    if (!nameChar) break;
    i++;
  }
  if (i === nameStart || text.charCodeAt(i) !== 32) return 0;
  while (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) !== 124 /* | */) return 0;
  i++;
  if (text.charCodeAt(i) === 27) i = afterAnsi(text, i);
  if (text.charCodeAt(i) === 32) i++;
  if (text.charCodeAt(i) === 27) i = afterAnsi(text, i);
  return i;
}

/** Index after an ANSI colour sequence 'ESC [ digits;digits m' at `at`, or `at`. */
function afterAnsi(text: string, at: number): number {
  if (text.charCodeAt(at + 1) !== 91 /* [ */) return at;
  let i = at + 2;
  while (i - at < 16) {
    const c = text.charCodeAt(i);
    if (c === 109 /* m */) return i + 1;
    if (!((c >= 48 && c <= 57) || c === 59)) return at;
    i++;
  }
  return at;
}

function readTrimmed(text: string, ctx: LineContext): EnvelopeDetail {
  const first = text.charCodeAt(0);
  if (first === 32 || first === 9) {
    // indentation from a web page or a mail quote: no log format starts with a blank
    let i = 1;
    while (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9) i++;
    return readTrimmed(text.slice(i), ctx);
  }
  // Nearly every line of /var/log/maillog: a syslog header ('Jan  5 ...') is never a container
  // prefix ('name |': after the month's spaces comes the day, not '|'), so it is read before the
  // prefix is looked for.
  if (first >= 65 && first <= 90 && text.charCodeAt(3) === 32) {
    const syslog = parseSyslog(text, ctx);
    if (syslog !== null) return syslog;
  }
  const prefix = containerPrefixEnd(text);
  return prefix > 0 ? readLine(text.slice(prefix), ctx) : readLine(text, ctx);
}

function readLine(text: string, ctx: LineContext): EnvelopeDetail {
  const c = text.charCodeAt(0);
  let detail: EnvelopeDetail | null = null;
  if (c === 64 /* @ */) {
    detail = parseTai64n(text, ctx);
  } else if (c >= 48 && c <= 57) {
    if (text.charCodeAt(4) === 45 /* - */) {
      if (text.charCodeAt(10) === 84 /* T */) {
        // `docker logs --timestamps`: the runtime's exact UTC time, then the line the container printed
        const stamp = containerStamp(text);
        if (stamp !== null) {
          const inner = readLine(text.slice(stamp.rest), ctx);
          if (!inner.stamped && inner.format !== 'tai64n') inner.time = stamp.time;
          return inner;
        }
      }
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
