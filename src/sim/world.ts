/**
 * The cast of the simulated host: its domains, mailboxes, clients, the MTAs that talk to it and,
 * in the abuse profile, the attackers. Only RFC 5737 addresses and example.* domains are used.
 * Pools are fixed in size, which keeps the truth's leaderboards bounded however long a run is.
 */
import type { Rng } from './prng.js';
import type { Actors } from './truth.js';

export const SERVER_IP = '192.0.2.10';
export const SERVER_NAME = 'mail.example.com';
export const POSTMASTER = 'postmaster@example.com';
/** uid qmail-smtpd runs as (chkuser needs the vpopmail user) and uid of qmail-send's bounces (qmails) */
export const VPOPMAIL_UID = 89;
export const QMAILS_UID = 507;
/** the uids qmail-smtpd runs as on this host (the exporter's --qmail.smtp-uids; 89 is also its default) */
export const SMTP_UIDS: ReadonlySet<number> = new Set([VPOPMAIL_UID]);
/** uid of the web server (apache) whose website is compromised in the abuse profile */
export const WEBSITE_UID = 48;
/** the IP tcp.smtp gives RELAYCLIENT by mistake (a too-wide range): it relays without authentication */
export const OPEN_RELAY_IP = '198.51.100.77';
/**
 * The simulated host's --qmail.sender-aliases file: alice may send as the sales desk. When the
 * simulator runs with senderAliases, alice sends as sales@ now and then (sent_auth_same_user/alias).
 */
export const SENDER_ALIASES_TEXT = '# login              may also send as\nalice@example.com    sales@example.com\n';
export const ALIASED_PAIR = { login: 'alice@example.com', sender: 'sales@example.com' } as const;

/** The simulated host's passwd database, in the shape the exporter reads /etc/passwd into. */
export function simulatedPasswd(): { byUid: ReadonlyMap<number, string>; byName: ReadonlyMap<string, number> } {
  return { byUid: PASSWD, byName: new Map([...PASSWD].map(([uid, name]) => [name, uid])) };
}

/** the simulated host's passwd database: uid → account name */
export const PASSWD: ReadonlyMap<number, string> = new Map([
  [0, 'root'],
  [48, 'apache'],
  [VPOPMAIL_UID, 'vpopmail'],
  [QMAILS_UID, 'qmails'],
]);

export interface MailUser {
  address: string;
  /** the addresses this user's mail client connects from (submission, IMAP) */
  ips: string[];
  /** what the user's mail client says in EHLO */
  helo: string;
}

export interface Mta {
  ip: string;
  helo: string;
  domain: string;
}

export interface World {
  localDomains: string[];
  users: MailUser[];
  /** remote domains recipients are at */
  remoteDomains: string[];
  /** MTAs that deliver inbound mail */
  mtas: Mta[];
  /** IPs listed in the RBL that rblsmtpd consults */
  rblListed: string[];
  /** IPs that tcprules denies on port 25 */
  denied: string[];
  /** IPs scanning IMAP/POP3 without logging in */
  scanners: string[];
  actors: Actors;
}

export const LOCAL_DOMAINS = ['example.com', 'example.org'];
const PEOPLE = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mike', 'nina',
  'oscar', 'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'wendy',
];
const ROLES = ['sales', 'info', 'support', 'billing', 'office'];
const REMOTE_DOMAINS = [
  'example.net', 'example.edu', 'partner.example.net', 'shop.example.net', 'corp.example.edu',
  'news.example.net', 'lists.example.edu', 'supplier.example.net', 'mail.example.edu', 'cloud.example.net',
];
export const REMOTE_NAMES = [
  'john', 'mary', 'orders', 'team', 'noreply', 'newsletter', 'accounts', 'hello', 'jobs', 'press',
  'lisa', 'paul', 'kim', 'lee', 'sam', 'alex', 'chris', 'pat', 'robin', 'jamie',
];
/** local parts that do not exist here: what dictionary spammers and password guessers try */
export const MISSING_NAMES = ['admin', 'test', 'webmaster', 'contact', 'root', 'user', 'mail', 'hr', 'marketing', 'ceo'];
const HIJACKED = 'sales@example.com';

export function createWorld(rng: Rng, abuse: boolean): World {
  const users: MailUser[] = [];
  let clientHost = 20;
  for (const [i, domain] of LOCAL_DOMAINS.entries()) {
    const names = i === 0 ? [...PEOPLE, ...ROLES] : [...PEOPLE.slice(0, 8), ...ROLES.slice(0, 2)];
    for (const name of names) {
      const ips = [`192.0.2.${clientHost++}`];
      if (rng.chance(0.4)) ips.push(`192.0.2.${100 + rng.int(0, 150)}`);
      const helo = rng.chance(0.5) ? `DESKTOP-${rng.int(100000, 999999).toString(36).toUpperCase()}` : `[${ips[0]}]`;
      users.push({ address: `${name}@${domain}`, ips, helo });
    }
  }
  const mtas: Mta[] = [];
  for (let i = 0; i < 120; i++) {
    const d = REMOTE_DOMAINS[i % REMOTE_DOMAINS.length]!;
    mtas.push({ ip: `198.51.100.${41 + i}`, helo: `mx${Math.floor(i / REMOTE_DOMAINS.length) + 1}.${d}`, domain: d });
  }
  const range = (prefix: string, from: number, to: number): string[] => {
    const out: string[] = [];
    for (let i = from; i <= to; i++) out.push(`${prefix}${i}`);
    return out;
  };
  const actors: Actors = abuse
    ? {
        hijackedUser: HIJACKED,
        hijackIps: range('203.0.113.', 100, 147),
        relayBotIps: range('203.0.113.', 11, 16),
        bruteForceIp: '203.0.113.66',
        bruteForcedUsers: [
          'info@example.com', 'sales@example.com', 'support@example.com', 'alice@example.com', 'office@example.org',
          ...MISSING_NAMES.slice(0, 6).map((n) => `${n}@example.com`),
          'admin@example.org', 'test@example.org',
        ],
      }
    : { hijackedUser: '', hijackIps: [], relayBotIps: [], bruteForceIp: '', bruteForcedUsers: [] };
  return {
    localDomains: LOCAL_DOMAINS,
    users,
    remoteDomains: REMOTE_DOMAINS,
    mtas,
    rblListed: range('198.51.100.', 200, 254),
    denied: range('198.51.100.', 190, 199),
    scanners: range('198.51.100.', 170, 189),
    actors,
  };
}
