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

/**
 * The last index of the character `code` in s[from, to), or -1. Unlike String.prototype.lastIndexOf
 * (a call out of JIT-compiled code into the runtime, which then scans on to the start of the string)
 * this stops at `from`: the parsers look for a separator inside one field.
 */
export function lastIndexOfChar(s: string, code: number, from: number, to: number): number {
  for (let i = Math.min(to, s.length) - 1; i >= from && i >= 0; i--) if (s.charCodeAt(i) === code) return i;
  return -1;
}
