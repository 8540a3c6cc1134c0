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

/** One sender pattern of the aliases file: an address, or every address of a domain ('*@domain'). */
export type SenderPattern = { kind: 'address'; local: string; domain: string } | { kind: 'domain'; domain: string };

/** The operator's allowed (login → senders) pairs, keys and patterns lower-cased, logins resolved. */
export type SenderAliases = ReadonlyMap<string, readonly SenderPattern[]>;

/**
 * How a login and an envelope sender are compared (decided once from the flags, in cli/config, and
 * injected: the rule itself reads no file).
 */
export interface SenderIdentity {
  /** the domain of a login without '@' (--qmail.default-domain), lower-case; null when none is known */
  defaultDomain: string | null;
  /** characters that start a qmail extension ('john-news@' belongs to 'john@'); '' turns the rule off */
  extensionDelimiters: string;
  /** the current aliases table (--qmail.sender-aliases, re-read when the file changes) */
  aliases(): SenderAliases;
}

const NO_ALIASES: SenderAliases = new Map();

/** No default domain, qmail's '-' and the common '+' as extension delimiters, no aliases. */
export const DEFAULT_SENDER_IDENTITY: SenderIdentity = {
  defaultDomain: null,
  extensionDelimiters: '-+',
  aliases: () => NO_ALIASES,
};

/** Why an authenticated sender counts as the login or not (the `reason` of the sent_auth_* cases). */
export type SenderVerdict = 'none' | 'alias' | 'same_domain' | 'other_domain';

interface Address {
  local: string;
  /** null: a bare name and no default domain known */
  domain: string | null;
}

/** Lower-cased local part and domain; a bare name takes the default domain when one is known. */
export function resolveAddress(text: string, identity: SenderIdentity): Address {
  const lower = text.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return { local: lower, domain: identity.defaultDomain };
  return { local: lower.slice(0, at), domain: lower.slice(at + 1) };
}

/** The key a login has in the aliases table: 'local@domain', or the bare name when no domain is known. */
export function loginKey(login: string, identity: SenderIdentity): string {
  const a = resolveAddress(login, identity);
  return a.domain === null ? a.local : `${a.local}@${a.domain}`;
}

/** `local` is `owner`, or `owner` followed by an extension delimiter and anything. */
function localBelongsTo(local: string, owner: string, delimiters: string): boolean {
  if (local === owner) return true;
  return (
    delimiters !== '' &&
    local.length > owner.length &&
    local.startsWith(owner) &&
    delimiters.includes(local.charAt(owner.length))
  );
}

/** Same mailbox: same local part (or one of its extensions) in the same domain; an unknown domain matches any. */
function sameMailbox(sender: Address, owner: Address, delimiters: string): boolean {
  if (sender.domain !== null && owner.domain !== null && sender.domain !== owner.domain) return false;
  return localBelongsTo(sender.local, owner.local, delimiters);
}

function matchesPattern(sender: Address, p: SenderPattern, delimiters: string): boolean {
  if (p.kind === 'domain') return sender.domain === p.domain;
  return sender.domain === p.domain && localBelongsTo(sender.local, p.local, delimiters);
}

/**
 * Whether the authenticated `login` sent as itself, and why: the sender identity rule, the same for
 * every program. Case-insensitive; a bare login is login@defaultDomain (with no default domain known,
 * it matches a sender of the same local part in any domain); an extension address ('user-x@dom',
 * 'user+x@dom') belongs to 'user@dom'; an operator's alias pair is the same user with reason 'alias'.
 * Otherwise: 'same_domain' when the sender is in the login's domain, else 'other_domain'.
 */
export function senderVerdict(login: string, sender: string, identity: SenderIdentity = DEFAULT_SENDER_IDENTITY): SenderVerdict {
  if (sameAddress(login, sender)) return 'none';
  const owner = resolveAddress(login, identity);
  const from = resolveAddress(sender, identity);
  const delimiters = identity.extensionDelimiters;
  if (sameMailbox(from, owner, delimiters)) return 'none';
  const aliases = identity.aliases();
  if (aliases.size > 0) {
    const patterns = aliases.get(owner.domain === null ? owner.local : `${owner.local}@${owner.domain}`);
    if (patterns !== undefined) {
      for (const p of patterns) if (matchesPattern(from, p, delimiters)) return 'alias';
    }
  }
  return owner.domain !== null && from.domain === owner.domain ? 'same_domain' : 'other_domain';
}

/** Whether an authenticated user sent as themselves (an alias pair included). */
export function sameSender(login: string, sender: string, identity: SenderIdentity = DEFAULT_SENDER_IDENTITY): boolean {
  const v = senderVerdict(login, sender, identity);
  return v === 'none' || v === 'alias';
}

/** The case (and reason) of one recipient, from the facts its line gives. */
export function decideRecipient(f: RecipientFacts, identity: SenderIdentity = DEFAULT_SENDER_IDENTITY): RecipientVerdict {
  switch (f.decision) {
    case 'accepted': {
      if (f.authUser === '') return { case: f.relayed ? 'sent_no_auth' : 'inbound_accepted', reason: 'none' };
      const v = senderVerdict(f.authUser, f.sender, identity);
      return { case: v === 'none' || v === 'alias' ? 'sent_auth_same_user' : 'sent_auth_different_user', reason: v };
    }
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
  /** how logins and senders are compared; the default rule when absent */
  identity?: SenderIdentity;
}

/** The smtp.recipient event of one recipient line: its facts, decided by decideRecipient. */
export function recipientEvent(f: RecipientFacts, place: RecipientPlace, remoteIp: string, recipient: string): SmtpRecipientEvent {
  const verdict = decideRecipient(f, place.identity);
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
