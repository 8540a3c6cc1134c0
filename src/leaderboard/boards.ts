/**
 * The leaderboards and the label naming each one's key. Kept apart from leaderboards.ts (which
 * needs prom-client) so the simulator shares the names without loading it. (The Nagios plugin keeps
 * its own copy on purpose: it knows the exporter only through its HTTP exposition.)
 */
import type { MailEvent } from '../events/events.js';

export const BOARD_NAMES = [
  'auth_user_recipients',
  'auth_user_source_ips',
  'auth_user_sender_mismatches',
  'relay_denied_ips',
  'auth_failure_ips',
  'auth_failure_users',
  'no_auth_relay_ips',
  'local_injection_uids',
  'remote_blocklisting_domains',
] as const;
export type BoardName = (typeof BOARD_NAMES)[number];

/** The label naming a board's key. */
export const BOARD_KEY_LABELS: Record<BoardName, 'user' | 'ip' | 'uid' | 'domain'> = {
  auth_user_recipients: 'user',
  auth_user_source_ips: 'user',
  auth_user_sender_mismatches: 'user',
  relay_denied_ips: 'ip',
  auth_failure_ips: 'ip',
  auth_failure_users: 'user',
  no_auth_relay_ips: 'ip',
  local_injection_uids: 'uid',
  remote_blocklisting_domains: 'domain',
};

/**
 * Labels a board's series carry besides `window` and the key, each a function of the key: the trust
 * of a relaying IP (trusted|untrusted), the passwd name of an injecting uid ('' when unknown).
 */
export const BOARD_EXTRA_LABELS: Partial<Record<BoardName, 'source' | 'user' | 'reason'>> = {
  no_auth_relay_ips: 'source',
  local_injection_uids: 'user',
  auth_user_sender_mismatches: 'reason',
};

/**
 * Boards whose key holds two parts, `key + KEY_PART_SEPARATOR + extra`: the mismatches of one user
 * are counted apart per reason (same_domain, other_domain), so that an alert can tell a shared office
 * from a hijack and still name the account. No log field can hold a newline.
 */
export const KEY_PART_SEPARATOR = '\n';

/**
 * Which event feeds which board, and under which key: the one rule the live leaderboards and
 * `report`'s top tables both follow. Keys are as the log wrote them, lower-cased (user names, domains
 * and IPv6 addresses compare without case); hashing, two-part keys and length caps are the boards'
 * business. `feed(board, key, detail)` is called once per board the event counts on; `detail` is the
 * sending IP for auth_user_source_ips, the reason (same_domain, other_domain) for
 * auth_user_sender_mismatches, and '' otherwise. `isLocalInjection(uid)` says whether a queued
 * message's uid injected it locally (events/queue-origin.ts).
 */
export function feedBoards(
  e: MailEvent,
  feed: (board: BoardName, key: string, detail: string) => void,
  isLocalInjection: (uid: number) => boolean,
): void {
  switch (e.event) {
    case 'smtp.recipient':
      switch (e.case) {
        case 'sent_auth_same_user':
        case 'sent_auth_different_user': {
          if (e.auth_user === '') return;
          const user = e.auth_user.toLowerCase();
          feed('auth_user_recipients', user, '');
          if (e.remote_ip !== '') feed('auth_user_source_ips', user, e.remote_ip.toLowerCase());
          if (e.case === 'sent_auth_different_user') feed('auth_user_sender_mismatches', user, e.reason);
          return;
        }
        case 'rejected_no_auth':
        case 'rejected_auth_failed':
          if (e.remote_ip !== '') feed('relay_denied_ips', e.remote_ip.toLowerCase(), '');
          return;
        case 'sent_no_auth':
          if (e.remote_ip !== '') feed('no_auth_relay_ips', e.remote_ip.toLowerCase(), '');
          return;
        default:
          return;
      }
    case 'queue.info':
      if (isLocalInjection(e.uid)) feed('local_injection_uids', String(e.uid), '');
      return;
    case 'delivery.result':
      // Who refuses us: the recipient's provider said our host is listed or throttled.
      if (e.channel === 'remote' && (e.reason === 'blocklisted' || e.reason === 'rate_limited') && e.domain !== null && e.domain !== '') {
        feed('remote_blocklisting_domains', e.domain.toLowerCase(), '');
      }
      return;
    case 'auth':
      if (e.result !== 'failure') return;
      if (e.remote_ip !== '') feed('auth_failure_ips', e.remote_ip.toLowerCase(), '');
      if (e.user !== '') feed('auth_failure_users', e.user.toLowerCase(), '');
      return;
    default:
      return;
  }
}
