/**
 * What the landing page shows, as plain data: the service builds it from its rooms (followers,
 * metrics, leaderboards), the HTTP app only renders it. Nothing here is escaped yet: every string
 * may hold text from the log or the command line, and the renderer escapes all of it.
 */
export interface SourceOverview {
  /** 'file' for a followed log, 'syslog' for a syslog listener */
  kind: 'file' | 'syslog';
  /** the path, or the listen address */
  name: string;
  /** following, missing, read error: …, stopped, listening, … */
  state: string;
  healthy: boolean;
  /** bytes written but not read yet (files only) */
  lagBytes: number | null;
  /** seconds since lines last arrived from this source, null before the first */
  lastLinesAgeSeconds: number | null;
}

export interface ExporterOverview {
  sources: SourceOverview[];
  /** seconds since the time written in the newest line read, null before the first timed line */
  newestLineAgeSeconds: number | null;
  lines: Array<{ result: string; count: number }>;
  /** recipients per operator case over the recent window (an hour once the exporter has run that long) */
  cases: { seconds: number; rows: Array<{ case: string; count: number }> };
  /** the top entry of each leaderboard and window; key null when the board is empty */
  leaders: Array<{ board: string; window: string; key: string | null; value: number }>;
}
