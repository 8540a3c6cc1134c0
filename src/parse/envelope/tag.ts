/**
 * The 'tag[pid]: ' / 'tag: ' that follows a syslog header, or that a program prints itself at the start
 * of a multilog or bare line (vpopmail's 'vpopmail[2100]: ', dovecot's 'imap-login: ', 'auth-worker(22401): ').
 */

export interface TagRead {
  tag: string;
  pid: number | null;
  /** index of the first message character (after ': ') */
  messageStart: number;
}

/**
 * First words that are a program's own text, not a tag, in multilog and bare lines:
 * 'tcpserver: pid 1 from ...' is tcpserver's message, 'status: local 0/10 ...' is qmail-send's.
 */
const PROGRAM_WORDS = new Set([
  'tcpserver',
  'rblsmtpd',
  'qmail-smtpd',
  'simscan',
  'policy_check',
  'status',
  'warning',
  'alert',
  'local', // indimail 'local: from to size queueN'
  'info', // indimail 'info: slowq {domain} msg {m}: rate [...]', 'info: qmail-send: ...'
  'qmail-daemon', // indimail
  'qscheduler', // indimail's later name for qmail-daemon
  'spamdyke',
  'fatal',
]);

const COLON = 58;
const SPACE = 32;

/**
 * A syslog tag token `[start, end)` that ends in ':' (checked by the caller): name, optional '[pid]'.
 * Dovecot's 'auth-worker(22401)' and 'auth(user,ip,sasl:login)<session>' keep their parentheses.
 */
export function splitSyslogTag(text: string, start: number, end: number): { tag: string; pid: number | null } {
  // a program that logs under its path ('/var/qmail/bin/relaylock[123]:') is named by its last part
  if (text.charCodeAt(start) === 47 /* / */) {
    const bracket = text.charCodeAt(end - 1) === 93 /* ] */ ? text.lastIndexOf('[', end) : end;
    const slash = text.lastIndexOf('/', bracket > start ? bracket : end);
    if (slash > start && slash < end - 1) start = slash + 1;
  }
  // end points at the ':'
  if (end - start >= 3 && text.charCodeAt(end - 1) === 93 /* ] */) {
    const open = text.lastIndexOf('[', end - 2);
    if (open > start) {
      let pid = 0;
      let ok = end - 1 - (open + 1) > 0 && end - 1 - (open + 1) <= 10;
      for (let i = open + 1; ok && i < end - 1; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) ok = false;
        else pid = pid * 10 + d;
      }
      if (ok) return { tag: text.slice(start, open), pid };
    }
  }
  return { tag: text.slice(start, end), pid: null };
}

/**
 * A tag printed by the program itself at `start` (multilog and bare lines), or null when the first word
 * is not one: it must look like a program name (letters, digits, '.', '_', '-', '/'), optionally followed
 * by '[pid]' or a parenthesised part, end in ':' and be followed by a space or the end of the line.
 */
export function readProgramTag(text: string, start: number): TagRead | null {
  const len = text.length;
  let i = start;
  const first = text.charCodeAt(i);
  const isLetter = (first >= 65 && first <= 90) || (first >= 97 && first <= 122);
  if (!isLetter) return null;
  // name
  while (i < len) {
    const c = text.charCodeAt(i);
    const nameChar =
      (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95 || c === 47;
    if (!nameChar) break;
    i++;
    if (i - start > 64) return null;
  }
  const nameEnd = i;
  const c = text.charCodeAt(i);
  if (c === COLON) {
    const after = i + 1;
    if (after < len && text.charCodeAt(after) !== SPACE) return null;
    const name = text.slice(start, nameEnd);
    // vchkpw's own 'vchkpw-smtp: ...' (its service name), when the syslog tag was stripped
    if (PROGRAM_WORDS.has(name) || name.startsWith('vchkpw')) return null;
    return { tag: name, pid: null, messageStart: after < len ? after + 1 : len };
  }
  if (c === 91 /* [ */ || c === 40 /* ( */) {
    // the token runs to the next space and must end in ':'
    let sp = text.indexOf(' ', i);
    if (sp < 0) sp = len;
    if (sp - start > 512 || text.charCodeAt(sp - 1) !== COLON) return null;
    const { tag, pid } = splitSyslogTag(text, start, sp - 1);
    if (c === 91 && pid === null) return null;
    return { tag, pid, messageStart: sp < len ? sp + 1 : len };
  }
  return null;
}
