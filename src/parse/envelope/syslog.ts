/**
 * BSD syslog envelope (RFC 3164 layout, as syslogd/rsyslog write /var/log/maillog):
 *
 *   Sep  6 07:33:33 sd6 qmail: 1157520813.485077 rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 ...
 *   Sep 14 07:21:42 iron vpopmail[939]: vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198
 *   Sep 13 00:03:15 imap-login: Info: Login: user=<info@example.com>, ...        (dovecot log_path: no host)
 *
 * The day may be space-padded ('Sep  6') or not ('Sep 8'). The header has no year and no zone: the
 * time is local (see local-time.ts) and the year comes from splogger's stamp when there is one, else
 * from the stream's previous dated line (`LineContext.yearAnchor`, nearest), else from
 * `LineContext.referenceTime` (closest before it). A token ending in ':' right after the time is a tag (dovecot's
 * log_path files), not a host.
 */
import type { LineContext } from '../../events/parsed-line.js';
import type { EnvelopeDetail, EnvelopeFormat } from './detail.js';
import { yearlessLocalEpoch } from './local-time.js';
import { readSploggerStamp } from './splogger.js';
import { splitSyslogTag } from './tag.js';

/** 'Jan'..'Dec' as three char codes packed into one number → month index. */
const MONTHS = new Map<number, number>();
['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'].forEach((m, i) =>
  MONTHS.set(pack3(m, 0), i),
);

export function pack3(s: string, at: number): number {
  return (s.charCodeAt(at) << 16) | (s.charCodeAt(at + 1) << 8) | s.charCodeAt(at + 2);
}

/** Month index (0-based) of the three letters at `at`, or -1. */
export function monthAt(s: string, at: number): number {
  return MONTHS.get(pack3(s, at)) ?? -1;
}

function digitAt(s: string, at: number): number {
  const d = s.charCodeAt(at) - 48;
  return d >= 0 && d <= 9 ? d : -1;
}

/** 'hh:mm:ss' at `at` → seconds since midnight, or -1. */
export function clockAt(s: string, at: number): number {
  const h1 = digitAt(s, at);
  const h2 = digitAt(s, at + 1);
  const m1 = digitAt(s, at + 3);
  const m2 = digitAt(s, at + 4);
  const s1 = digitAt(s, at + 6);
  const s2 = digitAt(s, at + 7);
  if (h1 < 0 || h2 < 0 || m1 < 0 || m2 < 0 || s1 < 0 || s2 < 0) return -1;
  if (s.charCodeAt(at + 2) !== 58 || s.charCodeAt(at + 5) !== 58) return -1;
  const h = h1 * 10 + h2;
  const m = m1 * 10 + m2;
  const sec = s1 * 10 + s2;
  if (h > 23 || m > 59 || sec > 60) return -1;
  return h * 3600 + m * 60 + sec;
}

/**
 * The host, tag and message after a syslog timestamp that ended at `start` (RFC 3164 and RFC 3339
 * headers share this part). `time` is the splogger stamp's, or null for the caller to fill from the
 * header (so that a stamped line skips the header's year inference).
 */
export function readHostTagMessage(
  text: string,
  start: number,
  hostlessFormat: EnvelopeFormat | null,
  format: EnvelopeFormat,
): EnvelopeDetail {
  const len = text.length;
  let host: string | null = null;
  let tag: string | null = null;
  let pid: number | null = null;
  let messageStart = start;
  let envelopeFormat = format;

  let sp = text.indexOf(' ', start);
  let tokenEnd = sp < 0 ? len : sp;
  if (hostlessFormat !== null && tokenEnd > start && text.charCodeAt(tokenEnd - 1) === 58) {
    // 'Sep 13 00:03:15 imap-login: Info: ...': a tag where the host would be
    const t = splitSyslogTag(text, start, tokenEnd - 1);
    tag = t.tag;
    pid = t.pid;
    messageStart = sp < 0 ? len : sp + 1;
    envelopeFormat = hostlessFormat;
  } else {
    host = text.slice(start, tokenEnd);
    if (sp < 0) {
      messageStart = len;
    } else {
      const tagStart = sp + 1;
      sp = text.indexOf(' ', tagStart);
      tokenEnd = sp < 0 ? len : sp;
      if (tokenEnd > tagStart && text.charCodeAt(tokenEnd - 1) === 58) {
        const t = splitSyslogTag(text, tagStart, tokenEnd - 1);
        tag = t.tag;
        pid = t.pid;
        messageStart = sp < 0 ? len : sp + 1;
      } else {
        messageStart = tagStart; // no tag ('last message repeated 2 times')
      }
    }
  }

  let time: number | null = null;
  let continuation = false;
  let stamped = false;
  const c = text.charCodeAt(messageStart);
  if (c >= 48 && c <= 57) {
    const stamp = readSploggerStamp(text, messageStart);
    if (stamp !== null) {
      stamped = true;
      time = stamp.time;
      continuation = stamp.continuation;
      messageStart = stamp.messageStart;
    }
  } else {
    if (c === 43 /* + */ && tag !== null && envelopeFormat !== 'syslog-hostless') {
      // QMailToaster splogger-nostamp continuation: 'TAG: +rest'
      continuation = true;
      stamped = true;
      messageStart++;
    }
  }
  return {
    time,
    host,
    tag,
    pid,
    message: messageStart === 0 ? text : text.slice(messageStart),
    continuation,
    format: envelopeFormat,
    stamped,
  };
}

/** A BSD syslog line, or null when `text` does not start with 'Mmm dd hh:mm:ss '. */
export function parseSyslog(text: string, ctx: LineContext): EnvelopeDetail | null {
  if (text.length < 16) return null;
  const month0 = monthAt(text, 0);
  if (month0 < 0 || text.charCodeAt(3) !== 32) return null;
  let p = 4;
  if (text.charCodeAt(p) === 32) p++;
  let day = digitAt(text, p);
  if (day < 0) return null;
  p++;
  if (text.charCodeAt(p) !== 32) {
    const d2 = digitAt(text, p);
    if (d2 < 0) return null;
    day = day * 10 + d2;
    p++;
  }
  if (text.charCodeAt(p) !== 32 || day < 1 || day > 31) return null;
  p++;
  const clock = clockAt(text, p);
  if (clock < 0) return null;
  // 'hh:mm:ss.ffffff' (journalctl -o short-precise, rsyslog's high-precision template)
  let end = p + 8;
  let fraction = 0;
  if (text.charCodeAt(end) === 46 /* . */) {
    let scale = 0.1;
    end++;
    while (end < text.length && end - p < 18) {
      const d = text.charCodeAt(end) - 48;
      if (d < 0 || d > 9) break;
      fraction += d * scale;
      scale /= 10;
      end++;
    }
  }
  if (text.charCodeAt(end) !== 32) return null;
  const detail = readHostTagMessage(text, end + 1, 'syslog-hostless', 'syslog');
  if (detail.time === null) {
    const hour = Math.floor(clock / 3600);
    const minute = Math.floor((clock % 3600) / 60);
    const t = yearlessLocalEpoch(month0, day, hour, minute, clock % 60, ctx.referenceTime, ctx.yearAnchor ?? null);
    detail.time = t === null ? null : t + fraction;
  }
  return detail;
}
