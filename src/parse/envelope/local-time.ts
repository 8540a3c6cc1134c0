/**
 * Wall-clock times without a zone (syslog's 'Mmm dd hh:mm:ss', tai64nlocal, multilog's localtime
 * patch, dovecot log_path files) are read in the exporter process's local time zone, as the
 * programs that wrote them did (run the exporter with the mail host's TZ). The conversion goes
 * through `Date`'s local-time constructor, cached per minute, so daylight-saving changes are exact
 * to the minute and a busy log pays for one `Date` per minute, not per line.
 */

const minuteCache = new Map<number, number>();
const MAX_CACHED_MINUTES = 4096;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** True when day `day` exists in month `month0` (0-based) of `year`. */
export function isValidDate(year: number, month0: number, day: number): boolean {
  if (month0 < 0 || month0 > 11 || day < 1) return false;
  const max = month0 === 1 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month0] ?? 0);
  return day <= max;
}

/**
 * Unix seconds of a local wall-clock time. `second` may carry a fraction. Years outside 1900..9999
 * are the caller's to reject (Date maps 0..99 to 19xx).
 */
export function localEpochSeconds(
  year: number,
  month0: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  const key = (((year * 12 + month0) * 32 + day) * 24 + hour) * 60 + minute;
  let base = minuteCache.get(key);
  if (base === undefined) {
    base = new Date(year, month0, day, hour, minute, 0, 0).getTime() / 1000;
    if (minuteCache.size >= MAX_CACHED_MINUTES) minuteCache.clear();
    minuteCache.set(key, base);
  }
  return base + second;
}

let cachedYear = 0;
let cachedYearStart = 1;
let cachedYearEnd = 0;

/** The local calendar year that contains Unix time `t`. */
export function localYearOf(t: number): number {
  if (t >= cachedYearStart && t < cachedYearEnd) return cachedYear;
  const year = new Date(t * 1000).getFullYear();
  if (!Number.isFinite(year)) return 1970;
  cachedYear = year;
  cachedYearStart = new Date(year, 0, 1).getTime() / 1000;
  cachedYearEnd = new Date(year + 1, 0, 1).getTime() / 1000;
  return year;
}

/** How far after the reference time a year-less line may lie before it is taken for last year's. */
export const YEAR_LOOKAHEAD_SECONDS = 86400;

/**
 * Gives a year to a year-less local time: the year that puts it closest to `referenceTime` without
 * being more than a day after it. A 'Dec 31 23:59:59' line read on Jan 2 lands in the previous year;
 * a 'Jan  1 00:00:10' line read on Dec 31 at 23:59 lands in the next one. Feb 29 goes to the nearest
 * leap year that qualifies. Returns null when the date cannot exist (e.g. 'Feb 30').
 */
export function yearlessLocalEpoch(
  month0: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  referenceTime: number,
  yearAnchor: number | null = null,
): number | null {
  if (!isValidDate(2000, month0, day)) return null; // 2000 is a leap year: accepts Feb 29
  const ref = Number.isFinite(referenceTime) ? referenceTime : 0;
  if (yearAnchor !== null && Number.isFinite(yearAnchor)) {
    const near = nearestToAnchor(month0, day, hour, minute, second, yearAnchor, ref + YEAR_LOOKAHEAD_SECONDS);
    if (near !== null) return near;
  }
  const refYear = localYearOf(ref);
  const limit = ref + YEAR_LOOKAHEAD_SECONDS;
  for (let year = refYear + 1; year >= refYear - 8; year--) {
    if (!isValidDate(year, month0, day)) continue;
    const t = localEpochSeconds(year, month0, day, hour, minute, second);
    if (t <= limit) return t;
  }
  return null;
}

/**
 * The year that puts a year-less local time nearest `anchor` (the stream's previous dated line), among
 * the anchor's year and its neighbours, not later than `limit`; null when none qualifies. A line a
 * few seconds before or after its neighbours lands in their year, across New Year too.
 */
function nearestToAnchor(
  month0: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  anchor: number,
  limit: number,
): number | null {
  const anchorYear = localYearOf(anchor);
  let best: number | null = null;
  for (let year = anchorYear - 1; year <= anchorYear + 1; year++) {
    if (!isValidDate(year, month0, day)) continue;
    const t = localEpochSeconds(year, month0, day, hour, minute, second);
    if (t > limit) continue;
    if (best === null || Math.abs(t - anchor) < Math.abs(best - anchor)) best = t;
  }
  return best;
}
