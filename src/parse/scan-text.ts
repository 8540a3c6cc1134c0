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

/** `s` without one trailing CR or '?': QMailToaster's pidqplog patch ends its line with "\r\n", splogger prints the CR as '?'. */
export function stripStrayCr(s: string): string {
  const last = s.charCodeAt(s.length - 1);
  return last === 13 || last === 63 ? s.slice(0, -1) : s;
}
