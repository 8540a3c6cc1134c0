/**
 * Leaderboard windows: the flag text '5m,1h,24h' turned into labelled durations.
 * The label is the text the operator wrote, so `window="24h"` stays `24h` (not `1d`).
 */

export interface LeaderboardWindow {
  /** The label value of the `window` label, as the operator wrote it. */
  label: string;
  ms: number;
}

export type ParseWindowsResult = { ok: true; windows: LeaderboardWindow[] } | { ok: false; error: string };

// Prometheus duration syntax (model.ParseDuration): units in decreasing order, each at most once.
const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];

/** Milliseconds of one Prometheus duration ('90s', '1h30m'), or null when it is not one or is zero. */
export function parseDurationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (m === null || text === '') return null;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNIT_MS[i]!;
  }
  return ms > 0 && Number.isSafeInteger(ms) ? ms : null;
}

/** Parses a comma-separated list of Prometheus durations; refuses empty items, zero and duplicates. */
export function parseWindows(text: string): ParseWindowsResult {
  const windows: LeaderboardWindow[] = [];
  for (const raw of text.split(',')) {
    const label = raw.trim();
    const ms = parseDurationMs(label);
    if (ms === null) return { ok: false, error: `not a positive Prometheus duration: '${label}'` };
    const same = windows.find((w) => w.ms === ms);
    if (same !== undefined) return { ok: false, error: `window '${label}' repeats '${same.label}'` };
    windows.push({ label, ms });
  }
  return { ok: true, windows };
}
