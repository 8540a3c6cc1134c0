/**
 * Nagios plugin threshold ranges (Monitoring Plugins Development Guidelines, "Threshold and
 * ranges"): `[@]start:end`, where
 *   10      alert when the value is < 0 or > 10      (start 0 by default)
 *   10:     alert when < 10                          (end +∞ when omitted)
 *   ~:10    alert when > 10                          (~ is −∞)
 *   10:20   alert when < 10 or > 20                  (endpoints are inside the range)
 *   @10:20  alert when 10 ≤ value ≤ 20               (@ inverts)
 * Pure: no I/O.
 */

export interface NagiosRange {
  start: number;
  end: number;
  /** true for `@`: alert when the value is inside [start, end] */
  alertInside: boolean;
  /** the text as given, for perfdata */
  text: string;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Parses a range; null when the text is not one (empty, not numbers, start > end). */
export function parseRange(text: string): NagiosRange | null {
  let rest = text.trim();
  if (rest === '') return null;
  let alertInside = false;
  if (rest.startsWith('@')) {
    alertInside = true;
    rest = rest.slice(1);
  }
  let start = 0;
  let end: number;
  const colon = rest.indexOf(':');
  if (colon < 0) {
    if (!NUMBER.test(rest)) return null;
    end = Number(rest);
  } else {
    const startText = rest.slice(0, colon);
    const endText = rest.slice(colon + 1);
    if (startText === '~') start = -Infinity;
    else if (startText === '') start = 0;
    else if (NUMBER.test(startText)) start = Number(startText);
    else return null;
    if (endText === '') end = Infinity;
    else if (NUMBER.test(endText)) end = Number(endText);
    else return null;
  }
  if (!(start <= end)) return null;
  return { start, end, alertInside, text: text.trim() };
}

/** True when `value` should raise the alert this range stands for. NaN always alerts. */
export function rangeAlerts(range: NagiosRange, value: number): boolean {
  if (Number.isNaN(value)) return true;
  const inside = value >= range.start && value <= range.end;
  return range.alertInside ? inside : !inside;
}
