export {
  BOARD_NAMES,
  BOARD_KEY_LABELS,
  DEFAULT_BUCKETS_PER_WINDOW,
  DEFAULT_MAX_IPS_PER_USER,
  MAX_KEY_LENGTH,
  createLeaderboards,
} from './leaderboards.js';
export type { BoardName, LeaderboardOptions, LeaderboardSnapshot, LeaderboardWindow, Leaderboards } from './leaderboards.js';
export type { Ranked } from './board.js';
