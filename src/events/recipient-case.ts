/**
 * The recipient case, decided once. Every program that reports a recipient decision (chkuser, the
 * qmail-smtpd patches, spamdyke, eMPF in the classifier) hands over what its line says — was the
 * recipient accepted or refused, was it relayed, who is the envelope sender, who authenticated — and
 * this module alone turns those facts into a `case` and, for accepted recipients, the `reason`.
 */
import type { RecipientCase, RecipientReason, SmtpRecipientEvent } from './events.js';

/** What the line says the server did with the recipient. */
export type RecipientDecision =
  /** accepted: `relayed` says whether it was outside the local domains (rcpthosts) */
  | 'accepted'
  /** relaying refused ('rejected relaying', not_in_rcpthosts, DENIED_RELAYING, FORCEAUTHMAILFROM) */
  | 'relay_refused'
  /** refused because the session did not authenticate (eMPF 'sender not authenticated') */
  | 'auth_required'
  /** any other refusal of a recipient: the reason says why */
  | 'refused';

/** The facts a parser reads from one recipient line. */
export interface RecipientFacts {
  decision: RecipientDecision;
  /** accepted for a recipient outside the local domains (only read for 'accepted') */
  relayed: boolean;
  /** envelope sender (MAIL FROM) */
  sender: string;
  /** the user the line names as authenticated (SMTP AUTH, ident or AUTH= on MAIL FROM); '' for none */
  authUser: string;
  /** why it was refused; ignored for 'accepted' */
  refusal: RecipientReason;
}

export interface RecipientVerdict {
  case: RecipientCase;
  reason: RecipientReason;
}

/** Whole-address, case-insensitive equality. */
export function sameAddress(a: string, b: string): boolean {
  return a.length === b.length && (a === b || a.toLowerCase() === b.toLowerCase());
}

/**
 * Whether an authenticated user sent as themselves: the sender identity rule, the same for every
 * program.
 */
export function sameSender(authUser: string, sender: string): boolean {
  return sameAddress(authUser, sender);
}

/** The case (and reason) of one recipient, from the facts its line gives. */
export function decideRecipient(f: RecipientFacts): RecipientVerdict {
  switch (f.decision) {
    case 'accepted':
      if (f.authUser === '') return { case: f.relayed ? 'sent_no_auth' : 'inbound_accepted', reason: 'none' };
      return {
        case: sameSender(f.authUser, f.sender) ? 'sent_auth_same_user' : 'sent_auth_different_user',
        reason: 'none',
      };
    case 'relay_refused':
      return { case: f.authUser === '' ? 'rejected_no_auth' : 'rejected_auth_failed', reason: f.refusal };
    case 'auth_required':
      return { case: 'rejected_no_auth', reason: f.refusal };
    case 'refused':
      return { case: 'inbound_rejected', reason: f.refusal };
  }
}

/** Where a recipient line was written: the parts of the event that are not facts about the recipient. */
export interface RecipientPlace {
  time: number | null;
  listener: string;
}

/** The smtp.recipient event of one recipient line: its facts, decided by decideRecipient. */
export function recipientEvent(f: RecipientFacts, place: RecipientPlace, remoteIp: string, recipient: string): SmtpRecipientEvent {
  const verdict = decideRecipient(f);
  return {
    event: 'smtp.recipient',
    time: place.time,
    case: verdict.case,
    reason: verdict.reason,
    listener: place.listener,
    sender: f.sender,
    auth_user: f.authUser,
    remote_ip: remoteIp,
    recipient,
  };
}
