/**
 * The simulation's timeline: log clock, agenda, line envelopes and the hand-out buffer.
 *
 * Lines are written into a buffer together with what they mean for the truth (result, counter,
 * an optional extra effect); the effect is applied only when the line is handed out, so the
 * truth always describes exactly the lines a caller has received, however the caller slices them.
 */
import { Agenda } from './scheduler.js';
import type { Script } from './scheduler.js';
import { Rng } from './prng.js';
import { RESULT_COUNTED, TruthBuilder } from './truth.js';
import type { Actors } from './truth.js';

/** syslog host name of the simulated machine */
export const HOST_NAME = 'mail';
/** the three splogger tags: qmail-send, the port-25 service and the port-587 service */
export type SploggerTag = 'qmail' | 'smtp' | 'submission';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STAMPED = 8;
const THOUSANDS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THOUSANDS_SPACE = THOUSANDS.map((t) => t + ' ');

export const US = 1_000_000;
export const seconds = (s: number): number => Math.round(s * US);

/** a line's effect on the truth beyond its counter; gets the line's time (µs) */
export type Effect = (us: number) => void;
/** a frequent effect, registered once and given two numbers per line (no closure per line) */
export type CodedEffect = (us: number, a: number, b: number) => void;

export class Timeline {
  readonly agenda = new Agenda();
  readonly truth: TruthBuilder;
  readonly rng: Rng;
  /** log time in whole microseconds; only moves forward */
  clockUs: number;
  /** traffic kind the lines being written are charged to */
  kind = 0;
  readonly linesByKind: number[] = [];

  private readonly bufText: string[] = [];
  private readonly bufUs: number[] = [];
  private readonly bufCode: number[] = [];
  private readonly bufCounter: number[] = [];
  private readonly bufExtra: (Effect | null)[] = [];
  private readonly bufA: number[] = [];
  private readonly bufB: number[] = [];
  private readonly coded: CodedEffect[] = [];
  private head = 0;
  /** time (µs) of the last line handed out; -1 before the first */
  lastOutUs = -1;

  private written = 0;
  private cachedSec = -1;
  private cachedMinute = -1;
  private minuteText = '';
  private header = '';
  private qmailPrefix = '';
  private smtpPrefix = '';
  private submissionPrefix = '';

  private nextPid: number;
  private readonly livePids = new Set<number>();

  constructor(seed: number, startUs: number, actors: Actors) {
    this.rng = new Rng(seed);
    this.clockUs = startUs;
    this.truth = new TruthBuilder(actors);
    this.nextPid = this.rng.int(2000, 9000);
  }

  // ---- agenda

  /** run `fn` after `delayUs`, its lines charged to `kind` */
  after(delayUs: number, kind: number, fn: () => void): void {
    this.agenda.add(this.clockUs + Math.max(0, Math.round(delayUs)), kind, null, fn);
  }

  /** start a script after `delayUs`; each yield is the pause (µs) before its next step */
  spawn(delayUs: number, kind: number, script: Script): void {
    this.agenda.add(this.clockUs + Math.max(0, Math.round(delayUs)), kind, script, null);
  }

  /** run the next agenda item; false when there is none */
  step(): boolean {
    const item = this.agenda.pop();
    if (!item) return false;
    if (item.t > this.clockUs) this.clockUs = item.t;
    this.kind = item.kind;
    if (item.fn) item.fn();
    else if (item.script) {
      const r = item.script.next();
      if (!r.done) this.agenda.readd(item, this.clockUs + Math.max(0, Math.round(r.value)));
    }
    return true;
  }

  /** lines written and not yet handed out */
  get buffered(): number {
    return this.bufText.length - this.head;
  }

  // ---- writing lines

  /** a splogger line: `Mmm dd hh:mm:ss mail TAG: sec.usec MSG`; returns its time (µs) */
  splog(tag: SploggerTag, msg: string, counter: number, extra: Effect | null = null): number {
    return this.splogCoded(tag, msg, counter, extra, 0, 0, 0);
  }

  /** a splogger line whose effect is the registered coded effect `effect` (see `codedEffect`) with a, b */
  splogCoded(tag: SploggerTag, msg: string, counter: number, extra: Effect | null, effect: number, a: number, b: number): number {
    const us = this.tick();
    const usec = us % US;
    const prefix = tag === 'qmail' ? this.qmailPrefix : tag === 'smtp' ? this.smtpPrefix : this.submissionPrefix;
    // six-digit microseconds from two cached three-digit halves: no number formatting per line
    this.push(prefix + THOUSANDS[(usec / 1000) | 0]! + THOUSANDS_SPACE[usec % 1000]! + msg, us, RESULT_COUNTED | STAMPED | (effect << 4), counter, extra, a, b);
    return us;
  }

  /** a plain syslog line: `Mmm dd hh:mm:ss mail PROGRAM: MSG` (program may carry `[pid]`) */
  plain(program: string, msg: string, result: number, counter: number, extra: Effect | null = null): number {
    const us = this.tick();
    this.push(this.header + program + ': ' + msg, us, result, counter, extra, 0, 0);
    return us;
  }

  /** register an effect frequent enough that a closure per line would cost; returns its number for splogCoded */
  codedEffect(fn: CodedEffect): number {
    this.coded.push(fn);
    return this.coded.length;
  }

  private tick(): number {
    // consecutive lines of one moment are some tens of microseconds apart, as splogger shows
    const us = this.written++ === 0 ? this.clockUs : (this.clockUs += 8 + Math.floor(this.rng.next() * 120));
    const sec = Math.floor(us / US);
    if (sec !== this.cachedSec) this.enterSecond(sec);
    return us;
  }

  private enterSecond(sec: number): void {
    this.cachedSec = sec;
    // syslog writes the local time of the process, with the day padded by a space ("Sep  6");
    // zone offsets change only on whole minutes, so the local minute is computed once a minute
    const minute = Math.floor(sec / 60);
    if (minute !== this.cachedMinute) {
      this.cachedMinute = minute;
      const d = new Date(minute * 60_000);
      const day = d.getDate();
      this.minuteText = `${MONTHS[d.getMonth()]} ${day < 10 ? ' ' : ''}${day} ${two(d.getHours())}:${two(d.getMinutes())}:`;
    }
    this.header = `${this.minuteText}${TWO_DIGITS[sec - minute * 60]} ${HOST_NAME} `;
    this.qmailPrefix = `${this.header}qmail: ${sec}.`;
    this.smtpPrefix = `${this.header}smtp: ${sec}.`;
    this.submissionPrefix = `${this.header}submission: ${sec}.`;
  }

  private push(text: string, us: number, code: number, counter: number, extra: Effect | null, a: number, b: number): void {
    this.bufText.push(text);
    this.bufUs.push(us);
    this.bufCode.push(code);
    this.bufCounter.push(counter);
    this.bufExtra.push(extra);
    this.bufA.push(a);
    this.bufB.push(b);
    this.linesByKind[this.kind] = (this.linesByKind[this.kind] ?? 0) + 1;
  }

  // ---- handing lines out

  /** how many buffered lines have a time ≤ tUs */
  countDue(tUs: number): number {
    let i = this.head;
    const end = this.bufUs.length;
    while (i < end && this.bufUs[i]! <= tUs) i++;
    return i - this.head;
  }

  /** hand out the next n buffered lines (n ≤ buffered), applying their truth */
  handOut(n: number): string[] {
    const from = this.head;
    this.account(n);
    const out = this.bufText.slice(from, from + n);
    this.compact();
    return out;
  }

  /** hand out the next n buffered lines as one text, each line ending in '\n' */
  handOutText(n: number): string {
    const from = this.head;
    this.account(n);
    const out = n === 0 ? '' : this.bufText.slice(from, from + n).join('\n') + '\n';
    this.compact();
    return out;
  }

  private account(n: number): void {
    const truth = this.truth;
    const end = this.head + n;
    for (let i = this.head; i < end; i++) {
      const code = this.bufCode[i]!;
      const us = this.bufUs[i]!;
      truth.line(code & 7, this.bufCounter[i]!, code & STAMPED ? us / US : Math.floor(us / US));
      const extra = this.bufExtra[i];
      if (extra) extra(us);
      if (code >= 16) this.coded[(code >> 4) - 1]!(us, this.bufA[i]!, this.bufB[i]!);
    }
    if (n > 0) this.lastOutUs = this.bufUs[end - 1]!;
    this.head = end;
  }

  private compact(): void {
    if (this.head === this.bufText.length) {
      this.bufText.length = this.bufUs.length = this.bufCode.length = this.bufCounter.length = this.bufExtra.length = 0;
      this.bufA.length = this.bufB.length = 0;
      this.head = 0;
    } else if (this.head > 65536 && this.head * 2 > this.bufText.length) {
      for (const a of [this.bufText, this.bufUs, this.bufCode, this.bufCounter, this.bufExtra, this.bufA, this.bufB] as unknown[][])
        a.splice(0, this.head);
      this.head = 0;
    }
  }

  // ---- processes

  /** a fresh pid; pids of live tcpserver children are never handed out twice */
  pid(): number {
    for (;;) {
      this.nextPid += 1 + Math.floor(this.rng.next() * 3);
      if (this.nextPid >= 32768) this.nextPid = 300 + (this.nextPid % 32768);
      if (!this.livePids.has(this.nextPid)) return this.nextPid;
    }
  }

  holdPid(pid: number): void {
    this.livePids.add(pid);
  }

  releasePid(pid: number): void {
    this.livePids.delete(pid);
  }
}

function two(n: number): string {
  return n < 10 ? '0' + n : String(n);
}
