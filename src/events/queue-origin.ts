/**
 * Where a queued message came from, by the uid qmail-send's 'info msg N: ... uid U' line names: the
 * uid of the process that ran qmail-queue. qmail-smtpd runs as one known uid (qmaild on stock qmail,
 * vpopmail on vpopmail/QMailToaster hosts: --qmail.smtp-uids); any other uid injected the message
 * locally (sendmail/qmail-inject from a website's PHP mail(), cron, scripts; qmail-send's own bounces
 * under qmails; forwards by qmail-local under the delivering user).
 */
export const QUEUE_ORIGINS = ['smtp', 'local'] as const;
export type QueueOrigin = (typeof QUEUE_ORIGINS)[number];

export interface LocalSenders {
  /** the uids qmail-smtpd runs as */
  readonly smtpUids: ReadonlySet<number>;
  /** the account name of a uid from the passwd database, '' when unknown */
  userOf(uid: number): string;
}

export function queueOriginOf(uid: number, senders: LocalSenders): QueueOrigin {
  return senders.smtpUids.has(uid) ? 'smtp' : 'local';
}

/** Without configuration: vpopmail's conventional uid 89, no passwd names. */
export const DEFAULT_LOCAL_SENDERS: LocalSenders = { smtpUids: new Set([89]), userOf: () => '' };
