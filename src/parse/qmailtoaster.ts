/**
 * QMailToaster's qmail-smtpd additions (qmtoaster/patches):
 *
 * `31.qmail-smtpd-pidqplog.patch`, one line per queued message, ending in a stray CR ('\r\n'; splogger
 * prints the CR as '?'):
 *   mail recv: pid 358645 from <info@example.com> qp 358661
 *
 * eMPF, the eMail Messaging Policy Framework (`qmail-empf.patch`; sagredo-dev/qmail `policy.c`), per RCPT:
 *   policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)
 * where the first address is the SMTP-AUTH user when authenticated, else the envelope sender; then one of
 * 'policy_check: policy allows transmission' / 'policy forbids transmission' / 'sender not authenticated'
 * (the last two refuse the recipient) or an error ('policy_load failed', 'policy_forbids failed', ...).
 * The mail recv line names the envelope sender, so an authenticated policy line becomes a recipient only
 * when its session's mail recv arrives (the classifier pairs them).
 */
import { parseUint, stripStrayCr } from './scan-text.js';

export interface MailRecvRecord {
  pid: number;
  sender: string;
  qp: number;
}

export type PolicyRecord =
  | {
      type: 'check';
      /** SMTP-AUTH user when authenticated, else the envelope sender */
      from: string;
      fromLocal: boolean;
      recipient: string;
      recipientLocal: boolean;
      authenticated: boolean;
    }
  /** the recipient named by the session's last 'check' was refused */
  | { type: 'forbids' }
  | { type: 'sender-not-authenticated' }
  | { type: 'allows' }
  /** load errors, '{domain} is not local' (debug builds), ... */
  | { type: 'other' };

/** 'mail recv: pid P from <S> qp Q' (the whole message), or null. */
export function parseMailRecv(message: string): MailRecvRecord | null {
  const s = stripStrayCr(message);
  if (!s.startsWith('mail recv: pid ')) return null;
  const fromAt = s.indexOf(' from <', 15);
  if (fromAt < 0) return null;
  const pid = parseUint(s, 15, fromAt);
  const qpAt = s.lastIndexOf('> qp ');
  if (pid < 0 || qpAt < fromAt + 6) return null;
  const qp = parseUint(s, qpAt + 5, s.length);
  if (qp < 0) return null;
  return { pid, sender: s.slice(fromAt + 7, qpAt), qp };
}

function localRemote(s: string, at: number): { local: boolean; end: number } | null {
  if (s.startsWith('local ', at)) return { local: true, end: at + 6 };
  if (s.startsWith('remote ', at)) return { local: false, end: at + 7 };
  return null;
}

/** A 'policy_check: ...' message, or null when it is not one. */
export function parsePolicyCheck(message: string): PolicyRecord | null {
  const s = stripStrayCr(message);
  if (!s.startsWith('policy_check: ')) return null;
  const p = 14;
  const from = localRemote(s, p);
  if (from !== null) {
    let suffixAt = -1;
    let authenticated = false;
    if (s.endsWith(' (AUTHENTICATED SENDER)')) {
      suffixAt = s.length - 23;
      authenticated = true;
    } else if (s.endsWith(' (UNAUTHENTICATED SENDER)')) {
      suffixAt = s.length - 25;
    }
    const arrow = s.indexOf(' -> ', from.end);
    if (suffixAt >= 0 && arrow >= 0 && arrow < suffixAt) {
      const to = localRemote(s, arrow + 4);
      if (to !== null && to.end <= suffixAt) {
        return {
          type: 'check',
          from: s.slice(from.end, arrow),
          fromLocal: from.local,
          recipient: s.slice(to.end, suffixAt),
          recipientLocal: to.local,
          authenticated,
        };
      }
    }
  }
  if (s === 'policy_check: policy forbids transmission') return { type: 'forbids' };
  if (s === 'policy_check: policy allows transmission') return { type: 'allows' };
  if (s === 'policy_check: sender not authenticated') return { type: 'sender-not-authenticated' };
  return { type: 'other' };
}
