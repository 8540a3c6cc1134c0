/**
 * Why a qmail delivery failed or was deferred, from qmail-send's report text (qmail-remote's and
 * qmail-local's messages after logsafe(): spaces are '_', newlines '/'). The table is documented in
 * docs/metrics.md, section "Delivery reasons"; keep the two in step.
 *
 *   Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/                                  → no_mailbox
 *   213.242.147.30_does_not_like_recipient./Remote_host_said:_550_Unknown_local_part_... → no_mailbox
 *
 * Rules are tried in order; the first that matches wins. Reputation reasons (blocklisted,
 * rate_limited, spam_rejected, auth_policy) come from src/classify/reputation-reasons.ts and are
 * decided before the SMTP stage is looked at. Only the remote server's own words (after
 * 'Remote_host_said:') are searched for user-unknown / quota wording, so an IP such as 195.1.1.7 in
 * the report cannot look like a '5.1.1' status code.
 */
import type { DeliveryReason, DeliveryResult } from '../events/events.js';
import { classifyReputation } from './reputation-reasons.js';

const REMOTE_SAID = 'Remote_host_said:';

const NO_MAILBOX_WORDS = [
  '5.1.1',
  'user_unknown',
  'unknown_user',
  'no_such_user',
  'user_not_found',
  'unknown_recipient',
  'recipient_unknown',
  'unknown_local_part',
  'no_such_recipient',
  'no_mailbox',
  'mailbox_unavailable',
  'mailbox_not_found',
  'does_not_exist',
  'invalid_recipient',
];

const MAILBOX_FULL_WORDS = ['5.2.2', 'quota', 'mailbox_full', 'mailbox_is_full', 'insufficient_storage', 'over_the_limit'];

function containsAny(haystack: string, words: readonly string[]): boolean {
  for (const w of words) if (haystack.includes(w)) return true;
  return false;
}

/**
 * The remote server's reply in a qmail-remote report, lower-cased ('' when there is none), without
 * qmail-remote's closing 'Giving_up_on_{ip}.' (the IP could look like a status code).
 */
function remoteReply(report: string): string {
  const at = report.indexOf(REMOTE_SAID);
  if (at < 0) return '';
  const givingUp = report.indexOf('/Giving_up_on_', at);
  return report.slice(at + REMOTE_SAID.length, givingUp < 0 ? report.length : givingUp).toLowerCase();
}

/** A refused recipient: user unknown, mailbox full, or another refusal. */
function recipientReason(report: string): DeliveryReason {
  const reply = remoteReply(report);
  if (containsAny(reply, NO_MAILBOX_WORDS)) return 'no_mailbox';
  if (reply.startsWith('_552') || containsAny(reply, MAILBOX_FULL_WORDS)) return 'mailbox_full';
  return 'recipient_rejected';
}

/**
 * The reason for one 'delivery N:' result. `mangled` is qmail-send's 'report mangled, will defer'.
 * Success is always 'none'.
 */
export function classifyDeliveryReason(result: DeliveryResult, report: string, mangled = false): DeliveryReason {
  if (mangled) return 'report_mangled';
  if (result === 'success') return 'none';
  if (report.includes('this_message_has_been_in_the_queue_too_long')) return 'message_too_old';
  // The remote server's words decide first when they say we are listed, throttled, judged spam or
  // unauthenticated, whichever SMTP stage they came in (a greeting refusal is not a connection failure).
  const reputation = classifyReputation(remoteReply(report));
  if (reputation !== null) return reputation;
  if (report.includes('Sorry,_no_mailbox_here_by_that_name')) return 'no_mailbox';
  if (report.includes('_does_not_like_recipient.')) return recipientReason(report);
  if (report.includes('_but_sender_was_rejected')) return 'sender_rejected';
  if (report.includes('_failed_on_DATA_command') || report.includes('_failed_after_I_sent_the_message')) {
    return 'message_rejected';
  }
  if (
    report.includes("wasn't_able_to_establish_an_SMTP_connection") ||
    report.includes('_but_connection_died') ||
    report.includes('_but_greeting_failed')
  ) {
    return 'connection_failed';
  }
  if (report.includes('CNAME_lookup_failed_temporarily')) return 'dns_temporary';
  if (report.includes("couldn't_find_any_host") || report.includes("couldn't_find_a_mail_exchanger")) {
    // qmail-remote: '...by_that_name._(#4.1.2)' and '...mail_exchanger_or_IP_address._(#4.4.1)' are
    // temporary (deferral); '...host_named_x._(#5.1.2)' and '(#5.4.4)' are permanent.
    return result === 'deferral' ? 'dns_temporary' : 'host_not_found';
  }
  const lower = report.toLowerCase();
  if (containsAny(lower, MAILBOX_FULL_WORDS) || lower.includes('(#4.2.2)')) return 'mailbox_full';
  if (
    !report.includes(REMOTE_SAID) &&
    (report.includes('Unable_to_') ||
      report.includes('Uh-oh') ||
      report.includes('Temporary_error') ||
      report.includes('System_resources_temporarily_unavailable'))
  ) {
    return 'local_error';
  }
  if (lower.includes('connection_refused') || lower.includes('timed_out') || lower.includes('timeout')) {
    return 'connection_failed';
  }
  return 'other';
}
