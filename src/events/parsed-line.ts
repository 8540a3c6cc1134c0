/**
 * Types at the parse seam. Parsers are pure: they read text and return values, never throw,
 * never read the clock or the file system.
 */
import type { MailEvent } from './events.js';
import type { SenderIdentity } from './recipient-case.js';

/** The outer envelope of one log line: who wrote it and when. */
export interface Envelope {
  /** Unix time in seconds (fractional), or null when the line carries no time. */
  time: number | null;
  /** syslog host, or null (multilog, bare lines, dovecot log_path files). */
  host: string | null;
  /** syslog tag without '[pid]' (e.g. 'qmail', 'smtp-mx', 'vpopmail', 'dovecot', 'imap-login'), or null. */
  tag: string | null;
  /** the pid in 'tag[pid]:', or null. */
  pid: number | null;
  /** the text after the envelope and after splogger's 'sec.usec ' stamp. */
  message: string;
  /** true for a splogger continuation record ('sec.usec+rest'): the tail of an over-long line. */
  continuation: boolean;
}

/** What the caller knows about where a line came from. */
export interface LineContext {
  /**
   * Unix seconds used to give a year to syslog lines that have none ('Mmm dd hh:mm:ss'):
   * the line is placed in the year that puts it closest before (or at most a day after) this time.
   * Live following passes the current time; archived files pass their name's date or mtime.
   */
  referenceTime: number;
  /**
   * The time of the stream's previous dated line, when known (the classifier keeps it per stream, and
   * a file's reader may seed it with the first exact stamp of the file's head): a year-less time then
   * takes the year that puts it NEAREST this time, never later than referenceTime plus a day. One
   * file is one stretch of time, so its year-less lines follow the stamped ones around them.
   */
  yearAnchor?: number | null;
  /**
   * Listener name for lines without a syslog tag, from the multilog directory
   * ('/var/log/qmail/smtpd/current' → 'smtpd'); null when unknown.
   */
  listenerHint: string | null;
}

/** Context handed to a program parser that maps its lines straight to events. */
export interface ProgramContext {
  /** the line's time (Unix seconds) or null */
  time: number | null;
  /** SMTP listener name: the syslog tag mapped through --qmail.listener-map, or the multilog directory name */
  listener: string;
  /** how logins and envelope senders are compared (injected); the default rule when absent */
  identity?: SenderIdentity;
}

/**
 * A parser for a program whose lines carry their whole meaning (no state needed).
 * Returns the event, an `ignored` event for a known line with nothing to count,
 * or null when the message is not a line of this program (the caller counts it unrecognised).
 */
export type ProgramParser = (message: string, ctx: ProgramContext) => MailEvent | null;
