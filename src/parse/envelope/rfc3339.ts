/**
 * RFC 3339 syslog header (rsyslog's RSYSLOG_FileFormat, journald exports):
 *
 *   2024-12-31T06:56:17.784598+01:00 mail dovecot: auth-worker(10377): conn unix:auth-worker ...
 *
 * The offset makes the time exact; a splogger stamp after the tag still wins (it is the program's
 * own time). Host and tag follow as in BSD syslog.
 */
import type { LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail } from './detail.js';
import { monthAt, readHostTagMessage } from './syslog.js';
import { isValidDate } from './local-time.js';

function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  if (a < 0 || a > 9 || b < 0 || b > 9) return -1;
  return a * 10 + b;
}

/** Reads 'YYYY-MM-DD' at 0 → [year, month0, day] packed, or null. Shared with tai64nlocal. */
export function readDate(s: string): { year: number; month0: number; day: number } | null {
  const y1 = twoDigits(s, 0);
  const y2 = twoDigits(s, 2);
  if (y1 < 0 || y2 < 0 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return null;
  const year = y1 * 100 + y2;
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  if (month < 1 || day < 1 || year < 1970 || !isValidDate(year, month - 1, day)) return null;
  return { year, month0: month - 1, day };
}

/** 'HH:MM:SS' at `at` → [h, m, s] or null. */
export function readTime(s: string, at: number): { hour: number; minute: number; second: number } | null {
  const hour = twoDigits(s, at);
  const minute = twoDigits(s, at + 3);
  const second = twoDigits(s, at + 6);
  if (hour < 0 || minute < 0 || second < 0 || s.charCodeAt(at + 2) !== 58 || s.charCodeAt(at + 5) !== 58) return null;
  if (hour > 23 || minute > 59 || second > 60) return null;
  return { hour, minute, second };
}

/**
 * Digits after a '.' at `at` (at most 12): the fraction of a second (integer / 10^digits, so that it
 * equals the decimal literal exactly) and the index after the digits.
 */
export function readFraction(s: string, at: number): { fraction: number; end: number } {
  let i = at;
  let n = 0;
  let scale = 1;
  while (i < s.length && i - at < 12) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    scale *= 10;
    i++;
  }
  return { fraction: n / scale, end: i };
}

/**
 * 'YYYY-MM-DD?HH:MM:SS[.fraction]' at the start of `s`, where ? is the character `separator` (T in
 * RFC 3339, a space in tai64nlocal); `end` is the index after the seconds or their fraction.
 */
export function readDateTime(
  s: string,
  separator: number,
): { date: { year: number; month0: number; day: number }; clock: { hour: number; minute: number; second: number }; fraction: number; end: number } | null {
  if (s.charCodeAt(10) !== separator) return null;
  const date = readDate(s);
  const clock = date && readTime(s, 11);
  if (!date || !clock) return null;
  if (s.charCodeAt(19) !== 46 /* . */) return { date, clock, fraction: 0, end: 19 };
  const f = readFraction(s, 20);
  return { date, clock, fraction: f.fraction, end: f.end };
}

/** An RFC 3339 syslog line, or null. */
/**
 * `docker logs --timestamps` puts its own RFC 3339 time (UTC, nanoseconds) before each line a container
 * printed: 'YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ {line}'. When the line after it is itself a syslog line or a
 * multilog line, that stamp is the container runtime's, not a syslog header: index of the line after
 * it with its time, or null.
 */
export function containerStamp(text: string): { time: number; rest: number } | null {
  if (text.length < 22 || text.charCodeAt(10) !== 84 /* T */) return null;
  const dt = readDateTime(text, 84);
  if (dt === null || text.charCodeAt(dt.end) !== 90 /* Z */ || text.charCodeAt(dt.end + 1) !== 32) return null;
  const rest = dt.end + 2;
  const syslog = monthAt(text, rest) >= 0 && text.charCodeAt(rest + 3) === 32;
  if (!syslog && text.charCodeAt(rest) !== 64 /* @ */) return null;
  const { date, clock, fraction } = dt;
  return { time: Date.UTC(date.year, date.month0, date.day, clock.hour, clock.minute, clock.second) / 1000 + fraction, rest };
}

export function parseRfc3339(text: string, _ctx: LineContext): EnvelopeDetail | null {
  if (text.length < 21) return null;
  const dt = readDateTime(text, 84 /* T */);
  if (dt === null) return null;
  const { date, clock, fraction } = dt;
  let i = dt.end;
  let offset = 0;
  const z = text.charCodeAt(i);
  if (z === 90 /* Z */) {
    i++;
  } else if (z === 43 || z === 45) {
    // '+02:00' (RFC 3339) or '+0200' (journalctl -o short-iso)
    const colon = text.charCodeAt(i + 3) === 58;
    const oh = twoDigits(text, i + 1);
    const om = twoDigits(text, colon ? i + 4 : i + 3);
    if (oh < 0 || om < 0) return null;
    offset = (z === 45 ? -1 : 1) * (oh * 3600 + om * 60);
    i += colon ? 6 : 5;
  } else {
    return null;
  }
  if (text.charCodeAt(i) !== 32) return null;
  const utc =
    Date.UTC(date.year, date.month0, date.day, clock.hour, clock.minute, clock.second) / 1000 - offset + fraction;
  const detail = readHostTagMessage(text, i + 1, null, 'rfc3339');
  if (detail.time === null) detail.time = utc;
  return detail;
}
