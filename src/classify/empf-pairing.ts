/**
 * eMPF pairing. eMPF's `policy_check:` lines name the AUTH user and the recipient, but not the
 * envelope sender; QMailToaster's `mail recv:` line of the same session names the sender once the
 * message is queued. Policy lines carry no session id, so the authenticated recipients are held per
 * listener until the next `mail recv:` there, which turns each into an smtp.recipient event. A
 * refusal ('policy forbids transmission', 'sender not authenticated') concerns the policy_check just
 * before it and becomes a refused recipient at once.
 *
 * Bounded: at most `maxPending` recipients held in all; a recipient older than qmail-smtpd's DATA
 * timeout when its session's 'mail recv' comes can no longer be queued and is dropped; a listener's
 * recipients are dropped when tcpserver says it has no session left. Every drop is counted.
 */
import type { LineResult, MailEvent } from '../events/events.js';
import { recipientEvent, sameAddress, sameSender, type SenderIdentity } from '../events/recipient-case.js';
import type { EnvelopeDetail } from '../parse/envelope/index.js';
import { sanitizeListener } from '../parse/dispatch.js';
import type { PolicyRecord } from '../parse/qmailtoaster.js';

/** eMPF recipients older than qmail-smtpd's DATA timeout (1200 s) plus a margin can no longer be queued. */
const POLICY_MAX_AGE_SECONDS = 1800;

interface PolicyEntry {
  authUser: string;
  recipient: string;
  time: number | null;
  /** the classifier's line number of the policy_check line (0 when restored from a checkpoint) */
  line: number;
}

/** The listener's last policy_check, which a refusal line right after it is about. */
interface LastPolicy {
  from: string;
  recipient: string;
  authenticated: boolean;
}

export interface EmpfPairingOptions {
  maxPending: number;
  identity: SenderIdentity;
  /** records that an event belongs to an earlier line (the held policy_check) */
  markOrigin(event: MailEvent, line: number): void;
}

export interface EmpfPairing {
  /**
   * A policy_check / refusal line: the state it moves and the event of a refusal. Returns the line's
   * accounting: `own` (accountingOf's), except that a refusal with no policy_check before it is ignored.
   */
  apply(r: PolicyRecord, listener: string, envelope: EnvelopeDetail, events: MailEvent[], own: LineResult, line: number): LineResult;
  /** At 'mail recv': the held recipients of this listener's session become smtp.recipient events. */
  resolve(listener: string, sender: string, time: number | null, events: MailEvent[]): void;
  /** The listener has no session left (tcpserver 'status: 0/N'): what it still held cannot be paired. */
  dropListener(listener: string): void;
  stats(): { pendingPolicy: number; droppedPolicy: number };
  /** Checkpoint part: the held recipients per listener (without their line numbers). */
  exportState(): { policy: Array<[string, Array<[string, string, number | null]>]> };
  importState(state: Record<string, unknown>): void;
}

export function createEmpfPairing(opts: EmpfPairingOptions): EmpfPairing {
  const { maxPending, identity, markOrigin } = opts;
  const policy = new Map<string, PolicyEntry[]>();
  const lastPolicy = new Map<string, LastPolicy>();
  let policyCount = 0;
  let droppedPolicy = 0;

  function dropListener(listener: string): void {
    const list = policy.get(listener);
    if (list !== undefined) {
      droppedPolicy += list.length;
      policyCount -= list.length;
      policy.delete(listener);
    }
    lastPolicy.delete(listener);
  }

  function hold(listener: string, entry: PolicyEntry): void {
    let list = policy.get(listener);
    if (list === undefined) {
      list = [];
      policy.set(listener, list);
    }
    list.push(entry);
    policyCount++;
    if (policyCount > maxPending) {
      // drop the oldest entry of this listener, or of the first listener holding any
      let victim: PolicyEntry[] | undefined = list.length > 1 ? list : undefined;
      if (victim === undefined) {
        for (const l of policy.values()) {
          if (l !== list && l.length > 0) {
            victim = l;
            break;
          }
        }
      }
      (victim ?? list).shift();
      policyCount--;
      droppedPolicy++;
    }
  }

  function apply(r: PolicyRecord, listener: string, envelope: EnvelopeDetail, events: MailEvent[], own: LineResult, line: number): LineResult {
    const time = envelope.time;
    switch (r.type) {
      case 'check':
        lastPolicy.set(listener, { from: r.from, recipient: r.recipient, authenticated: r.authenticated });
        if (r.authenticated) hold(listener, { authUser: r.from, recipient: r.recipient, time, line });
        return own;
      case 'forbids':
      case 'sender-not-authenticated': {
        const last = lastPolicy.get(listener);
        lastPolicy.delete(listener);
        if (last === undefined) return 'ignored';
        if (last.authenticated) {
          // the refused recipient was held as if it would be sent: it will not be
          const list = policy.get(listener);
          if (list !== undefined) {
            for (let i = list.length - 1; i >= 0; i--) {
              const e = list[i]!;
              if (e.recipient === last.recipient && e.authUser === last.from) {
                list.splice(i, 1);
                policyCount--;
                break;
              }
            }
          }
        }
        events.push(
          recipientEvent(
            {
              decision: r.type === 'forbids' ? 'refused' : 'auth_required',
              relayed: false,
              sender: last.authenticated ? '' : last.from,
              authUser: last.authenticated ? last.from : '',
              refusal: r.type === 'forbids' ? 'policy' : 'must_auth',
            },
            { time, listener, identity },
            '',
            last.recipient,
          ),
        );
        return own;
      }
      case 'allows':
        lastPolicy.delete(listener);
        return own;
      case 'other':
        return own;
    }
  }

  function resolve(listener: string, sender: string, time: number | null, events: MailEvent[]): void {
    lastPolicy.delete(listener);
    const list = policy.get(listener);
    if (list === undefined || list.length === 0) return;
    if (time !== null) {
      let expired = 0;
      while (expired < list.length) {
        const t = list[expired]!.time;
        if (t === null || t >= time - POLICY_MAX_AGE_SECONDS) break;
        expired++;
      }
      if (expired > 0) {
        list.splice(0, expired);
        policyCount -= expired;
        droppedPolicy += expired;
      }
    }
    if (list.length === 0) return;
    // Policy lines carry no session id: take the recipients whose AUTH user is this sender; failing
    // that (a different-user send), those of the oldest pending AUTH user.
    let pick = list[0]!.authUser;
    for (const e of list) {
      if (sameSender(e.authUser, sender, identity)) {
        pick = e.authUser;
        break;
      }
    }
    const keep: PolicyEntry[] = [];
    for (const e of list) {
      if (sameAddress(e.authUser, pick)) {
        const event = recipientEvent(
          { decision: 'accepted', relayed: true, sender, authUser: e.authUser, refusal: 'none' },
          { time: e.time, listener, identity },
          '',
          e.recipient,
        );
        events.push(event);
        if (e.line > 0) markOrigin(event, e.line);
      } else {
        keep.push(e);
      }
    }
    policyCount -= list.length - keep.length;
    if (keep.length === 0) policy.delete(listener);
    else policy.set(listener, keep);
  }

  const isTime = (t: unknown): t is number | null => t === null || (typeof t === 'number' && Number.isFinite(t));

  return {
    apply,
    resolve,
    dropListener,
    stats: () => ({ pendingPolicy: policyCount, droppedPolicy }),
    exportState: () => ({ policy: [...policy].map(([l, list]) => [l, list.map((e) => [e.authUser, e.recipient, e.time])]) }),
    importState(s) {
      if (!Array.isArray(s.policy)) return;
      for (const p of s.policy) {
        if (!Array.isArray(p) || typeof p[0] !== 'string' || !Array.isArray(p[1])) continue;
        for (const e of p[1] as unknown[]) {
          if (!Array.isArray(e) || typeof e[0] !== 'string' || typeof e[1] !== 'string' || !isTime(e[2])) continue;
          hold(sanitizeListener(p[0]), { authUser: e[0], recipient: e[1], time: e[2], line: 0 });
        }
      }
    },
  };
}
