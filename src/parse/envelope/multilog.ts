/**
 * daemontools multilog envelopes (no host, no tag: the log directory names the service):
 *
 *   @4000000038c3eeb104a6ecf4 delivery 153: success: did_1+0+0/             (multilog t: TAI64N label)
 *   2023-06-28 16:17:26.501272173 tcpserver: status: 0/200/0                 (tai64nlocal, readable_datetime patch)
 *   2013-08-11 03:56:40 auth-worker(default): Info: pam(username,1.2.3.4): ... (dovecot log_path, no fraction)
 *   Sat Dec 19 03:02:51 2009  new msg 123                                    (multilog localtime patch, two spaces)
 *
 * TAI64N: '@', 16 hex digits of TAI seconds (2^62 + unix seconds + 10, the TAI-UTC offset tai64nlocal
 * removes), 8 hex digits of nanoseconds. The readable forms are local time (see local-time.ts).
 * After the stamp a program may print its own 'tag[pid]: ' or 'tag: ' (vpopmail, dovecot); a program's
 * first word ('tcpserver: pid 1 ...') is not a tag (tag.ts).
 */
import type { LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail, EnvelopeFormat } from './detail.js';
import { localEpochSeconds, isValidDate } from './local-time.js';
import { readDateTime, readTime } from './rfc3339.js';
import { monthAt, pack3 } from './syslog.js';
import { readProgramTag } from './tag.js';

function hexDigit(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

function hex8(s: string, at: number): number {
  let n = 0;
  for (let i = at; i < at + 8; i++) {
    const d = hexDigit(s.charCodeAt(i));
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

/** TAI64N label at 0 ('@' + 24 hex) → Unix seconds with fraction, or null. */
export function tai64nToUnix(text: string): number | null {
  if (text.charCodeAt(0) !== 64 /* @ */ || text.length < 25) return null;
  const hi = hex8(text, 1);
  const lo = hex8(text, 9);
  const nano = hex8(text, 17);
  if (hi < 0 || lo < 0 || nano < 0 || nano > 999_999_999) return null;
  return (hi - 0x40000000) * 4294967296 + lo - 10 + nano / 1e9;
}

/** The message part of a multilog line from `start`: an optional program-printed tag, then the text. */
export function multilogBody(text: string, start: number, time: number | null, format: EnvelopeFormat): EnvelopeDetail {
  const tag = readProgramTag(text, start);
  if (tag === null) {
    return {
      time,
      host: null,
      tag: null,
      pid: null,
      message: start === 0 ? text : text.slice(start),
      continuation: false,
      format,
      stamped: false,
    };
  }
  return {
    time,
    host: null,
    tag: tag.tag,
    pid: tag.pid,
    message: text.slice(tag.messageStart),
    continuation: false,
    format,
    stamped: false,
  };
}

export function parseTai64n(text: string, _ctx: LineContext): EnvelopeDetail | null {
  const time = tai64nToUnix(text);
  if (time === null) return null;
  const sep = text.charCodeAt(25);
  if (sep !== 32 && text.length !== 25) return null;
  return multilogBody(text, Math.min(26, text.length), time, 'tai64n');
}

/** 'YYYY-MM-DD HH:MM:SS[.fraction] ' in local time (tai64nlocal, readable_datetime patch, dovecot). */
export function parseTai64nLocal(text: string, _ctx: LineContext): EnvelopeDetail | null {
  if (text.length < 20) return null;
  const dt = readDateTime(text, 32 /* space */);
  if (dt === null) return null;
  const { date, clock, fraction } = dt;
  const i = dt.end;
  if (text.charCodeAt(i) !== 32) return null;
  const time = localEpochSeconds(date.year, date.month0, date.day, clock.hour, clock.minute, clock.second) + fraction;
  return multilogBody(text, i + 1, time, 'tai64n-local');
}

const WEEKDAYS = new Set(['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].map((d) => pack3(d, 0)));

export function isWeekdayAt(text: string, at: number): boolean {
  return WEEKDAYS.has(pack3(text, at));
}

/** multilog localtime patch: 'Sat Dec 19 03:02:51 2009  message' (ctime layout, two spaces). */
export function parseCtime(text: string, _ctx: LineContext): EnvelopeDetail | null {
  if (text.length < 25 || !isWeekdayAt(text, 0) || text.charCodeAt(3) !== 32) return null;
  const month0 = monthAt(text, 4);
  if (month0 < 0 || text.charCodeAt(7) !== 32) return null;
  let p = 8;
  if (text.charCodeAt(p) === 32) p++;
  let day = text.charCodeAt(p) - 48;
  if (day < 0 || day > 9) return null;
  p++;
  const d2 = text.charCodeAt(p) - 48;
  if (d2 >= 0 && d2 <= 9) {
    day = day * 10 + d2;
    p++;
  }
  if (text.charCodeAt(p) !== 32) return null;
  const clock = readTime(text, p + 1);
  if (!clock || text.charCodeAt(p + 9) !== 32) return null;
  p += 10;
  let year = 0;
  const yearStart = p;
  while (p < text.length && p - yearStart < 4) {
    const d = text.charCodeAt(p) - 48;
    if (d < 0 || d > 9) break;
    year = year * 10 + d;
    p++;
  }
  if (p - yearStart !== 4 || year < 1970 || !isValidDate(year, month0, day)) return null;
  if (text.charCodeAt(p) !== 32) return null;
  p++;
  if (text.charCodeAt(p) === 32) p++;
  const time = localEpochSeconds(year, month0, day, clock.hour, clock.minute, clock.second);
  return multilogBody(text, p, time, 'ctime');
}
