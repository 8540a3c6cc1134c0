/**
 * Small allocation-free text helpers shared by the qmail parsers. Every parser reads lines written
 * by programs we do not control (and bytes we cannot trust), so these never throw and never use
 * regular expressions: a 1 MB line costs one linear scan at most.
 */

/** Decimal digits in [start, end) as a non-negative integer, or -1 (empty, non-digit, or over 15 digits). */
export function parseUint(s: string, start: number, end: number): number {
  if (end <= start || end - start > 15) return -1;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/** The index just after the run of decimal digits starting at `start` (== start when there is none). */
export function skipDigits(s: string, start: number): number {
  let i = start;
  while (i < s.length) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    i++;
  }
  return i;
}

/** True when `s` holds `word` at `at` (no slicing). */
export function hasAt(s: string, at: number, word: string): boolean {
  return s.startsWith(word, at);
}

/** `s` without one trailing CR or '?': QMailToaster's pidqplog patch ends its line with "\r\n", splogger prints the CR as '?'. */
export function stripStrayCr(s: string): string {
  const last = s.charCodeAt(s.length - 1);
  return last === 13 || last === 63 ? s.slice(0, -1) : s;
}

/** A signed decimal number with an optional fraction ('-1.21', '9999.00'), or NaN. */
export function parseDecimal(s: string, start: number, end: number): number {
  if (end <= start || end - start > 32) return Number.NaN;
  let i = start;
  let sign = 1;
  const first = s.charCodeAt(i);
  if (first === 45 /* - */ || first === 43 /* + */) {
    if (first === 45) sign = -1;
    i++;
  }
  let n = 0;
  let digits = 0;
  while (i < end) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    n = n * 10 + d;
    digits++;
    i++;
  }
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    i++;
    let scale = 0.1;
    while (i < end) {
      const d = s.charCodeAt(i) - 48;
      if (d < 0 || d > 9) break;
      n += d * scale;
      scale /= 10;
      digits++;
      i++;
    }
  }
  return i === end && digits > 0 ? sign * n : Number.NaN;
}
