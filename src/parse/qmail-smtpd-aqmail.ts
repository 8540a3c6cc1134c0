/**
 * qmail-smtpd lines of s/qmail and aQmail (aqmail/aQmail smtpdlog.c): one line per decision,
 * 'pid {pid} {Action}::{Type}::{Condition} P:{proto} S:{ip}:{host} H:{helo} F:{from} T:{rcpt}
 * [?~ '{info}']'. The text handed in follows 'pid {pid} '. Built from smtpdlog()'s format:
 *
 *   pid 4242 Accept::AUTH::Login P:ESMTPSA S:198.51.100.20:laptop.example.com H:laptop F:info@example.com T:bob@example.net 'info@example.com'
 */
import type { MailEvent, RecipientReason } from '../events/events.js';
import type { ProgramContext } from '../events/parsed-line.js';
import { accepted, authEvent, ignored, recipient, refused, senderEvent } from './qmail-smtpd-events.js';

/**
 * '{Action}::{Type}::{Condition} P:{proto} S:{ip}:{host} H:{helo}[ F:{from} T:{rcpt}][ ?~ '{info}'|
 * '{info}']'. Accept::AUTH is s/qmail's per-recipient line of an authenticated session (info = the AUTH
 * user); s/qmail writes no line for a successful AUTH itself. Reject::AUTH::{method} is a failed AUTH.
 */
export function sQmailLine(s: string, at: number, ctx: ProgramContext): MailEvent | null {
  const space = s.indexOf(' ', at);
  if (space < 0) return null;
  const typeMark = s.indexOf('::', at);
  const conditionMark = typeMark > 0 && typeMark < space ? s.indexOf('::', typeMark + 2) : -1;
  if (conditionMark < 0 || conditionMark > space) return null;
  const action = s.slice(at, typeMark);
  if (action !== 'Accept' && action !== 'Reject') return null;
  const type = s.slice(typeMark + 2, conditionMark);
  const condition = s.slice(conditionMark + 2, space);

  const sMark = s.indexOf(' S:', space);
  const hMark = sMark < 0 ? -1 : s.indexOf(' H:', sMark + 3);
  if (hMark < 0) return null;
  const hostColon = s.lastIndexOf(':', hMark - 1);
  const remoteIp = s.slice(sMark + 3, hostColon > sMark + 3 ? hostColon : hMark);

  let tailEnd = s.length;
  while (tailEnd > hMark && s.charCodeAt(tailEnd - 1) <= 32) tailEnd--;
  let info = '';
  if (s.charCodeAt(tailEnd - 1) === 39 /* ' */) {
    let open = s.lastIndexOf(" ?~ '", tailEnd - 2);
    let openLength = 5;
    if (open <= hMark) {
      open = s.lastIndexOf(" '", tailEnd - 2);
      openLength = 2;
    }
    if (open > hMark) {
      info = s.slice(open + openLength, tailEnd - 1);
      tailEnd = open;
    }
  }

  if (type === 'AUTH' && action === 'Reject') {
    if (condition === 'missing') return senderEvent('rejected', 'must_auth', '', remoteIp, ctx);
    if (condition === 'Auth_Meth') return ignored(ctx); // a mechanism the server does not allow
    return authEvent('failure', 'auth_failed', info, remoteIp, ctx);
  }
  if (type === 'TLS' || type === 'DATA') return ignored(ctx);

  const tMark = s.lastIndexOf(' T:', tailEnd - 3);
  const fMark = tMark > hMark ? s.lastIndexOf(' F:', tMark - 3) : -1;
  if (fMark <= hMark) return null;
  const from = s.slice(fMark + 3, tMark);
  const rcpt = s.slice(tMark + 3, tailEnd);

  if (action === 'Accept') {
    switch (type) {
      case 'AUTH':
        return recipient(accepted(true, from, info), remoteIp, rcpt, ctx);
      case 'ORIG': // Local_Sender: a RELAYCLIENT with a local envelope sender
      case 'SNDR': // Relay_Client
        return recipient(accepted(true, from, ''), remoteIp, rcpt, ctx);
      case 'RCPT':
      case 'SPF':
        return recipient(accepted(false, from, ''), remoteIp, rcpt, ctx);
      default:
        return ignored(ctx);
    }
  }
  switch (type) {
    case 'SNDR':
      if (condition === 'Invalid_Relay') {
        return recipient(refused('relay_refused', 'relay_denied', from, ''), remoteIp, rcpt, ctx);
      }
      return ignored(ctx); // Bad_Helo, DNS_Helo
    case 'ORIG':
      return senderEvent(
        'rejected',
        condition === 'DNS_MF' ? 'invalid_domain' : condition === 'Bad_Mailfrom' ? 'blacklisted' : 'other',
        from,
        remoteIp,
        ctx,
      );
    case 'SPF':
      return senderEvent('rejected', 'spf', from, remoteIp, ctx);
    case 'RCPT': {
      const reason: RecipientReason =
        condition === 'Failed_Rcptto'
          ? 'no_mailbox'
          : condition === 'Bad_Rcptto'
            ? 'blacklisted'
            : condition === 'Toomany_Rcptto'
              ? 'too_many_recipients'
              : 'other';
      return recipient(refused('refused', reason, from, ''), remoteIp, rcpt, ctx);
    }
    default:
      return ignored(ctx);
  }
}
