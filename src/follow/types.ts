/**
 * Types of the follow room: what the follower hands out (lines with an exact byte position),
 * what it reports (an observer the caller implements, usually metrics + health), and the
 * identity that ties a saved position to a file across renames and restarts.
 */

/** Which file a position belongs to. dev+ino name the inode; head guards against inode reuse. */
export interface FileIdentity {
  dev: number;
  ino: number;
  /**
   * sha256 hex of the file's first line (the bytes before the first \n, at most 4096 bytes;
   * a first line longer than that hashes its first 4096 bytes); '' if no complete first line yet.
   */
  head: string;
}

export interface FollowPosition extends FileIdentity {
  /** byte offset just after the last complete line handed out */
  offset: number;
  /** the file being read when this position was taken (may be a rotated name) */
  file: string;
}

export interface LineBatch {
  /** the configured path */
  path: string;
  /** the real file the lines were read from */
  file: string;
  lines: string[];
  /** position after the last line of this batch */
  position: FollowPosition;
}

/**
 * renamed: the file at the path was moved away (weekly rename, multilog current → @….s);
 * truncated: the file shrank or was rewritten in place (copytruncate);
 * recreated: the file was deleted (it may or may not be back yet).
 */
export type RotationKind = 'renamed' | 'truncated' | 'recreated';

/** Everything the follower reports. All methods are required; pass no-ops for what you ignore. */
export interface FollowObserver {
  /** a file was opened for reading, starting at `offset` */
  opened(path: string, file: string, offset: number): void;
  rotated(path: string, kind: RotationKind): void;
  /** bytes read during one step (only called when > 0) */
  readBytes(path: string, bytes: number): void;
  /** an I/O problem; the follower retries on its next step */
  readError(path: string, err: Error): void;
  /** the file (or multilog current) exists and is open; called at the first step and on every change */
  presence(path: string, present: boolean): void;
  /** bytes not yet handed out as lines (file sizes minus offsets), after each step */
  lag(path: string, bytes: number): void;
  /** a line longer than maxLineBytes was cut */
  oversizedLine(path: string): void;
}

export interface FollowStatus {
  path: string;
  present: boolean;
  /** ms epoch when the file was first seen missing; null while present */
  missingSince: number | null;
  /** error of the latest step; null again once a step succeeds (non-null = currently failing) */
  lastError: string | null;
  lastErrorAt: number | null;
  /** errno code of lastError ('EACCES', 'EISDIR', ...), null when it has none or there is no error */
  lastErrorCode: string | null;
  /** committed offset in `file` */
  offset: number;
  /** the file being read (the oldest one not finished), or null */
  file: string | null;
  stopped: boolean;
}

/** What became of the `resume` position given at start. */
export type ResumeOutcome = 'exact' | 'rotated' | 'mismatch' | 'none';
