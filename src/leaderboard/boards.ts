/**
 * The leaderboards and the label naming each one's key. Kept apart from leaderboards.ts (which
 * needs prom-client) so the simulator shares the names without loading it. (The Nagios plugin keeps
 * its own copy on purpose: it knows the exporter only through its HTTP exposition.)
 */
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
