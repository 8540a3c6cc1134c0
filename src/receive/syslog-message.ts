/**
 * One received syslog message → the line a log file would hold, plus the sending host's name.
 *
 * RFC 3164 (what rsyslog's and sysklogd's forwarding sends by default):
 *
 *   <22>Nov 14 22:13:20 mail smtp: 1700000020.000013 tcpserver: status: 1/60
 *
 * is, without its `<PRI>`, exactly the line /var/log/maillog holds, so the parsers read it as they
 * read the file. RFC 5424:
 *
 *   <22>1 2023-11-14T22:13:20.000013+00:00 mail smtp 6392 - - tcpserver: status: 1/60
 *
 * becomes `2023-11-14T22:13:20.000013+00:00 mail smtp[6392]: tcpserver: status: 1/60`, the
 * RFC 3339 layout rsyslog writes to files (structured data is dropped: qmail writes none).
 * A message without `<PRI>` (RFC 3164 §4.3.3) is taken as it is. Pure: no I/O, no clock.
 */
export interface SyslogMessage {
  /** the HOSTNAME field, or null when the message has none we can find */
  hostname: string | null;
  /** the message as a log-file line */
  line: string;
}

const MONTHS = new Set(['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']);

export function parseSyslogMessage(text: string): SyslogMessage {
  let rest = text;
  if (rest.charCodeAt(0) === 0x3c /* < */) {
    const close = rest.indexOf('>');
    // PRI is 1 to 3 digits (0..191)
    if (close >= 2 && close <= 4 && /^\d+$/.test(rest.slice(1, close))) rest = rest.slice(close + 1);
  }
  if (rest.startsWith('1 ')) return fromRfc5424(rest.slice(2));
  return fromRfc3164(rest);
}

/** `Mmm dd hh:mm:ss HOST ...`: the host is the word after the 15-character timestamp. */
function fromRfc3164(rest: string): SyslogMessage {
  if (rest.length > 16 && MONTHS.has(rest.slice(0, 3)) && rest[3] === ' ' && rest[6] === ' ' && rest[9] === ':' && rest[12] === ':' && rest[15] === ' ') {
    const end = rest.indexOf(' ', 16);
    const host = rest.slice(16, end < 0 ? rest.length : end);
    return { hostname: host === '' ? null : host, line: rest };
  }
  // RFC 3339 stamp first (rsyslog with a high-precision template)
  if (/^\d{4}-\d\d-\d\dT\S+ /.test(rest)) {
    const start = rest.indexOf(' ') + 1;
    const end = rest.indexOf(' ', start);
    const host = rest.slice(start, end < 0 ? rest.length : end);
    return { hostname: host === '' ? null : host, line: rest };
  }
  return { hostname: null, line: rest };
}

/** TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG] */
function fromRfc5424(rest: string): SyslogMessage {
  const fields: string[] = [];
  let at = 0;
  for (let n = 0; n < 5; n++) {
    const sp = rest.indexOf(' ', at);
    if (sp < 0) {
      fields.push(rest.slice(at));
      at = rest.length;
      break;
    }
    fields.push(rest.slice(at, sp));
    at = sp + 1;
  }
  const [time = '-', host = '-', app = '-', procid = '-'] = fields;
  at = skipStructuredData(rest, at);
  let msg = rest.slice(at);
  if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1); // the UTF-8 BOM RFC 5424 allows before MSG
  // rsyslog's RSYSLOG_SyslogProtocol23Format writes its message property, which keeps the space that
  // followed the tag in RFC 3164: one more space than RFC 5424's separator.
  if (msg.charCodeAt(0) === 0x20) msg = msg.slice(1);
  const nil = (s: string) => (s === '-' ? null : s);
  const tag = nil(app) === null ? '' : nil(procid) === null ? `${app}: ` : `${app}[${procid}]: `;
  const parts = [nil(time), nil(host)].filter((p): p is string => p !== null);
  return { hostname: nil(host), line: `${parts.join(' ')}${parts.length > 0 ? ' ' : ''}${tag}${msg}` };
}

/** Index after STRUCTURED-DATA (`-` or `[id k="v" ...]...`) and the space that ends it. */
function skipStructuredData(s: string, at: number): number {
  if (s[at] === '-') return s[at + 1] === ' ' ? at + 2 : at + 1;
  let i = at;
  while (s[i] === '[') {
    i++;
    let quoted = false;
    for (; i < s.length; i++) {
      const c = s[i];
      if (quoted && c === '\\') i++;
      else if (c === '"') quoted = !quoted;
      else if (c === ']' && !quoted) break;
    }
    i++;
  }
  return s[i] === ' ' ? i + 1 : i;
}
