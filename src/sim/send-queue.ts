/**
 * qmail-send of the simulated host (qmail 1.03 / netqmail, logging through `splogger qmail`):
 * the queue lifecycle of each message and its deliveries, as qmail-log(5) describes them.
 *
 *   new msg 4979210
 *   info msg 4979210: bytes 2817 from <alice@example.com> qp 8123 uid 89
 *   starting delivery 2211: msg 4979210 to remote john@example.net
 *   status: local 0/10 remote 1/20
 *   delivery 2211: success: 198.51.100.1_accepted_message./Remote_host_said:_250_ok_1700831712_qp_3811/
 *   status: local 0/10 remote 0/20
 *   end msg 4979210
 *
 * Kept consistent the way qmail keeps it: message ids are inode numbers reused after `end msg`,
 * delivery numbers increase in log order, a deferred delivery is retried later under a new number,
 * concurrency never exceeds the limits and every `status:` line shows the deliveries in flight.
 */
import type { Timeline } from './timeline.js';
import { US, seconds } from './timeline.js';
import { LOCAL_DOMAINS, POSTMASTER, QMAILS_UID, SMTP_UIDS } from './world.js';

/** chances of each outcome of one delivery attempt (they sum to 1) */
export interface Fate {
  success: number;
  failure: number;
  deferral: number;
}
export const FATE_LOCAL: Fate = { success: 0.998, failure: 0.002, deferral: 0 };
export const FATE_LOCAL_SURE: Fate = { success: 1, failure: 0, deferral: 0 };
export const FATE_REMOTE: Fate = { success: 0.94, failure: 0.03, deferral: 0.03 };
/** mail the hijacker sends to harvested addresses */
export const FATE_SPAM: Fate = { success: 0.55, failure: 0.35, deferral: 0.1 };
/** bounces to the forged senders of that spam */
export const FATE_FORGED: Fate = { success: 0.3, failure: 0.7, deferral: 0 };
/** double bounces to the postmaster; a failure here is a triple bounce */
export const FATE_POSTMASTER: Fate = { success: 0.97, failure: 0.03, deferral: 0 };

export interface Recipient {
  address: string;
  local: boolean;
  fate: Fate;
}

interface Message {
  id: number;
  kind: number;
  sender: string;
  bytes: number;
  birthUs: number;
  newUs: number;
  pending: number;
  failed: boolean;
  /** fate of a bounce of this message when its sender is remote */
  bounceFate: Fate;
}

interface Delivery {
  msg: Message;
  rcpt: Recipient;
  attempt: number;
}

const LOCAL = 0;
const REMOTE = 1;
/** qmail-send's chanskip: retry n of a channel comes (chanskip·n)² seconds after the message was queued */
const CHANSKIP = [10, 20];
const DEFERRAL_REPORT = "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/";
/**
 * The provider that starts refusing this host as blocklisted once the hijacked account has sent
 * BLOCKLIST_AFTER spam recipients, and the one that throttles a share of our deliveries for volume.
 * Their replies are real wordings (test/fixtures/remote-replies.tsv): GMX's greeting refusal and
 * Yahoo's TSS04 deferral at MAIL FROM. qmail-remote treats a refused greeting as temporary.
 */
export const BLOCKLISTING_DOMAIN = 'news.example.net';
export const RATE_LIMITING_DOMAIN = 'lists.example.edu';
const BLOCKLIST_AFTER = 20;
/** how long the listing lasts (log time) before the provider delists the host */
const LISTED_FOR_US = 3600 * US;
const RATE_LIMITED_SHARE = 0.25;
const blocklistedReport = (ip: string): string =>
  `Connected_to_${ip}_but_greeting_failed./Remote_host_said:_554-mx.${BLOCKLISTING_DOMAIN}_Nemesis_ESMTP_Service_not_available/554-No_SMTP_service/554-IP_address_is_black_listed./554_For_explanation_visit_https://postmaster.${BLOCKLISTING_DOMAIN}/error-messages?ip=192.0.2.10&c=bip/`;
const rateLimitedReport = (ip: string): string =>
  `Connected_to_${ip}_but_sender_was_rejected./Remote_host_said:_421_4.7.0_[TSS04]_Messages_from_192.0.2.10_temporarily_deferred_due_to_unexpected_volume_or_user_complaints_-_4.16.55.1;_see_https://postmaster.yahooinc.com/error-codes/`;
const OUTCOME_BLOCKLISTED = 3;
/** RATE_LIMITED_SHARE of the delivery numbers, spread evenly (a multiplicative hash, no random draw) */
const rateLimited = (n: number): boolean => (Math.imul(n, 2654435761) >>> 0) / 2 ** 32 < RATE_LIMITED_SHARE;
const OUTCOME_RATE_LIMITED = 4;
const NO_MAILBOX_REPORT = 'Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/';

export class QmailSend {
  private nextInode: number;
  private readonly freeInodes: number[] = [];
  private nextDelivery: number;
  private readonly inFlight = [0, 0];
  private readonly waiting: Delivery[][] = [[], []];
  private readonly waitHead = [0, 0];

  private readonly sQueued: number;
  private readonly sStarted: number[];
  private readonly sSuccess: number[];
  private readonly sDeferral: number;
  private readonly sBlocklisted: number;
  private readonly sRateLimited: number;
  /** spam recipients whose delivery has started; the blocklisting provider reacts to them */
  private spamSent = 0;
  /** log time (µs) when the provider delists the host again; 0 before it listed it */
  private listedUntilUs = 0;
  private readonly sFailure: number[];
  private readonly sBounce: number;
  private readonly sTriple: number;
  private readonly statusEffect: number;
  private readonly sizeEffect: number;
  private readonly durationEffect: number;

  /**
   * @param limits concurrencylocal and concurrencyremote (10 and 20 are qmail's defaults; a busier
   *   simulated host is configured with more, as a real one would be, so its queue stays bounded)
   */
  constructor(
    private readonly e: Timeline,
    private readonly limits: readonly [number, number],
  ) {
    const t = e.truth;
    this.nextInode = e.rng.int(4_000_000, 4_900_000);
    this.nextDelivery = e.rng.int(100, 5000);
    this.sQueued = t.series('qmail_queue_messages_total');
    this.sStarted = ['local', 'remote'].map((channel) => t.series('qmail_deliveries_started_total', { channel }));
    this.sSuccess = ['local', 'remote'].map((channel) =>
      t.series('qmail_deliveries_total', { channel, result: 'success', reason: 'none' }),
    );
    this.sDeferral = t.series('qmail_deliveries_total', { channel: 'remote', result: 'deferral', reason: 'connection_failed' });
    this.sBlocklisted = t.series('qmail_deliveries_total', { channel: 'remote', result: 'deferral', reason: 'blocklisted' });
    this.sRateLimited = t.series('qmail_deliveries_total', { channel: 'remote', result: 'deferral', reason: 'rate_limited' });
    this.sFailure = ['local', 'remote'].map((channel) =>
      t.series('qmail_deliveries_total', { channel, result: 'failure', reason: 'no_mailbox' }),
    );
    this.sBounce = t.series('qmail_bounces_total', { kind: 'bounce' });
    this.sTriple = t.series('qmail_bounces_total', { kind: 'triple_bounce_discarded' });
    const [gl, gr] = ['local', 'remote'].map((channel) => t.gaugeSeries('qmail_send_concurrency', { channel })) as [number, number];
    const [ll, lr] = ['local', 'remote'].map((channel) => t.gaugeSeries('qmail_send_concurrency_limit', { channel })) as [number, number];
    this.statusEffect = e.codedEffect((_us, local, remote) => {
      t.gauge(gl, local);
      t.gauge(gr, remote);
      t.gauge(ll, this.limits[LOCAL]!);
      t.gauge(lr, this.limits[REMOTE]!);
    });
    const [smtpOrigin, localOrigin] = ['smtp', 'local'].map((origin) => t.series('qmail_queue_messages_by_origin_total', { origin })) as [number, number];
    this.sizeEffect = e.codedEffect((_us, bytes, uid) => {
      t.observeSize(bytes);
      if (SMTP_UIDS.has(uid)) t.inc(smtpOrigin);
      else {
        t.inc(localOrigin);
        t.localInjection(uid);
      }
    });
    this.durationEffect = e.codedEffect((us, newUs) => t.observeDurationUs(us - newUs));
  }

  /** sizes of the bookkeeping, for tests that check memory stays bounded */
  backlog(): { waitingDeliveries: number; freeInodes: number } {
    const waiting = this.waiting.reduce((n, q, ch) => n + q.length - this.waitHead[ch]!, 0);
    return { waitingDeliveries: waiting, freeInodes: this.freeInodes.length };
  }

  /**
   * qmail-queue (pid `qp`, run as `uid`) has just put a message in the queue; qmail-send notices it
   * a few milliseconds later.
   */
  queue(sender: string, rcpts: Recipient[], bytes: number, qp: number, uid: number, bounceFate: Fate): void {
    const id = this.inode();
    const kind = this.e.kind;
    this.e.after(seconds(this.e.rng.range(0.001, 0.02)), kind, () => this.arrive(id, kind, sender, rcpts, bytes, qp, uid, bounceFate));
  }

  private inode(): number {
    const free = this.freeInodes.pop();
    if (free !== undefined) return free;
    this.nextInode += 1 + Math.floor(this.e.rng.next() * 40);
    return this.nextInode;
  }

  private arrive(id: number, kind: number, sender: string, rcpts: Recipient[], bytes: number, qp: number, uid: number, bounceFate: Fate): void {
    const e = this.e;
    const newUs = e.splog('qmail', `new msg ${id}`, this.sQueued);
    e.splogCoded('qmail', `info msg ${id}: bytes ${bytes} from <${sender}> qp ${qp} uid ${uid}`, -1, null, this.sizeEffect, bytes, uid);
    // qmail-send delivers once per distinct recipient of a message (a random pick can repeat one)
    const distinct = rcpts.filter((r, i) => rcpts.findIndex((x) => x.address === r.address) === i);
    const msg: Message = { id, kind, sender, bytes, birthUs: newUs, newUs, pending: distinct.length, failed: false, bounceFate };
    for (const rcpt of distinct) this.offer({ msg, rcpt, attempt: 0 });
  }

  /** start a delivery now if its channel has room, else queue it behind the others */
  private offer(d: Delivery): void {
    const ch = d.rcpt.local ? LOCAL : REMOTE;
    if (this.inFlight[ch]! < this.limits[ch]!) this.start(d, ch);
    else this.waiting[ch]!.push(d);
  }

  private start(d: Delivery, ch: number): void {
    const e = this.e;
    const n = this.nextDelivery++;
    this.inFlight[ch]!++;
    const to = ch === LOCAL ? `local ${vpopmailLocal(d.rcpt.address)}` : `remote ${d.rcpt.address}`;
    e.splog('qmail', `starting delivery ${n}: msg ${d.msg.id} to ${to}`, this.sStarted[ch]!);
    this.status();
    const fate = d.rcpt.fate;
    const x = e.rng.next();
    let outcome = x < fate.success ? 0 : x < fate.success + fate.failure ? 1 : 2;
    // the unreachable host comes back after a few tries
    if (outcome === 2 && d.attempt >= 3) outcome = 0;
    let duration: number;
    if (outcome === 2) duration = e.rng.range(15, 75);
    else if (ch === LOCAL) duration = clamp(e.rng.logNormal(0.08, 0.8), 0.004, 3);
    else duration = clamp(e.rng.logNormal(outcome === 0 ? 1.2 : 0.8, 0.7), 0.08, 40);
    // Decided after the draws above and without drawing, so every other line of the log stays as it was.
    if (ch === REMOTE) {
      // the spam run gets the host listed once, for an hour of log time; then it is delisted
      if (fate === FATE_SPAM && ++this.spamSent === BLOCKLIST_AFTER) this.listedUntilUs = e.clockUs + LISTED_FOR_US;
      const domain = d.rcpt.address.slice(d.rcpt.address.lastIndexOf('@') + 1);
      if (domain === BLOCKLISTING_DOMAIN && e.clockUs < this.listedUntilUs) outcome = OUTCOME_BLOCKLISTED;
      else if (domain === RATE_LIMITING_DOMAIN && d.attempt === 0 && rateLimited(n)) outcome = OUTCOME_RATE_LIMITED;
    }
    e.after(seconds(duration), d.msg.kind, () => this.finish(d, ch, n, outcome));
  }

  private finish(d: Delivery, ch: number, n: number, outcome: number): void {
    const e = this.e;
    this.inFlight[ch]!--;
    const rcpt = d.rcpt;
    if (outcome === 0) {
      if (ch === LOCAL) e.splog('qmail', `delivery ${n}: success: did_0+0+1/`, this.sSuccess[ch]!);
      else {
        const ip = mxIp(rcpt.address);
        const said = `250_ok_${Math.floor(e.clockUs / US)}_qp_${e.rng.int(1000, 30000)}`;
        e.splog('qmail', `delivery ${n}: success: ${ip}_accepted_message./Remote_host_said:_${said}/`, this.sSuccess[ch]!);
      }
    } else if (outcome === 1) {
      if (ch === LOCAL) e.splog('qmail', `delivery ${n}: failure: ${NO_MAILBOX_REPORT}`, this.sFailure[ch]!);
      else {
        const ip = mxIp(rcpt.address);
        e.splog(
          'qmail',
          `delivery ${n}: failure: ${ip}_does_not_like_recipient./Remote_host_said:_550_5.1.1_user_unknown/Giving_up_on_${ip}./`,
          this.sFailure[ch]!,
        );
      }
    } else if (outcome === 2) {
      e.splog('qmail', `delivery ${n}: deferral: ${DEFERRAL_REPORT}`, this.sDeferral);
    } else {
      const ip = mxIp(rcpt.address);
      const domain = rcpt.address.slice(rcpt.address.lastIndexOf('@') + 1);
      const blocklisted = outcome === OUTCOME_BLOCKLISTED;
      const report = blocklisted ? blocklistedReport(ip) : rateLimitedReport(ip);
      e.splog('qmail', `delivery ${n}: deferral: ${report}`, blocklisted ? this.sBlocklisted : this.sRateLimited, () => e.truth.refusedBy(domain));
    }
    this.status();
    this.pull(ch);
    if (outcome >= 2) {
      const attempt = d.attempt + 1;
      const retryUs = d.msg.birthUs + seconds((CHANSKIP[ch]! * attempt) ** 2);
      const delay = Math.max(retryUs - e.clockUs, seconds(e.rng.range(1, 30)));
      e.after(delay, d.msg.kind, () => this.offer({ msg: d.msg, rcpt, attempt }));
      return;
    }
    if (outcome === 1) d.msg.failed = true;
    if (--d.msg.pending === 0) this.done(d.msg);
  }

  /** a slot of the channel is free: start the delivery that waited longest */
  private pull(ch: number): void {
    const q = this.waiting[ch]!;
    if (this.waitHead[ch]! >= q.length) return;
    const d = q[this.waitHead[ch]!]!;
    this.waitHead[ch]!++;
    if (this.waitHead[ch] === q.length) {
      q.length = 0;
      this.waitHead[ch] = 0;
    }
    this.start(d, ch);
  }

  private status(): void {
    const l = this.inFlight[LOCAL]!;
    const r = this.inFlight[REMOTE]!;
    this.e.splogCoded('qmail', `status: local ${l}/${this.limits[LOCAL]} remote ${r}/${this.limits[REMOTE]}`, -1, null, this.statusEffect, l, r);
  }

  /** every recipient is done: bounce if one failed, then remove the message */
  private done(msg: Message): void {
    const e = this.e;
    let bounce: (() => void) | null = null;
    if (msg.failed) {
      if (msg.sender === '#@[]') {
        e.splog('qmail', `triple bounce: discarding bounce/${msg.id}`, this.sTriple);
      } else {
        const qp = e.pid();
        e.splog('qmail', `bounce msg ${msg.id} qp ${qp}`, this.sBounce);
        // a bounce goes to the sender; a bounce of a bounce (sender <>) goes to the postmaster
        const double = msg.sender === '';
        const to: Recipient = double
          ? { address: POSTMASTER, local: true, fate: FATE_POSTMASTER }
          : { address: msg.sender, local: isLocal(msg.sender), fate: isLocal(msg.sender) ? FATE_LOCAL_SURE : msg.bounceFate };
        const bytes = msg.bytes + 700 + e.rng.int(0, 300);
        const id = this.inode();
        const kind = msg.kind;
        bounce = () =>
          e.after(seconds(e.rng.range(0.001, 0.01)), kind, () =>
            this.arrive(id, kind, double ? '#@[]' : '', [to], bytes, qp, QMAILS_UID, FATE_POSTMASTER),
          );
      }
    }
    e.splogCoded('qmail', `end msg ${msg.id}`, -1, null, this.durationEffect, msg.newUs, 0);
    this.freeInodes.push(msg.id);
    if (bounce) bounce();
  }
}

function vpopmailLocal(address: string): string {
  const at = address.lastIndexOf('@');
  return `${address.slice(at + 1)}-${address}`;
}

const LOCAL_DOMAIN_SET = new Set(LOCAL_DOMAINS);
function isLocal(address: string): boolean {
  return LOCAL_DOMAIN_SET.has(address.slice(address.lastIndexOf('@') + 1));
}

/** the MX IP that answers for an address's domain (stable per domain) */
const mxCache = new Map<string, string>();
function mxIp(address: string): string {
  const domain = address.slice(address.lastIndexOf('@') + 1);
  let ip = mxCache.get(domain);
  if (ip === undefined) {
    let h = 0;
    for (let i = 0; i < domain.length; i++) h = (h * 31 + domain.charCodeAt(i)) >>> 0;
    ip = `198.51.100.${1 + (h % 40)}`;
    mxCache.set(domain, ip);
  }
  return ip;
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
