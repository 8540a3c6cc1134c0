/**
 * splogger (qmail 1.03 / netqmail / notqmail `splogger.c`): the 'sec.usec ' stamp it puts before every
 * message it passes to syslog, and its continuation records.
 *
 *   Jun  3 11:35:23 sparge qmail: 928424123.963558 delivery 153: success: did_1+0+0/
 *
 * splogger's buffer is 800 bytes: a message longer than 799 characters is cut, and the rest follows in
 * records carrying the SAME stamp then '+' (no space): '928424123.963558+rest'. QMailToaster's
 * splogger-nostamp patch drops the stamp and writes '+rest'. The stamp is gettimeofday() when
 * splogger read the line: the exact time, with the year that syslog's header lacks.
 */

/** splogger's record size: a message of this length (or more, if syslog passed more) may be continued. */
export const SPLOGGER_RECORD_LENGTH = 799;

export interface StampRead {
  time: number;
  continuation: boolean;
  messageStart: number;
}

/**
 * Reads 'sec.usec ' or 'sec.usec+' at `start` (1 to 12 digits, '.', exactly 6 digits). Returns null
 * when there is none.
 */
export function readSploggerStamp(text: string, start: number): StampRead | null {
  const len = text.length;
  let i = start;
  let sec = 0;
  while (i < len && i - start < 13) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    sec = sec * 10 + d;
    i++;
  }
  if (i === start || i - start > 12 || text.charCodeAt(i) !== 46 /* . */) return null;
  i++;
  let usec = 0;
  for (let k = 0; k < 6; k++, i++) {
    const d = text.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return null;
    usec = usec * 10 + d;
  }
  const sep = text.charCodeAt(i);
  if (sep === 32) return { time: sec + usec / 1e6, continuation: false, messageStart: i + 1 };
  if (sep === 43 /* + */) return { time: sec + usec / 1e6, continuation: true, messageStart: i + 1 };
  if (i === len) return { time: sec + usec / 1e6, continuation: false, messageStart: len };
  return null;
}
