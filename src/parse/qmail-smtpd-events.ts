/**
 * The events qmail-smtpd's patch parsers build (qmail-smtpd-*.ts): one constructor per event shape,
 * so each patch file says only what its lines mean. Pure helpers, no line format here.
 */
import type {
  AuthProtocol,
  AuthReason,
  MailEvent,
  RecipientReason,
  SenderReason,
} from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { recipientEvent, type RecipientFacts } from '../events/recipient-case.js';

const PROGRAM = 'qmail-smtpd';

/** The SMTP service an AUTH line belongs to, from the listener name (submission 587, smtps 465, else smtp). */
export function smtpAuthProtocol(listener: string): AuthProtocol {
  const name = listener.toLowerCase();
  if (name.includes('submission') || name.includes('587')) return 'submission';
  if (name.includes('smtps') || name.includes('465')) return 'smtps';
  return 'smtp';
}

export function ignored(ctx: ProgramContext): MailEvent {
  return { event: 'ignored', time: ctx.time, program: PROGRAM };
}

export function authEvent(
  result: 'success' | 'failure',
  reason: AuthReason,
  user: string,
  remoteIp: string,
  ctx: ProgramContext,
): MailEvent {
  return {
    event: 'auth',
    time: ctx.time,
    protocol: smtpAuthProtocol(ctx.listener),
    result,
    reason,
    user,
    remote_ip: remoteIp,
  };
}

/** A recipient line's event: its facts go to events/recipient-case.ts, which decides the case. */
export function recipient(facts: RecipientFacts, remoteIp: string, rcpt: string, ctx: ProgramContext): MailEvent {
  return recipientEvent(facts, ctx, remoteIp, rcpt);
}

/** The facts of an accepted recipient (relayed: outside rcpthosts). */
export function accepted(relayed: boolean, sender: string, authUser: string): RecipientFacts {
  return { decision: 'accepted', relayed, sender, authUser, refusal: 'none' };
}

/** The facts of a refused recipient: relaying refused, or any other refusal. */
export function refused(
  decision: 'relay_refused' | 'refused',
  refusal: RecipientReason,
  sender: string,
  authUser: string,
): RecipientFacts {
  return { decision, relayed: false, sender, authUser, refusal };
}

export function senderEvent(
  result: 'accepted' | 'rejected',
  reason: SenderReason,
  sender: string,
  remoteIp: string,
  ctx: ProgramContext,
): MailEvent {
  return { event: 'smtp.sender', time: ctx.time, result, reason, listener: ctx.listener, sender, remote_ip: remoteIp };
}
