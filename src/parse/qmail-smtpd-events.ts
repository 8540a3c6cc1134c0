/**
 * The events qmail-smtpd's patch parsers build (qmail-smtpd-*.ts): one constructor per event shape,
 * so each patch file says only what its lines mean. Pure helpers, no line format here.
 */
import type {
  AuthProtocol,
  AuthReason,
  MailEvent,
  RecipientCase,
  RecipientReason,
  SenderReason,
} from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';

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

export function recipientEvent(
  rcptCase: RecipientCase,
  reason: RecipientReason,
  sender: string,
  authUser: string,
  remoteIp: string,
  recipient: string,
  ctx: ProgramContext,
): MailEvent {
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender,
    auth_user: authUser,
    remote_ip: remoteIp,
    recipient,
  };
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
