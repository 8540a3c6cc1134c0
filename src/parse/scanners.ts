/**
 * Content scanners run as QMAILQUEUE filters, one line per message:
 *
 * simscan (qmail/simscan and sagredo-dev/simscan `simscan.c` log_message()):
 *   simscan:[210394]:CLEAN (-1.21/9999.00):3.3608s:{subject}:198.51.100.224:{from}:{rcpt}
 *   simscan:[{ppid}]:{STATE} ({hits}/{req}[/{simscan req}]):{secs}s:{subject}:{ip}:{from}:{rcpts}  (spam-scored states)
 *   simscan:[{ppid}]:{STATE}:{secs}s:{name}:{ip}:{from}:{rcpts}                                  (VIRUS, ATTACH, REGEX, RELAYCLIENT)
 * STATE is CLEAN, SPAM PASS, SPAM REJECT, SPAM DROPPED, PASSTHRU, VIRUS, VIRUS DROPPED, ATTACH, REGEX,
 * RELAYCLIENT. Diagnostics ('simscan:[210394]: skipping check_spam, ...', 'simscan: big file ...') are ignored.
 *
 * qmail-scanner (qmail-scanner-queue.pl syslog line, ossec-hids log samples):
 *   Clear:RC:0(217.72.192.234):SA:0(0.0/6.0): 1.681359 3302 {from} {to} {subject} <{msgid}> {file}
 * 'SA:1' = SpamAssassin tagged it as spam and it was delivered (spam_passed).
 *
 * spamd (SpamAssassin's daemon) lines are recognised and ignored: qmail-scanner or simscan report the verdict.
 */
import type { ScanResult } from '../events/events.js';
import type { ProgramParser } from '../events/parsed-line.js';

const SIMSCAN_STATES: Record<string, ScanResult> = {
  CLEAN: 'clean',
  'SPAM PASS': 'spam_passed',
  'SPAM REJECT': 'spam_rejected',
  'SPAM DROPPED': 'spam_dropped',
  VIRUS: 'virus_rejected',
  'VIRUS DROPPED': 'virus_dropped',
  ATTACH: 'attachment_rejected',
  REGEX: 'regex_rejected',
  PASSTHRU: 'passthru',
  RELAYCLIENT: 'relayclient',
};

/** A simscan line (message starting 'simscan:'). */
export const parseSimscan: ProgramParser = (message, ctx) => {
  const s = message;
  if (!s.startsWith('simscan:')) return null;
  if (s.charCodeAt(8) === 32) return { event: 'ignored', time: ctx.time, program: 'simscan' }; // 'simscan: big file ...'
  if (s.charCodeAt(8) !== 91 /* [ */) return null;
  const close = s.indexOf(']:', 9);
  if (close < 0 || close === 9 || close > 20) return null;
  for (let i = 9; i < close; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
  }
  const stateStart = close + 2;
  if (s.charCodeAt(stateStart) === 32) return { event: 'ignored', time: ctx.time, program: 'simscan' };
  // STATE runs to ' (' (scored) or ':' (unscored); upper-case letters and single spaces only
  let i = stateStart;
  while (i < s.length && i - stateStart <= 24) {
    const c = s.charCodeAt(i);
    if (c >= 65 && c <= 90) {
      i++;
    } else if (c === 32 && s.charCodeAt(i + 1) >= 65 && s.charCodeAt(i + 1) <= 90) {
      i++;
    } else {
      break;
    }
  }
  if (i === stateStart) return null;
  const c = s.charCodeAt(i);
  if (!(c === 58 /* : */ || (c === 32 && s.charCodeAt(i + 1) === 40) /* ' (' */)) return null;
  const state = s.slice(stateStart, i);
  const result = SIMSCAN_STATES[state] ?? 'other';
  return { event: 'scan', time: ctx.time, scanner: 'simscan', result };
};

/**
 * True when a message starts with a qmail-scanner verdict, '{Word}[:{Detail}...]:RC:{n}(' as in
 * 'Clear:RC:0(192.0.2.4):SA:0(...)': sites log it under their own syslog tag as often as under
 * 'qmail-scanner'. Bounded: the verdict word and its details are at most 64 characters.
 */
export function isQmailScannerVerdict(message: string): boolean {
  const c = message.charCodeAt(0);
  if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122))) return false;
  const rc = message.lastIndexOf(':RC:', 64); // looks at the head only: a verdict word comes first
  if (rc <= 0) return false;
  for (let i = 1; i < rc; i++) if (message.charCodeAt(i) === 32) return false;
  const d = message.charCodeAt(rc + 4) - 48;
  return d >= 0 && d <= 9;
}

/**
 * A qmail-scanner line (the message after 'qmail-scanner[pid]: ' or a site's tag): 'Clear' is clean, or
 * spam_passed when SpamAssassin tagged it ('SA:1'); another verdict word with ':RC:' is counted as
 * 'other' (quarantines and policy blocks, whose words vary between versions).
 */
export const parseQmailScanner: ProgramParser = (message, ctx) => {
  const s = message;
  if (!s.startsWith('Clear:')) {
    return isQmailScannerVerdict(s) ? { event: 'scan', time: ctx.time, scanner: 'qmail-scanner', result: 'other' } : null;
  }
  const sa = s.indexOf(':SA:', 6);
  const spam = sa >= 0 && s.charCodeAt(sa + 4) === 49; /* '1' */
  return { event: 'scan', time: ctx.time, scanner: 'qmail-scanner', result: spam ? 'spam_passed' : 'clean' };
};

/** spamd: every line recognised, none counted. */
export const parseSpamd: ProgramParser = (_message, ctx) => ({ event: 'ignored', time: ctx.time, program: 'spamd' });
