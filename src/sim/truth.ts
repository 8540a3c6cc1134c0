/**
 * The simulator's ground truth: what an exporter that reads the simulated log must report.
 * It is aggregated as lines are handed out (never kept per line), so memory does not grow with
 * the number of lines: series are few, `hourly` grows by one row per hour of log time, and the
 * leaderboards are bounded by the simulated host's fixed pools of users and IPs.
 */
import type { LineResult } from '../events/events.js';
import { LINE_RESULTS } from '../events/events.js';
import { seriesKey } from '../metrics/series-key.js';
import { BOARD_NAMES, type BoardName } from '../leaderboard/boards.js';

/** The boards the truth keeps exact all-time totals for: the exporter's leaderboards. */
export const LEADERBOARD_NAMES = BOARD_NAMES;
export type LeaderboardName = BoardName;

export interface Actors {
  /** the account whose password was stolen ('' in the clean profile) */
  hijackedUser: string;
  /** the pool of IPs the hijacker authenticates from */
  hijackIps: string[];
  /** IPs of the bots fishing for an open relay */
  relayBotIps: string[];
  /** the IP guessing passwords ('' in the clean profile) */
  bruteForceIp: string;
  /** every user name the password guesser tries */
  bruteForcedUsers: string[];
}

export interface Truth {
  lines: number;
  lineResults: Record<LineResult, number>;
  /** seriesKey(name, labels) → value, every counter series that is non-zero */
  counters: Record<string, number>;
  /** seriesKey(name, labels) → last value */
  gauges: Record<string, number>;
  /** metric name → count and sum of the observations */
  histograms: Record<string, { count: number; sum: number }>;
  /**
   * Unix seconds of the last line, as written in it: the splogger stamp (microseconds) for
   * qmail/smtp/submission lines, the whole syslog second for the others. 0 before any line.
   */
  lastLineTime: number;
  /** unix hour start → seriesKey → counter increments during that hour (by the line's own time) */
  hourly: Record<number, Record<string, number>>;
  actors: Actors;
  /** exact all-time totals per leaderboard, key (lower-case user or IP) → value */
  leaderboards: Record<LeaderboardName, Record<string, number>>;
}

export const HISTOGRAM_NAMES = ['qmail_queue_message_size_bytes', 'qmail_queue_message_duration_seconds'] as const;
export type HistogramName = (typeof HISTOGRAM_NAMES)[number];

const LINE_RESULT_INDEX: Record<LineResult, number> = { counted: 0, ignored: 1, unrecognised: 2, foreign: 3 };
export const RESULT_COUNTED = LINE_RESULT_INDEX.counted;
export const RESULT_IGNORED = LINE_RESULT_INDEX.ignored;
export const RESULT_FOREIGN = LINE_RESULT_INDEX.foreign;

/** Accumulates the truth; series are numbered so that the per-line work is array arithmetic. */
export class TruthBuilder {
  private readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();
  private counters = new Float64Array(64);
  private readonly hourly = new Map<number, Float64Array>();
  private hourStart = Number.NaN;
  private hourRow: Float64Array = new Float64Array(0);
  private readonly lineSeries: number[];
  private readonly lineResults = [0, 0, 0, 0];
  private readonly gaugeKeys: string[] = [];
  private readonly gaugeIds = new Map<string, number>();
  private readonly gaugeValues: number[] = [];
  private readonly gaugeSeen: boolean[] = [];
  private readonly histograms = new Map<HistogramName, { count: number; sum: number }>();
  private durationSumUs = 0;
  private readonly boards = new Map<LeaderboardName, Map<string, number>>();
  private readonly sourceIps = new Map<string, Set<string>>();
  lines = 0;
  lastLineTime = 0;

  constructor(readonly actors: Actors) {
    this.lineSeries = LINE_RESULTS.map((result) => this.series('qmail_exporter_log_lines_total', { result }));
    for (const name of HISTOGRAM_NAMES) this.histograms.set(name, { count: 0, sum: 0 });
    for (const name of LEADERBOARD_NAMES) if (name !== 'auth_user_source_ips') this.boards.set(name, new Map());
  }

  /** The number of a counter series; call once per series and keep the number. */
  series(name: string, labels: Readonly<Record<string, string>> = {}): number {
    const key = seriesKey(name, labels);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.keys.push(key);
      this.ids.set(key, id);
      if (id >= this.counters.length) this.counters = grow(this.counters, id + 1);
      if (this.hourRow.length < this.counters.length && !Number.isNaN(this.hourStart)) {
        this.hourRow = grow(this.hourRow, this.counters.length);
        this.hourly.set(this.hourStart, this.hourRow);
      }
    }
    return id;
  }

  /** Account one handed-out line: its result, at most one counter series, at time `time` (unix s). */
  line(result: number, counter: number, time: number): void {
    this.lines++;
    this.lineResults[result]!++;
    this.lastLineTime = time;
    const hour = Math.floor(time / 3600) * 3600;
    if (hour !== this.hourStart) this.enterHour(hour);
    const ls = this.lineSeries[result]!;
    this.counters[ls]!++;
    this.hourRow[ls]!++;
    if (counter >= 0) {
      this.counters[counter]!++;
      this.hourRow[counter]!++;
    }
  }

  /** An extra counter increment for the line just accounted. */
  inc(counter: number): void {
    this.counters[counter]!++;
    this.hourRow[counter]!++;
  }

  /** The number of a gauge series; call once per series and keep the number. */
  gaugeSeries(name: string, labels: Readonly<Record<string, string>> = {}): number {
    const key = seriesKey(name, labels);
    let id = this.gaugeIds.get(key);
    if (id === undefined) {
      id = this.gaugeKeys.length;
      this.gaugeKeys.push(key);
      this.gaugeIds.set(key, id);
      this.gaugeValues.push(0);
      this.gaugeSeen.push(false);
    }
    return id;
  }

  gauge(id: number, value: number): void {
    this.gaugeValues[id] = value;
    this.gaugeSeen[id] = true;
  }

  observeSize(bytes: number): void {
    const h = this.histograms.get('qmail_queue_message_size_bytes')!;
    h.count++;
    h.sum += bytes;
  }

  /** Durations are summed in whole microseconds so the sum is exact. */
  observeDurationUs(us: number): void {
    this.histograms.get('qmail_queue_message_duration_seconds')!.count++;
    this.durationSumUs += us;
  }

  /** A recipient accepted for an authenticated user (sent_auth_same_user / sent_auth_different_user). */
  authRecipient(user: string, ip: string, mismatch: boolean): void {
    const u = user.toLowerCase();
    bump(this.boards.get('auth_user_recipients')!, u);
    let ips = this.sourceIps.get(u);
    if (!ips) this.sourceIps.set(u, (ips = new Set()));
    ips.add(ip.toLowerCase());
    if (mismatch) bump(this.boards.get('auth_user_sender_mismatches')!, u);
  }

  /** A recipient relayed without authentication (sent_no_auth) for client `ip`. */
  noAuthRelay(ip: string): void {
    bump(this.boards.get('no_auth_relay_ips')!, ip.toLowerCase());
  }

  /** A message queued by a uid that is not qmail-smtpd's. */
  localInjection(uid: number): void {
    bump(this.boards.get('local_injection_uids')!, String(uid));
  }

  relayDenied(ip: string): void {
    bump(this.boards.get('relay_denied_ips')!, ip.toLowerCase());
  }

  authFailure(user: string, ip: string): void {
    if (ip !== '') bump(this.boards.get('auth_failure_ips')!, ip.toLowerCase());
    if (user !== '') bump(this.boards.get('auth_failure_users')!, user.toLowerCase());
  }

  /** A remote delivery to `domain` refused or deferred as blocklisted or rate_limited. */
  refusedBy(domain: string): void {
    bump(this.boards.get('remote_blocklisting_domains')!, domain.toLowerCase());
  }

  snapshot(): Truth {
    const counters: Record<string, number> = {};
    for (let i = 0; i < this.keys.length; i++) if (this.counters[i] !== 0) counters[this.keys[i]!] = this.counters[i]!;
    const hourly: Record<number, Record<string, number>> = {};
    for (const [hour, row] of this.hourly) {
      const rec: Record<string, number> = {};
      for (let i = 0; i < this.keys.length && i < row.length; i++) if (row[i] !== 0) rec[this.keys[i]!] = row[i]!;
      hourly[hour] = rec;
    }
    const lineResults = {} as Record<LineResult, number>;
    for (const r of LINE_RESULTS) lineResults[r] = this.lineResults[LINE_RESULT_INDEX[r]]!;
    const histograms: Record<string, { count: number; sum: number }> = {};
    for (const [name, h] of this.histograms) histograms[name] = { ...h };
    histograms.qmail_queue_message_duration_seconds!.sum = this.durationSumUs / 1e6;
    const leaderboards = {} as Record<LeaderboardName, Record<string, number>>;
    for (const name of LEADERBOARD_NAMES) {
      leaderboards[name] =
        name === 'auth_user_source_ips'
          ? Object.fromEntries([...this.sourceIps].map(([u, ips]) => [u, ips.size]))
          : Object.fromEntries(this.boards.get(name)!);
    }
    return {
      lines: this.lines,
      lineResults,
      counters,
      gauges: Object.fromEntries(this.gaugeKeys.flatMap((k, i) => (this.gaugeSeen[i] ? [[k, this.gaugeValues[i]!]] : []))),
      histograms,
      lastLineTime: this.lastLineTime,
      hourly,
      actors: {
        ...this.actors,
        hijackIps: [...this.actors.hijackIps],
        relayBotIps: [...this.actors.relayBotIps],
        bruteForcedUsers: [...this.actors.bruteForcedUsers],
      },
      leaderboards,
    };
  }

  private enterHour(hour: number): void {
    this.hourStart = hour;
    let row = this.hourly.get(hour);
    if (!row) this.hourly.set(hour, (row = new Float64Array(this.counters.length)));
    if (row.length < this.counters.length) this.hourly.set(hour, (row = grow(row, this.counters.length)));
    this.hourRow = row;
  }
}

function grow(a: Float64Array, min: number): Float64Array<ArrayBuffer> {
  let n = a.length || 16;
  while (n < min) n *= 2;
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

function bump(m: Map<string, number>, key: string): void {
  m.set(key, (m.get(key) ?? 0) + 1);
}
