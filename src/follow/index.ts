/** Public surface of the follow room: follow a log file through rotation, with exact positions. */
export type {
  FileIdentity,
  FollowObserver,
  FollowPosition,
  FollowStatus,
  LineBatch,
  ResumeOutcome,
  RotationKind,
} from './types.js';
export {
  createFollower,
  DEFAULT_GRACE_MS,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_POLL_MS,
  MAX_DRAINING_FILES,
  type FollowOptions,
  type Follower,
} from './follower.js';
export { intervalTicker, manualTicker, type ManualTicker, type Ticker } from './ticker.js';
export { createLineSplitter, type LineSplitter, type LineSplitterOptions, type SplitResult } from './line-splitter.js';
export { isUsablePosition } from './file-identity.js';
