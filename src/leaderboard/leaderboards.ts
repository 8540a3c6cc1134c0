/**
 * Bounded abuse leaderboards: exact per-user and per-IP tallies over sliding windows, of which
 * only the top N per board and window are exported, so the exporter has at most
 * boards × windows × N leaderboard series whatever the traffic. What each board counts, the
 * window granularity and the memory bounds: docs/leaderboards.md.
 *
 * Time is the exporter's clock at arrival (`now()`), not the log line's own time: a leaderboard
 * says what the exporter saw recently, and replaying an old log must not look like an attack now.
 */
import { createHmac } from 'node:crypto';
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { MailEvent } from '../events/events.js';
import { Board } from './board.js';
import type { Ranked, WindowSpec } from './board.js';
import { MemoryBudget, SlidingCount, SlidingDistinct } from './sliding.js';
import { BOARD_NAMES, BOARD_KEY_LABELS, BOARD_EXTRA_LABELS, KEY_PART_SEPARATOR, feedBoards, type BoardName } from './boards.js';
import { DEFAULT_RELAY_TRUST, type RelayTrust } from '../events/relay-trust.js';
import { DEFAULT_LOCAL_SENDERS, queueOriginOf, type LocalSenders } from '../events/queue-origin.js';

/** One window: `label` is the `window` label value as the operator wrote it ('24h' stays '24h'). Same shape as config's. */
export interface LeaderboardWindow {
  label: string;
  ms: number;
}

export { BOARD_NAMES, BOARD_KEY_LABELS, type BoardName } from './boards.js';

const BOARD_HELP: Record<BoardName, string> = {
  auth_user_recipients:
    'Recipients accepted from each authenticated SMTP user within the window (top N users only).',
  auth_user_source_ips:
    'Distinct remote IPs each authenticated SMTP user sent from within the window (top N users only).',
  auth_user_sender_mismatches:
    'Recipients accepted from each authenticated SMTP user for a different envelope sender within the window, by reason: same_domain (another address of the login\'s domain) or other_domain (top N user and reason pairs only).',
  relay_denied_ips: 'Recipients refused for relaying to each remote IP within the window (top N IPs only).',
  auth_failure_ips: 'Failed authentications from each remote IP within the window (top N IPs only).',
  auth_failure_users: 'Failed authentications naming each user within the window (top N users only).',
  no_auth_relay_ips:
    'Recipients relayed without authentication (sent_no_auth) for each client IP within the window, source=trusted|untrusted by --qmail.trusted-relay-ips (top N IPs only).',
  local_injection_uids:
    "Messages queued by each local uid (qmail-send 'info msg ... uid U' for a uid other than --qmail.smtp-uids) within the window, user from the passwd database (top N uids only).",
  remote_blocklisting_domains:
    'Remote deliveries refused or deferred as blocklisted or rate_limited, by recipient domain, within the window (top N domains only).',
};

export const DEFAULT_BUCKETS_PER_WINDOW = 60;
export const DEFAULT_MAX_IPS_PER_USER = 1000;
/**
 * What all leaderboards together may hold, in estimated bytes: with the exporter's own baseline
 * it stays well under the 128 MB heap cap of the shipped systemd unit and Docker image whatever
 * the traffic (docs/leaderboards.md has the measurement).
 */
export const DEFAULT_MEMORY_BUDGET_BYTES = 48 * 1024 * 1024;
/** Longer keys are cut to this many characters: longer than any address or IP, and it bounds label size. */
export const MAX_KEY_LENGTH = 256;

export interface LeaderboardOptions {
  /** Sliding windows; the label is the `window` label value (e.g. { label: '5m', ms: 300000 }). */
  windows: LeaderboardWindow[];
  /** Per board: at most this many keys are tracked; the least recently updated is evicted. */
  maxKeys: number;
  /** Top N exported per board and window. */
  size: number;
  /** Replace user names by 'u_' + the first 16 hex digits of HMAC-SHA256(hashKey, user). */
  hashUsers: boolean;
  hashKey: string;
  /** Milliseconds clock read at each observe and scrape; tests drive it by hand. */
  now: () => number;
  /** Buckets per window (granularity = window / buckets). Default 60. */
  bucketsPerWindow?: number;
  /** `auth_user_source_ips`: distinct IPs remembered per user and window; the count saturates there. Default 1000. */
  maxIpsPerUser?: number;
  /** Estimated bytes all boards together may hold (see MemoryBudget). Default DEFAULT_MEMORY_BUDGET_BYTES. */
  memoryBudgetBytes?: number;
  /** `no_auth_relay_ips`' source label (--qmail.trusted-relay-ips) */
  relayTrust?: RelayTrust;
  /** `local_injection_uids`: which uids are qmail-smtpd's (not counted) and each uid's name */
  localSenders?: LocalSenders;
}

export type LeaderboardSnapshot = Record<BoardName, Record<string, Ranked[]>>;

export interface Leaderboards {
  observe(e: MailEvent): void;
  /** Registers the leaderboard gauges and counters; their values are computed at scrape time. */
  register(registry: Registry): void;
  snapshot(): LeaderboardSnapshot;
  stats(): { keys: Record<BoardName, number>; evictions: Record<BoardName, number> };
  /** Estimated bytes all boards hold now (at most the memory budget after each observe). */
  memoryUsed(): number;
}

export function createLeaderboards(opts: LeaderboardOptions): Leaderboards {
  checkOptions(opts);
  const bucketsPerWindow = opts.bucketsPerWindow ?? DEFAULT_BUCKETS_PER_WINDOW;
  const maxIpsPerUser = opts.maxIpsPerUser ?? DEFAULT_MAX_IPS_PER_USER;
  const relayTrust = opts.relayTrust ?? DEFAULT_RELAY_TRUST;
  const localSenders = opts.localSenders ?? DEFAULT_LOCAL_SENDERS;
  const windows: WindowSpec[] = opts.windows.map((w) => ({ label: w.label, ms: w.ms, buckets: bucketsPerWindow }));

  const budget = new MemoryBudget(opts.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES);
  const counting = () => new Board<SlidingCount>(windows, opts.maxKeys, () => new SlidingCount(bucketsPerWindow, budget), budget);
  const boards = {
    auth_user_recipients: counting(),
    auth_user_source_ips: new Board<SlidingDistinct>(windows, opts.maxKeys, () => new SlidingDistinct(bucketsPerWindow, maxIpsPerUser, budget), budget),
    auth_user_sender_mismatches: counting(),
    relay_denied_ips: counting(),
    auth_failure_ips: counting(),
    auth_failure_users: counting(),
    no_auth_relay_ips: counting(),
    local_injection_uids: counting(),
    remote_blocklisting_domains: counting(),
  };
  const allBoards: Record<BoardName, Board<SlidingCount> | Board<SlidingDistinct>> = boards;

  // A wall clock may step back; the tallies assume time never does, so such a step counts as no time passing.
  let latest = -Infinity;
  const clock = (): number => {
    const t = opts.now();
    if (Number.isFinite(t) && t > latest) latest = t;
    return latest === -Infinity ? 0 : latest;
  };

  const userKey = (raw: unknown): string => {
    if (typeof raw !== 'string' || raw === '') return '';
    const user = raw.toLowerCase();
    if (opts.hashUsers) return 'u_' + createHmac('sha256', opts.hashKey).update(user).digest('hex').slice(0, 16);
    return user.length > MAX_KEY_LENGTH ? user.slice(0, MAX_KEY_LENGTH) : user;
  };
  const domainKey = (raw: unknown): string => {
    if (typeof raw !== 'string' || raw === '') return '';
    const domain = raw.toLowerCase();
    return domain.length > MAX_KEY_LENGTH ? domain.slice(0, MAX_KEY_LENGTH) : domain;
  };
  const ipKey = (raw: unknown): string => {
    if (typeof raw !== 'string' || raw === '') return '';
    const ip = raw.toLowerCase();
    return ip.length > MAX_KEY_LENGTH ? ip.slice(0, MAX_KEY_LENGTH) : ip;
  };

  /**
   * Keeps the boards within the memory budget whatever the traffic: while over it, the key updated
   * least recently on any board is forgotten (counted in qmail_leaderboard_evictions_total). The
   * key just updated is the newest of its board, so it goes last.
   */
  const enforceBudget = (): void => {
    while (budget.used > budget.limit) {
      let victim: Board<SlidingCount> | Board<SlidingDistinct> | null = null;
      let oldest = Infinity;
      for (const name of BOARD_NAMES) {
        const t = allBoards[name].oldestUpdate();
        if (t !== null && t < oldest) {
          oldest = t;
          victim = allBoards[name];
        }
      }
      if (victim === null) return;
      victim.evictOldest();
    }
  };
  // Every board update goes through these two, and each ends within the budget.
  const count = (board: Board<SlidingCount>, key: string, now: number): void => {
    const tallies = board.touch(key, now);
    for (let i = 0; i < tallies.length; i++) tallies[i]!.add(board.bucketOf(i, now), 1);
    if (budget.used > budget.limit) enforceBudget();
  };
  const sawIp = (user: string, ip: string, now: number): void => {
    const board = boards.auth_user_source_ips;
    const tallies = board.touch(user, now);
    for (let i = 0; i < tallies.length; i++) tallies[i]!.add(board.bucketOf(i, now), ip);
    if (budget.used > budget.limit) enforceBudget();
  };

  const isLocalInjection = (uid: number): boolean => queueOriginOf(uid, localSenders) === 'local';
  /** One count on one board (which event feeds which board: boards.ts feedBoards). */
  const feed = (board: BoardName, raw: string, detail: string): void => {
    const keyLabel = BOARD_KEY_LABELS[board];
    const key = keyLabel === 'user' ? userKey(raw) : keyLabel === 'domain' ? domainKey(raw) : ipKey(raw);
    if (key === '') return;
    const now = clock();
    if (board === 'auth_user_source_ips') sawIp(key, ipKey(detail), now);
    else if (board === 'auth_user_sender_mismatches') count(boards[board], key + KEY_PART_SEPARATOR + detail, now);
    else count(boards[board], key, now);
  };

  const rankBoard = (name: BoardName): Record<string, Ranked[]> => {
    const ranked = allBoards[name].rank(clock(), opts.size);
    const byWindow: Record<string, Ranked[]> = {};
    windows.forEach((w, i) => (byWindow[w.label] = ranked[i] ?? []));
    return byWindow;
  };

  return {
    observe(e: MailEvent): void {
      feedBoards(e, feed, isLocalInjection);
    },

    register(registry: Registry): void {
      for (const name of BOARD_NAMES) {
        const keyLabel = BOARD_KEY_LABELS[name];
        const extraLabel = BOARD_EXTRA_LABELS[name];
        const extraOf = (key: string): string =>
          extraLabel === 'source' ? relayTrust.sourceOf(key) : extraLabel === 'user' ? localSenders.userOf(Number(key)) : '';
        const composite = extraLabel === 'reason';
        new Gauge({
          name: `qmail_leaderboard_${name}`,
          help: BOARD_HELP[name],
          labelNames: extraLabel === undefined ? ['window', keyLabel] : ['window', keyLabel, extraLabel],
          registers: [registry],
          collect(this: Gauge<string>) {
            // Reset first, so a key that left the top N (or every window) stops being exported.
            this.reset();
            for (const [window, entries] of Object.entries(rankBoard(name))) {
              for (const { key, value } of entries) {
                if (extraLabel === undefined) this.set({ window, [keyLabel]: key }, value);
                else if (composite) {
                  const cut = key.lastIndexOf(KEY_PART_SEPARATOR);
                  this.set({ window, [keyLabel]: key.slice(0, cut), [extraLabel]: key.slice(cut + 1) }, value);
                } else this.set({ window, [keyLabel]: key, [extraLabel]: extraOf(key) }, value);
              }
            }
          },
        });
      }
      // The configured windows, always present: a window with no entries exports no board series,
      // and a check asking for a window that does not exist must be able to tell the two apart.
      const windowSeconds = new Gauge({
        name: 'qmail_leaderboard_window_seconds',
        help: 'Length of each configured leaderboard window (--leaderboard.windows), by its window label.',
        labelNames: ['window'],
        registers: [registry],
      });
      for (const w of windows) windowSeconds.set({ window: w.label }, w.ms / 1000);
      new Gauge({
        name: 'qmail_leaderboard_tracked_keys',
        help: 'Keys (users or IPs) each leaderboard currently tracks; at most the configured maximum.',
        labelNames: ['board'],
        registers: [registry],
        collect(this: Gauge<string>) {
          for (const name of BOARD_NAMES) this.set({ board: name }, allBoards[name].size);
        },
      });
      new Counter({
        name: 'qmail_leaderboard_evictions_total',
        help: 'Keys a leaderboard forgot to stay within its maximum number of keys, although still within a window.',
        labelNames: ['board'],
        registers: [registry],
        collect(this: Counter<string>) {
          this.reset();
          for (const name of BOARD_NAMES) this.inc({ board: name }, allBoards[name].evictions);
        },
      });
    },

    snapshot(): LeaderboardSnapshot {
      const out = {} as LeaderboardSnapshot;
      for (const name of BOARD_NAMES) out[name] = rankBoard(name);
      // two-part keys read 'user (reason)' outside the exposition
      for (const rows of Object.values(out.auth_user_sender_mismatches)) {
        for (const r of rows) r.key = r.key.replace(KEY_PART_SEPARATOR, ' (') + ')';
      }
      return out;
    },

    memoryUsed(): number {
      return budget.used;
    },

    stats() {
      const keys = {} as Record<BoardName, number>;
      const evictions = {} as Record<BoardName, number>;
      for (const name of BOARD_NAMES) {
        keys[name] = allBoards[name].size;
        evictions[name] = allBoards[name].evictions;
      }
      return { keys, evictions };
    },
  };
}

function checkOptions(opts: LeaderboardOptions): void {
  const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
  if (opts.windows.length === 0) throw new RangeError('leaderboards: at least one window is needed');
  const labels = new Set<string>();
  for (const w of opts.windows) {
    if (!(Number.isFinite(w.ms) && w.ms > 0)) throw new RangeError(`leaderboards: window '${w.label}' must last > 0 ms`);
    if (w.label === '' || labels.has(w.label)) throw new RangeError(`leaderboards: window label '${w.label}' empty or repeated`);
    labels.add(w.label);
  }
  if (!positiveInt(opts.maxKeys)) throw new RangeError('leaderboards: maxKeys must be a positive integer');
  if (!positiveInt(opts.size)) throw new RangeError('leaderboards: size must be a positive integer');
  if (opts.bucketsPerWindow !== undefined && !positiveInt(opts.bucketsPerWindow))
    throw new RangeError('leaderboards: bucketsPerWindow must be a positive integer');
  if (opts.maxIpsPerUser !== undefined && !positiveInt(opts.maxIpsPerUser))
    throw new RangeError('leaderboards: maxIpsPerUser must be a positive integer');
  if (opts.hashUsers && opts.hashKey === '') throw new RangeError('leaderboards: hashUsers needs a non-empty hashKey');
}
