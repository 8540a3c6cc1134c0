/**
 * qmail-smtpd lines of the logging patch (sagredo's logit2(), also in eQmail): one line per message
 * decision, '{message} ({reason}): {from} from {ip} to {rcpt} helo {helo}', and the TLS notes. They
 * repeat what the qlog, CHKUSER and tcpserver lines of the same host count, so they are recognised and
 * ignored. Built from logit2()'s format:
 *
 *   message accepted (queued): info@example.org from 203.0.113.9 to bob@example.net helo mail.example.org
 */

/** The logging patch's lines, by their first words: all recognised, none counted. */
export const LOGGING_PATCH_IGNORED_STARTS = [
  'message accepted',
  'message rejected',
  'read failed',
  'reject (',
  'exceeded datasize limit',
  'message too big',
  'SNI provided',
  'SSL error',
] as const;
