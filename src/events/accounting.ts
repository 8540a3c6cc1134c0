/**
 * Line accounting: every line read is `counted`, `ignored`, `unrecognised` or `foreign`
 * (`qmail_exporter_log_lines_total{result}`), and this file is the one place that says which.
 *
 * - A line whose event is `ignored`, `unrecognised` or `foreign` is accounted as that event says.
 * - Any other event counts.
 * - Two kinds of qmail lines carry records whose events come later, from state: qmail-send lines
 *   count except its notices and 'exiting' (recognised, nothing to count); eMPF `policy_check`
 *   lines count when they name an authenticated sender (the recipient is counted at 'mail recv')
 *   and when they refuse, and are ignored otherwise.
 *
 * The classifier applies the rule to every line, the dispatcher uses it to tell a qmail line under
 * an unknown syslog tag from a foreign one, and the held splogger records are accounted by it before
 * their events are known. Two outcomes depend on state and are decided in the classifier on top of
 * this rule: sagredo's qlogenvelope twin of a CHKUSER line is ignored, and an eMPF refusal with no
 * policy_check before it is ignored.
 */
import type { ForeignEvent, IgnoredEvent, LineResult, MailEvent, UnrecognisedEvent } from './events.js';

/** The events that are a line's accounting rather than something that happened. */
export const ACCOUNTING_EVENT_NAMES = ['ignored', 'unrecognised', 'foreign'] as const satisfies readonly LineResult[];
export type AccountingEvent = IgnoredEvent | UnrecognisedEvent | ForeignEvent;

/** qmail-send record types that are recognised but count nothing. */
export const UNCOUNTED_QMAIL_SEND_RECORDS = ['notice', 'exiting'] as const;
/** eMPF record types that count (a `check` only when authenticated). */
export const COUNTED_POLICY_RECORDS = ['forbids', 'sender-not-authenticated'] as const;

/**
 * A parsed line as far as accounting needs it. parse/dispatch.ts's ParsedLine fits this shape; it is
 * written out here so the vocabulary does not import the parsers.
 */
export type AccountedLine =
  | { kind: 'event'; event: MailEvent }
  | { kind: 'qmail-send'; record: { type: string } }
  | { kind: 'policy'; record: { type: string; authenticated?: boolean } }
  | { kind: 'mail-recv' };

export function isAccountingEvent(e: MailEvent): e is AccountingEvent {
  return e.event === 'ignored' || e.event === 'unrecognised' || e.event === 'foreign';
}

/** The accounting of a line: from its event, or from its parsed form (see the rule above). */
export function accountingOf(line: MailEvent | AccountedLine): LineResult {
  // A MailEvent's `event` is its name; an AccountedLine's `event`, when it has one, is an object.
  if (typeof (line as { event?: unknown }).event === 'string') {
    const e = line as MailEvent;
    return isAccountingEvent(e) ? e.event : 'counted';
  }
  const p = line as AccountedLine;
  switch (p.kind) {
    case 'event':
      return isAccountingEvent(p.event) ? p.event.event : 'counted';
    case 'qmail-send':
      return (UNCOUNTED_QMAIL_SEND_RECORDS as readonly string[]).includes(p.record.type) ? 'ignored' : 'counted';
    case 'policy':
      return (p.record.type === 'check' && p.record.authenticated === true) || (COUNTED_POLICY_RECORDS as readonly string[]).includes(p.record.type)
        ? 'counted'
        : 'ignored';
    case 'mail-recv':
      return 'counted';
  }
}

/**
 * One line's classification. `events` lists, first, the events of earlier lines that this line
 * resolved (a held splogger record released or rejoined, eMPF recipients paired at 'mail recv'), in
 * the order those lines were read, and last this line's own event when it has one; so
 * `accountingOf(last event) === result` whenever the line has an event of its own. A counted line
 * with no event of its own (an authenticated policy_check recipient, a splogger record that may be
 * continued) gets its event with a later line or at flush(), or never (a recipient whose message was
 * not queued, counted in the classifier's stats().droppedPolicy).
 */
export interface Classification {
  /** this line's accounting */
  result: LineResult;
  events: MailEvent[];
}
