/**
 * A deterministic simulated qmail host (CentOS, qmail-send, qmail-smtpd + chkuser 2.0.9, vpopmail,
 * dovecot 2.3, tcpserver -v + rblsmtpd, webmail on 127.0.0.1, all through splogger/syslog into one
 * `maillog`), which knows the exact truth of every metric the exporter derives from its log.
 * What it simulates and how tests, benches and the demo use it: docs/simulator.md.
 *
 * Rate: normal traffic and each abuse actor are Poisson processes whose mean line rates are fixed
 * shares of `linesPerSecond`; each process learns how many lines one of its sessions writes, so the
 * log advances at `linesPerSecond` on average (abuse bursts add lines while they last).
 */
import { Timeline, US, seconds } from './timeline.js';
import { Rng } from './prng.js';
import { QmailSend } from './send-queue.js';
import type { Script } from './scheduler.js';
import { Sessions } from './sessions.js';
import type { Truth } from './truth.js';
import { createWorld } from './world.js';

export type SimProfile = 'abuse' | 'clean';

export interface SimOptions {
  /** default 1 */
  seed?: number;
  /** unix seconds of the first line */
  startTime: number;
  /** log-time rate, default 20 */
  linesPerSecond?: number;
  /** 'abuse' (default): relay bots, a password guesser and a hijacked account; 'clean': none of it */
  profile?: SimProfile;
  /** log seconds after startTime at which the hijacked account starts spamming (abuse profile), default 180 */
  hijackAfterSeconds?: number;
  /** log seconds after startTime at which the website (uid 48) starts injecting spam (abuse profile), default 60 */
  websiteSpamAfterSeconds?: number;
  /**
   * the exporter reads SENDER_ALIASES_TEXT (--qmail.sender-aliases): the aliased pair then sends and
   * counts as sent_auth_same_user/alias. Off by default: without that file the pair would be a mismatch.
   */
  senderAliases?: boolean;
}

export interface SimulatedHost {
  /** produce lines until log time reaches t (unix seconds), in time order */
  advanceTo(t: number): string[];
  /** produce exactly n lines (advancing log time at linesPerSecond) */
  take(n: number): string[];
  /** current log time */
  now(): number;
  /** a snapshot copy of the truth of everything produced so far */
  truth(): Truth;
}

/** The host plus the fast path writers use: n lines as one '\n'-terminated text. */
export interface Simulation {
  host: SimulatedHost;
  takeText(n: number): string;
  /** per traffic kind: [lines per session the rate control uses, lines per session measured] */
  linesPerSession(): Record<string, [number, number]>;
  /** sizes of the simulator's state (agenda, buffered lines, qmail-send queues): bounded whatever n */
  backlog(): Record<string, number>;
}

interface Process {
  name: string;
  /** share of linesPerSecond while active */
  share: number;
  /** lines one session writes on average (measured; see PRIOR_WEIGHT) */
  prior: number;
  script: () => Script;
}

/** what the abuse actors leave to normal traffic (hijack 0.15 and the website 0.15 run continuously once started, the rest in bursts) */
const NORMAL_SHARE_WITH_ABUSE = 0.57;
/**
 * Sessions' worth of weight the prior keeps against what was measured. The priors are long-run
 * measurements (linesPerSession() after 3M lines); measuring alone would lag early on, because a
 * session's later lines (deliveries, retries) are not written yet when the next arrival is drawn.
 */
const PRIOR_WEIGHT = 1000;

export function createSimulatedHost(opts: SimOptions): SimulatedHost {
  return createSimulation(opts).host;
}

export function createSimulation(opts: SimOptions): Simulation {
  const lps = opts.linesPerSecond ?? 20;
  if (!(Number.isFinite(lps) && lps > 0)) throw new RangeError('simulator: linesPerSecond must be > 0');
  if (!Number.isFinite(opts.startTime)) throw new RangeError('simulator: startTime must be a number of unix seconds');
  const seed = opts.seed ?? 1;
  const abuse = (opts.profile ?? 'abuse') === 'abuse';
  const world = createWorld(new Rng(seed ^ 0x5eed5eed), abuse);
  const startUs = Math.round(opts.startTime * US);
  const e = new Timeline(seed, startUs, world.actors);
  // limits as configured on a host of this size: the defaults up to 40 lines/s, more beyond
  const scale = Math.max(1, Math.ceil(lps / 40));
  const send = new QmailSend(e, [10 * scale, 20 * scale]);
  const s = new Sessions(e, world, send, { smtp: 60 * scale, submission: 30 * scale }, opts.senderAliases === true);

  const processes: Process[] = [];
  const starts: number[] = [];
  const add = (p: Process): number => {
    processes.push(p);
    starts.push(0);
    return processes.length - 1;
  };
  const normal = [
    add({ name: 'inbound', share: 0.42, prior: 16.3, script: () => s.inbound() }),
    add({ name: 'submission', share: 0.16, prior: 20.0, script: () => s.submission() }),
    add({ name: 'webmail', share: 0.1, prior: 20.6, script: () => s.webmail() }),
    add({ name: 'cron-mail', share: 0.004, prior: 7, script: () => s.cronMail() }),
    add({ name: 'mailbox-login', share: 0.12, prior: 1, script: () => s.mailboxLogin() }),
    add({ name: 'no-auth-attempt', share: 0.03, prior: 1, script: () => s.noAuthAttempt() }),
    add({ name: 'rbl', share: 0.09, prior: 6, script: () => s.rblRejected() }),
    add({ name: 'tcprules-deny', share: 0.02, prior: 5, script: () => s.denied() }),
    add({ name: 'password-typo', share: 0.002, prior: 3.6, script: () => s.typo() }),
    add({ name: 'foreign', share: 0.005, prior: 1.4, script: () => s.foreign() }),
  ];
  const normalShare = (abuse ? NORMAL_SHARE_WITH_ABUSE : 1) / normal.reduce((sum, k) => sum + processes[k]!.share, 0);

  const linesPer = (k: number): number =>
    ((e.linesByKind[k] ?? 0) + processes[k]!.prior * PRIOR_WEIGHT) / (starts[k]! + PRIOR_WEIGHT);
  const begin = (k: number): void => {
    starts[k]!++;
    e.spawn(0, k, processes[k]!.script());
  };

  // Normal traffic: one arrival stream; the next session's kind is drawn so that each kind gets
  // its share of lines, whatever its sessions' length.
  const weights = new Array<number>(normal.length).fill(0);
  let total = 0;
  let arrivals = 0;
  const arriveNormal = (): void => {
    // what a session of each kind writes changes slowly: re-learn it every 64 arrivals
    if ((arrivals++ & 63) === 0) {
      total = 0;
      for (let i = 0; i < normal.length; i++) total += weights[i] = processes[normal[i]!]!.share / linesPer(normal[i]!);
    }
    begin(normal[e.rng.weighted(weights)]!);
    e.after(seconds(e.rng.exp(1 / (total * lps * normalShare))), 0, arriveNormal);
  };
  e.after(0, 0, arriveNormal);

  if (abuse) {
    const hijackAfter = opts.hijackAfterSeconds ?? 180;
    const actor = (p: Process, bursts: Bursts): void => {
      const k = add(p);
      const gap = (): number => seconds(e.rng.exp(linesPer(k) / (lps * p.share)));
      const arrive = (): void => {
        const now = e.clockUs;
        if (bursts.activeAt(now)) {
          begin(k);
          e.after(gap(), k, arrive);
          return;
        }
        // An arrival drawn past a burst's end: sleep through the pause and draw afresh from the next
        // burst's start (arrivals are memoryless). Starting every burst with a session instead would
        // give a slow log one session per burst whatever its rate, and the log would run ahead of
        // linesPerSecond (a 20,000-line week at 0.033 lines/s spanned 5.3 days instead of 7).
        e.after(bursts.nextStart(now) - now + gap(), k, arrive);
      };
      // the first burst starts with a session, so the demo shows every actor early
      e.after(bursts.nextStart(e.clockUs) - e.clockUs, k, arrive);
    };
    const burstRng = new Rng(seed ^ 0x0b0b0b0b);
    actor(
      { name: 'relay-bots', share: 0.25, prior: 17.55, script: () => s.relayBot() },
      new Bursts(burstRng, startUs + seconds(20), [180, 360], [360, 900]),
    );
    actor(
      { name: 'brute-force', share: 0.3, prior: 5.67, script: () => s.bruteForce() },
      new Bursts(burstRng, startUs + seconds(60), [180, 300], [900, 1800]),
    );
    actor(
      { name: 'hijack', share: 0.15, prior: 296, script: () => s.hijack() },
      new Bursts(burstRng, startUs + seconds(hijackAfter), [Infinity, Infinity], [0, 0]),
    );
    // a client in a too-wide RELAYCLIENT range of tcp.smtp, relaying without authentication
    actor(
      { name: 'open-relay', share: 0.04, prior: 62, script: () => s.openRelay() },
      new Bursts(burstRng, startUs + seconds(30), [240, 480], [300, 900]),
    );
    // a compromised website: PHP mail() → sendmail → qmail-inject as the web server's uid
    actor(
      { name: 'website-spam', share: 0.15, prior: 24.6, script: () => s.websiteSpam() },
      new Bursts(burstRng, startUs + seconds(opts.websiteSpamAfterSeconds ?? 60), [Infinity, Infinity], [0, 0]),
    );
  }

  let nowUs = startUs;
  const host: SimulatedHost = {
    advanceTo(t: number): string[] {
      const tUs = Math.round(t * US);
      while (e.agenda.peekTime() <= tUs) e.step();
      const lines = e.handOut(e.countDue(tUs));
      if (tUs > nowUs) nowUs = tUs;
      return lines;
    },
    take(n: number): string[] {
      fill(n);
      const lines = e.handOut(n);
      if (e.lastOutUs > nowUs) nowUs = e.lastOutUs;
      return lines;
    },
    now: () => nowUs / US,
    truth: () => e.truth.snapshot(),
  };
  const fill = (n: number): void => {
    if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError('simulator: take(n) needs a whole n ≥ 0');
    while (e.buffered < n && e.step());
  };
  return {
    host,
    backlog: () => ({ agenda: e.agenda.size, buffered: e.buffered, ...send.backlog() }),
    linesPerSession: () => Object.fromEntries(processes.map((p, k) => [p.name, [linesPer(k), (e.linesByKind[k] ?? 0) / Math.max(1, starts[k]!)]])),
    takeText(n: number): string {
      fill(n);
      const text = e.handOutText(n);
      if (e.lastOutUs > nowUs) nowUs = e.lastOutUs;
      return text;
    },
  };
}

/** Alternating active and quiet windows of an abuse actor, drawn lazily (seconds ranges). */
class Bursts {
  private start: number;
  private end: number;

  constructor(
    private readonly rng: Rng,
    firstUs: number,
    private readonly on: [number, number],
    private readonly off: [number, number],
  ) {
    this.start = firstUs;
    this.end = firstUs + this.length(on);
  }

  activeAt(us: number): boolean {
    while (us >= this.end) {
      this.start = this.end + this.length(this.off);
      this.end = this.start + this.length(this.on);
    }
    return us >= this.start;
  }

  /** the start of the window that is active at or next after `us` */
  nextStart(us: number): number {
    return this.activeAt(us) ? us : this.start;
  }

  private length([lo, hi]: [number, number]): number {
    return hi === Infinity ? Infinity : seconds(this.rng.range(lo, hi));
  }
}
