/**
 * Health of the exporter, as /healthz and /-/ready report it. The follower reports each file's
 * status here; the HTTP app reads snapshots. No dependencies, and the clock is injected, so the
 * rules can be tested by moving time by hand.
 *
 * The rules (and why):
 * - a file missing for longer than --qmail.missing-grace is unhealthy: rotation makes a file
 *   disappear for a moment, which must not flap the probe;
 * - a read error is unhealthy while it lasts: the follower clears lastError on its next
 *   successful read, so lastError non-null means "currently failing". A file that exists but
 *   cannot be opened for lack of permission (EACCES, EPERM: a 0600 root maillog) is `unreadable`,
 *   not `missing`: the fix is a group or an ACL, not waiting;
 * - a stopped follower is unhealthy: nothing will be read again without a restart;
 * - a quiet log is healthy: a mail server may have nothing to say for hours. Silence is for
 *   an alert on qmail_exporter_last_line_timestamp_seconds, not for a failing probe.
 */

/** What the follower reports for one file (its status type has these fields and more). */
export interface FollowStatusLike {
  path: string;
  present: boolean;
  /** ms since the epoch when the file was first seen missing, or null while present */
  missingSince: number | null;
  /** message of the read error the follower is currently retrying, or null */
  lastError: string | null;
  lastErrorAt: number | null;
  /** errno code of lastError, when it has one */
  lastErrorCode?: string | null;
  stopped: boolean;
}

/** ok: open and read; missing: not there; unreadable: there but refused (EACCES/EPERM); error: any other read error; stopped. */
export type FileState = 'ok' | 'missing' | 'unreadable' | 'error' | 'stopped';

export interface FileHealth {
  path: string;
  state: FileState;
  /** errno code of the current error ('EACCES'), or null */
  errno: string | null;
  present: boolean;
  /** null while the file is present */
  missing_for_seconds: number | null;
  last_error: string | null;
  stopped: boolean;
}

/** What a syslog listener reports (src/receive/). */
export interface ListenerStatusLike {
  address: string;
  listening: boolean;
  lastError: string | null;
  openConnections: number;
  /** ms clock of the newest message, null before the first */
  lastMessageAt: number | null;
}

export interface ListenerHealth {
  address: string;
  listening: boolean;
  last_error: string | null;
  open_connections: number;
  /** null before the first message */
  last_message_seconds_ago: number | null;
}

export interface HealthSnapshot {
  healthy: boolean;
  status: 'ok' | 'unhealthy';
  /** one line per problem, naming the file or listener; empty when healthy */
  reasons: string[];
  files: FileHealth[];
  /** syslog listeners (--syslog.listen-address); a quiet listener is healthy, a closed one is not */
  listeners: ListenerHealth[];
}

export interface Health {
  /** Record the latest status of one file (keyed by path; a later report replaces an earlier one). */
  report(status: FollowStatusLike): void;
  /** Set once start-up is done (files opened, server listening); false again while shutting down. */
  setReady(ready: boolean): void;
  ready(): boolean;
  /**
   * The outcome of the latest checkpoint write (--storage.path): while writes fail, the exporter
   * is unhealthy (after a restart it would count lines again or lose its place).
   */
  reportCheckpoint(dir: string, error: string | null): void;
  /** Record the latest status of a syslog listener (keyed by address). */
  reportListener(status: ListenerStatusLike): void;
  /**
   * The outcome of the latest read of qmail's queue (--qmail.queue-path): while it fails, the
   * exporter is unhealthy (the queue gauges are missing; usually a permission to fix).
   */
  reportQueue(path: string, error: string | null): void;
  snapshot(): HealthSnapshot;
}

export interface HealthOptions {
  missingGraceMs: number;
  now?: () => number;
}

export function createHealth(opts: HealthOptions): Health {
  const now = opts.now ?? Date.now;
  const files = new Map<string, FollowStatusLike>();
  let isReady = false;
  let checkpoint: { dir: string; error: string | null } | null = null;
  let queue: { path: string; error: string | null } | null = null;
  const listeners = new Map<string, ListenerStatusLike>();

  return {
    report(status) {
      // Copy only the fields we read: the follower's object may be mutated or hold more.
      // A missing file reported without missingSince is timed from when we first heard of it.
      const before = files.get(status.path);
      const refused = status.lastError !== null && isRefusal(status.lastErrorCode ?? null);
      const missingSince = status.present || refused ? null : (status.missingSince ?? before?.missingSince ?? now());
      files.set(status.path, {
        path: status.path,
        present: status.present,
        missingSince,
        lastError: status.lastError,
        lastErrorAt: status.lastErrorAt,
        lastErrorCode: status.lastErrorCode ?? null,
        stopped: status.stopped,
      });
    },
    setReady(ready) {
      isReady = ready;
    },
    ready() {
      return isReady;
    },
    reportCheckpoint(dir, error) {
      checkpoint = { dir, error };
    },
    reportListener(status) {
      listeners.set(status.address, { ...status });
    },
    reportQueue(path, error) {
      queue = { path, error };
    },
    snapshot() {
      const t = now();
      const reasons: string[] = [];
      const out: FileHealth[] = [];
      for (const f of files.values()) {
        const missingMs = f.present || f.missingSince === null ? null : Math.max(0, t - f.missingSince);
        const errno = f.lastError === null ? null : (f.lastErrorCode ?? null);
        const state: FileState = f.stopped
          ? 'stopped'
          : isRefusal(errno)
            ? 'unreadable'
            : f.lastError !== null
              ? 'error'
              : f.present
                ? 'ok'
                : 'missing';
        if (f.stopped) reasons.push(`${f.path}: follower stopped`);
        if (state === 'unreadable') reasons.push(`${f.path}: unreadable (${errno}): ${f.lastError}`);
        else if (f.lastError !== null) reasons.push(`${f.path}: read error: ${f.lastError}`);
        if (missingMs !== null && missingMs > opts.missingGraceMs) {
          reasons.push(`${f.path}: missing for ${seconds(missingMs)}s (grace ${seconds(opts.missingGraceMs)}s)`);
        }
        out.push({
          path: f.path,
          state,
          errno,
          present: f.present,
          missing_for_seconds: missingMs === null ? null : seconds(missingMs),
          last_error: f.lastError,
          stopped: f.stopped,
        });
      }
      if (checkpoint !== null && checkpoint.error !== null) reasons.push(`${checkpoint.dir}: checkpoint write failed: ${checkpoint.error}`);
      if (queue !== null && queue.error !== null) reasons.push(`${queue.path}: queue unreadable: ${queue.error}`);
      const listenerHealth: ListenerHealth[] = [];
      for (const l of listeners.values()) {
        if (!l.listening) reasons.push(`${l.address}: not listening${l.lastError === null ? '' : `: ${l.lastError}`}`);
        listenerHealth.push({
          address: l.address,
          listening: l.listening,
          last_error: l.lastError,
          open_connections: l.openConnections,
          last_message_seconds_ago: l.lastMessageAt === null ? null : seconds(Math.max(0, t - l.lastMessageAt)),
        });
      }
      const healthy = reasons.length === 0;
      return { healthy, status: healthy ? 'ok' : 'unhealthy', reasons, files: out, listeners: listenerHealth };
    },
  };
}

/** The file is there, but this process may not open it. */
function isRefusal(errno: string | null): boolean {
  return errno === 'EACCES' || errno === 'EPERM';
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
