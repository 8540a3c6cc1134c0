/**
 * What the envelope readers know beyond the public `Envelope`: which format the line was in (the
 * listener rule and the splogger rejoin depend on it) and whether a splogger stamp was present.
 */
import type { Envelope } from '../../events/parsed-line.js';

export type EnvelopeFormat =
  | 'syslog' // 'Mmm dd hh:mm:ss host tag[pid]: '
  | 'syslog-hostless' // dovecot log_path files: 'Mmm dd hh:mm:ss tag: '
  | 'rfc3339' // '2026-05-01T10:00:00.123456+02:00 host tag[pid]: '
  | 'tai64n' // multilog t: '@4000000038c3eeb104a6ecf4 '
  | 'tai64n-local' // tai64nlocal / readable_datetime patch / dovecot: 'YYYY-MM-DD HH:MM:SS[.nnnnnnnnn] '
  | 'ctime' // multilog localtime patch: 'Sat Dec 19 03:02:51 2009  '
  | 'bare'; // no time prefix (multilog without t, stderr, or splogger stamps alone)

export interface EnvelopeDetail extends Envelope {
  format: EnvelopeFormat;
  /** a splogger 'sec.usec' stamp (or QMailToaster's stamp-less '+' continuation) was read */
  stamped: boolean;
}

/** True for formats whose tag was chosen by the site's logger (syslog), not printed by the program. */
export function isSyslogFormat(format: EnvelopeFormat): boolean {
  return format === 'syslog' || format === 'rfc3339';
}
