/**
 * What a checkpoint holds, and the check it must pass before anything in it is restored.
 *
 * A checkpoint is read back from disk, where anyone with write access to the state directory (or a
 * disk fault) may have changed it. Nothing in it is trusted: every value is checked for its type
 * and bounds before the first is applied, and a checkpoint with one bad value is refused whole (a
 * half-restored one would break exactly-once). The parts that belong to other rooms are checked by
 * the functions they hand in: the metric catalogue knows its label vocabularies, the classifier its
 * state's layout.
 */
import type { FollowPosition } from '../follow/types.js';

export const CHECKPOINT_VERSION = 1;
/**
 * Largest checkpoint read or written. Counters take a few hundred KiB; the classifier's bounded
 * state (10,000 entries per map, 64 held records) stays well below this even with long addresses.
 */
export const MAX_CHECKPOINT_BYTES = 64 * 1024 * 1024;
/** Saved positions: one per --qmail.log-path; more than this is no checkpoint of ours. */
const MAX_POSITIONS = 1024;
const MAX_PATH_LENGTH = 4096;
const HEAD_HEX = /^(?:[0-9a-f]{64})?$/;

export interface CheckpointData {
  version: number;
  written_at: number;
  positions: Record<string, FollowPosition>;
  metrics: Record<string, unknown>;
  classifier: unknown;
}

export interface CheckpointParts {
  /** null when the metric values may be restored, else what is wrong with them */
  checkMetrics(metrics: unknown): string | null;
  /** null when the classifier's state may be restored, else what is wrong with it */
  checkClassifier(state: unknown): string | null;
}

export type CheckpointCheck = { ok: true; data: CheckpointData } | { ok: false; problem: string };

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** null when `p` is a position the follower can use, else why not. */
export function positionProblem(p: unknown): string | null {
  if (!isPlainObject(p)) return 'not an object';
  if (!isCount(p.dev) || !isCount(p.ino)) return 'dev/ino are not inode numbers';
  if (!isCount(p.offset)) return 'offset is not a byte offset';
  if (typeof p.head !== 'string' || !HEAD_HEX.test(p.head)) return 'head is not a sha256 hex digest';
  if (typeof p.file !== 'string' || p.file.length === 0 || p.file.length > MAX_PATH_LENGTH) return 'file is not a path';
  return null;
}

/** Checks a parsed checkpoint whole; on success its values may be restored as they are. */
export function checkCheckpoint(raw: unknown, parts: CheckpointParts): CheckpointCheck {
  const refuse = (problem: string): CheckpointCheck => ({ ok: false, problem });
  if (!isPlainObject(raw)) return refuse('not a JSON object');
  if (raw.version !== CHECKPOINT_VERSION) return refuse(`unknown version ${JSON.stringify(raw.version)?.slice(0, 20)}`);
  if (typeof raw.written_at !== 'number' || !Number.isFinite(raw.written_at)) return refuse('written_at is not a time');
  if (!isPlainObject(raw.positions)) return refuse('positions is not an object');
  const paths = Object.keys(raw.positions);
  if (paths.length > MAX_POSITIONS) return refuse(`${paths.length} positions (at most ${MAX_POSITIONS})`);
  for (const path of paths) {
    if (path.length > MAX_PATH_LENGTH) return refuse('a position for a path longer than any path');
    const problem = positionProblem(raw.positions[path]);
    if (problem !== null) return refuse(`position of ${JSON.stringify(path.slice(0, 200))}: ${problem}`);
  }
  if (!isPlainObject(raw.metrics)) return refuse('metrics is not an object');
  const metricsProblem = parts.checkMetrics(raw.metrics);
  if (metricsProblem !== null) return refuse(`metrics: ${metricsProblem}`);
  const classifierProblem = parts.checkClassifier(raw.classifier);
  if (classifierProblem !== null) return refuse(`classifier: ${classifierProblem}`);
  return {
    ok: true,
    data: {
      version: raw.version,
      written_at: raw.written_at,
      positions: raw.positions as Record<string, FollowPosition>,
      metrics: raw.metrics,
      classifier: raw.classifier,
    },
  };
}
