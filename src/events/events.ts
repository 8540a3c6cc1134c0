/**
 * MailEvent: the meaning of a mail-log line, and the contract between classify/ and metrics/.
 *
 * Every label-bearing field is typed from one of the closed vocabularies below, so a label value
 * can never be an address, a user or an IP. Free-text fields (sender, recipient, user, remote_ip)
 * are carried for `classify` output and for the bounded leaderboards only, never for labels.
 */

/** What happened to one recipient (one RCPT command), from the operator's point of view. */
export const RECIPIENT_CASES = [
  'sent_no_auth', // accepted for relaying without SMTP AUTH: a trusted IP (RELAYCLIENT) or webmail
  'sent_auth_same_user', // accepted, authenticated as the envelope sender
  'sent_auth_different_user', // accepted, authenticated as someone else than the envelope sender: hijack sign
  'rejected_no_auth', // relaying refused, no authentication
  'rejected_auth_failed', // relaying refused although a user was named (ident, AUTH= on MAIL FROM, failed AUTH)
  'inbound_accepted', // recipient in a local domain accepted, not authenticated
  'inbound_rejected', // any other refusal of a recipient; see `reason`
] as const;
export type RecipientCase = (typeof RECIPIENT_CASES)[number];

/**
 * Why a recipient was refused; `none` when it was accepted.
 * Mapping from log text to reason: docs/metrics.md.
 */
export const RECIPIENT_REASONS = [
  'none',
  'relay_denied', // chkuser 'rejected relaying', sagredo not_in_rcpthosts, spamdyke DENIED_RELAYING
  'auth_not_mailfrom', // sagredo FORCEAUTHMAILFROM: authenticated user != MAIL FROM
  'no_mailbox', // chkuser 'not existing recipient', validrcptto, badmailto
  'mailbox_full', // chkuser 'rcpt mailbox is overquota'
  'too_many_recipients', // chkuser 'max number of recipients', spamdyke DENIED_TOO_MANY_RECIPIENTS
  'too_many_invalid_recipients', // chkuser 'max number of invalid recipients'
  'intrusion_threshold', // chkuser 'intrusion threshold' / 'rejected intrusion'
  'invalid_address', // chkuser 'invalid rcpt address format', spamdyke DENIED_UNQUALIFIED_RECIPIENT
  'invalid_domain', // chkuser 'invalid rcpt MX domain'
  'temporary_failure', // chkuser 'temporary DNS problem', 'no auth resource available'
  'must_auth', // chkuser 'must auth', spamdyke DENIED_AUTH_REQUIRED
  'blacklisted', // spamdyke DENIED_RECIPIENT_BLACKLISTED / DENIED_BLACKLIST_*, badmailto
  'rbl', // spamdyke DENIED_RBL_MATCH, qlog rblreject
  'rdns', // spamdyke DENIED_RDNS_*, DENIED_IP_IN_*RDNS
  'greylisted', // spamdyke DENIED_GRAYLISTED
  'policy', // eMPF 'policy forbids transmission'
  'other',
  // sender identity of the sent_auth_* cases (events/recipient-case.ts senderVerdict)
  'alias', // sent_auth_same_user: an allowed pair of --qmail.sender-aliases
  'same_domain', // sent_auth_different_user: the sender is another address of the login's domain
  'other_domain', // sent_auth_different_user: the sender is in another domain (the classic hijack)
] as const;
export type RecipientReason = (typeof RECIPIENT_REASONS)[number];

/** chkuser / qlog sender-phase (MAIL FROM) decisions. */
export const SENDER_RESULTS = ['accepted', 'rejected'] as const;
export type SenderResult = (typeof SENDER_RESULTS)[number];
export const SENDER_REASONS = [
  'none',
  'invalid_address', // chkuser 'invalid sender address format'
  'invalid_domain', // chkuser 'invalid sender MX domain', spamdyke DENIED_SENDER_NO_MX
  'temporary_failure', // chkuser 'temporary DNS problem'
  'must_auth', // chkuser 'must auth' in the MAIL phase
  'blacklisted', // badmailfrom, spamdyke DENIED_SENDER_BLACKLISTED
  'spf', // spf-reject
  'other',
] as const;
export type SenderReason = (typeof SENDER_REASONS)[number];

/**
 * Distinct SMTP listener names (syslog tags, multilog directories, --qmail.listener-map names)
 * before the rest are counted as `other`: a tag is text any local user can write.
 */
export const MAX_LISTENERS = 32;

/**
 * The service an authentication attempt was made against. vchkpw names a service from the local
 * port; a port it has no name for is printed as a number, which becomes the well-known service of
 * that port (25 smtp, 587 submission, 465 smtps, 110 pop3, 995 pop3s, 143 imap, 993 imaps) or
 * `other`: any local user can write any number with `logger`, so numbers never become labels.
 */
export const AUTH_PROTOCOLS = [
  'smtp',
  'submission',
  'smtps',
  'pop3',
  'pop3s',
  'imap',
  'imaps',
  'webmail',
  'managesieve',
  'other',
] as const;
export type AuthProtocol = (typeof AUTH_PROTOCOLS)[number];

export const AUTH_RESULTS = ['success', 'failure'] as const;
export type AuthResult = (typeof AUTH_RESULTS)[number];
export const AUTH_REASONS = [
  'none', // success
  'bad_password', // vchkpw 'password fail', jms1 'AUTH failed', dovecot summary after a mismatch
  'unknown_user', // vchkpw 'vpopmail user not found', jms1 '(unknown user)'
  'empty_credentials', // vchkpw 'null user name given' / 'null password given'
  'invalid_characters', // vchkpw 'invalid user/domain characters'
  'access_denied', // vchkpw '{smtp|pop|imap|webmail} access denied', dovecot '(user disabled)'
  'password_expired', // dovecot '(password expired)'
  'proxy_failed', // dovecot '(proxy dest auth failed)'
  'auth_failed', // a failure whose line does not say why (dovecot '(auth failed, N attempts', qlog authfailed, spamdyke FAILED_AUTH)
] as const;
export type AuthReason = (typeof AUTH_REASONS)[number];

export const DELIVERY_CHANNELS = ['local', 'remote', 'unknown'] as const;
export type DeliveryChannel = (typeof DELIVERY_CHANNELS)[number];
export const DELIVERY_RESULTS = ['success', 'deferral', 'failure'] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];
/** Why a delivery failed or was deferred; `none` for success. Table from report text: docs/metrics.md. */
export const DELIVERY_REASONS = [
  'none',
  'no_mailbox', // Sorry,_no_mailbox_here_by_that_name / remote 550 user unknown
  'mailbox_full', // over quota (local 5.2.2 / remote 552)
  'recipient_rejected', // remote 'does_not_like_recipient' (other than user unknown / full)
  'sender_rejected', // remote 'sender_was_rejected'
  'message_rejected', // remote 'failed_on_DATA_command' / 'failed_after_I_sent_the_message'
  'connection_failed', // 'wasn't_able_to_establish_an_SMTP_connection', 'Connection_refused', timeouts
  'host_not_found', // 'Sorry,_I_couldn't_find_any_host_named' / 'by_that_name'
  'dns_temporary', // 'CNAME_lookup_failed_temporarily', 'couldn't_find_any_host... temporarily'
  'message_too_old', // 'I'm_not_going_to_try_again;_this_message_has_been_in_the_queue_too_long'
  'local_error', // qmail-local temporary errors: 'Unable_to_', 'Uh-oh', disk, quota tools
  'report_mangled', // 'report mangled, will defer'
  // The remote server refused or deferred us for who we are, in its own words (any SMTP stage):
  'blocklisted', // our IP or host is listed or banned (DNSBLs, providers' block lists, poor reputation)
  'rate_limited', // throttled for volume, rate or complaints
  'spam_rejected', // this message judged spam, unsolicited or phishing
  'auth_policy', // refused for failing SPF/DKIM/DMARC
  'other',
] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];

export const BOUNCE_KINDS = ['bounce', 'triple_bounce_discarded'] as const;
export type BounceKind = (typeof BOUNCE_KINDS)[number];

export const SEND_CHANNELS = ['local', 'remote'] as const;
export type SendChannel = (typeof SEND_CHANNELS)[number];

export const CONNECTION_RESULTS = ['accepted', 'denied'] as const;
export type ConnectionResult = (typeof CONNECTION_RESULTS)[number];

/** rblsmtpd's SMTP code; `unknown` for patched forms that print none. */
export const RBL_CODES = ['451', '553', '421', '554', 'unknown'] as const;
export type RblCode = (typeof RBL_CODES)[number];

export const SCANNERS = ['simscan', 'qmail-scanner'] as const;
export type Scanner = (typeof SCANNERS)[number];
export const SCAN_RESULTS = [
  'clean',
  'spam_passed',
  'spam_rejected',
  'spam_dropped',
  'virus_rejected',
  'virus_dropped',
  'attachment_rejected',
  'regex_rejected',
  'passthru',
  'relayclient',
  'other',
] as const;
export type ScanResult = (typeof SCAN_RESULTS)[number];

/** How each input line was accounted for (`qmail_exporter_log_lines_total{result}`). */
export const LINE_RESULTS = ['counted', 'ignored', 'unrecognised', 'foreign'] as const;
export type LineResult = (typeof LINE_RESULTS)[number];

// ---------------------------------------------------------------------------------------------
// Events. `time` is the line's own time in Unix seconds (null when the line carries none).

interface Base {
  time: number | null;
}

export interface SmtpRecipientEvent extends Base {
  event: 'smtp.recipient';
  case: RecipientCase;
  reason: RecipientReason;
  listener: string;
  sender: string;
  auth_user: string; // '' when not authenticated
  remote_ip: string;
  recipient: string;
}
export interface SmtpSenderEvent extends Base {
  event: 'smtp.sender';
  result: SenderResult;
  reason: SenderReason;
  listener: string;
  sender: string;
  remote_ip: string;
}
export interface AuthEvent extends Base {
  event: 'auth';
  protocol: AuthProtocol;
  result: AuthResult;
  reason: AuthReason;
  user: string; // '' when the line names none
  remote_ip: string; // '' when the line names none
}
export interface QueueNewEvent extends Base {
  event: 'queue.new';
  msg: number;
}
export interface QueueInfoEvent extends Base {
  event: 'queue.info';
  msg: number;
  bytes: number;
  sender: string;
  qp: number;
  uid: number;
}
export interface QueueEndEvent extends Base {
  event: 'queue.end';
  msg: number;
  /** seconds from this message's 'new msg' line, when that line was seen */
  duration_seconds: number | null;
}
export interface QueueBounceEvent extends Base {
  event: 'queue.bounce';
  kind: BounceKind;
  msg: number;
}
export interface DeliveryStartEvent extends Base {
  event: 'delivery.start';
  delivery: number;
  msg: number;
  channel: SendChannel;
  recipient: string;
}
export interface DeliveryResultEvent extends Base {
  event: 'delivery.result';
  delivery: number;
  result: DeliveryResult;
  reason: DeliveryReason;
  channel: DeliveryChannel;
  /**
   * The recipient domain of a remote delivery, from its 'starting delivery' line (lower-case); null
   * for a local delivery or when that line was not seen. Only the bounded leaderboards use it.
   */
  domain: string | null;
}
export interface SendStatusEvent extends Base {
  event: 'send.status';
  local: number;
  local_limit: number;
  remote: number;
  remote_limit: number;
}
export interface ConnectionOpenEvent extends Base {
  event: 'connection.open';
  listener: string;
  pid: number;
  remote_ip: string;
}
interface ConnectionDecisionFields extends Base {
  listener: string;
  pid: number;
  remote_ip: string;
  local_port: string;
}
export interface ConnectionAcceptedEvent extends ConnectionDecisionFields {
  event: 'connection.accepted';
}
export interface ConnectionDeniedEvent extends ConnectionDecisionFields {
  event: 'connection.denied';
}
/** tcpserver 'ok' (accepted) or 'deny' (tcprules refused) lines. */
export type ConnectionDecisionEvent = ConnectionAcceptedEvent | ConnectionDeniedEvent;
export interface ConnectionEndEvent extends Base {
  event: 'connection.end';
  listener: string;
  pid: number;
  status: number;
}
export interface ConnectionStatusEvent extends Base {
  event: 'connection.status';
  listener: string;
  active: number;
  limit: number;
}
export interface RblRejectEvent extends Base {
  event: 'rbl.reject';
  listener: string;
  remote_ip: string;
  code: RblCode;
}
export interface SmtpQueuedEvent extends Base {
  event: 'smtp.queued';
  listener: string;
  sender: string;
  qp: number;
}
export interface ScanEvent extends Base {
  event: 'scan';
  scanner: Scanner;
  result: ScanResult;
}
export interface IgnoredEvent extends Base {
  event: 'ignored';
  program: string;
}
export interface UnrecognisedEvent extends Base {
  event: 'unrecognised';
  program: string; // '' when the line had no envelope and no known first word
}
export interface ForeignEvent extends Base {
  event: 'foreign';
  program: string;
}

export type MailEvent =
  | SmtpRecipientEvent
  | SmtpSenderEvent
  | AuthEvent
  | QueueNewEvent
  | QueueInfoEvent
  | QueueEndEvent
  | QueueBounceEvent
  | DeliveryStartEvent
  | DeliveryResultEvent
  | SendStatusEvent
  | ConnectionOpenEvent
  | ConnectionDecisionEvent
  | ConnectionEndEvent
  | ConnectionStatusEvent
  | RblRejectEvent
  | SmtpQueuedEvent
  | ScanEvent
  | IgnoredEvent
  | UnrecognisedEvent
  | ForeignEvent;

export type MailEventName = MailEvent['event'];

/** Every event name, at run time (for validation, tests and help); checked against MailEvent below. */
export const MAIL_EVENT_NAMES = [
  'smtp.recipient',
  'smtp.sender',
  'auth',
  'queue.new',
  'queue.info',
  'queue.end',
  'queue.bounce',
  'delivery.start',
  'delivery.result',
  'send.status',
  'connection.open',
  'connection.accepted',
  'connection.denied',
  'connection.end',
  'connection.status',
  'rbl.reject',
  'smtp.queued',
  'scan',
  'ignored',
  'unrecognised',
  'foreign',
] as const satisfies readonly MailEventName[];
// A compile error here names an event missing from MAIL_EVENT_NAMES.
const everyEventNamed: Exclude<MailEventName, (typeof MAIL_EVENT_NAMES)[number]> extends never ? true : never = true;
void everyEventNamed;
