import { describe } from 'node:test';
import { auth, IGNORED, IP, recipient, sender, table } from './qmail-smtpd-cases.js';

describe('qmail-smtpd: indimail per-recipient lines', () => {
  const line = (a: string, helo = 'laptop') =>
    `qmail-smtpd: pid 4242 from ${IP} HELO <${helo}> MAIL from <info@example.com> RCPT <bob@example.net> AUTH <${a}> Size: 2048 TLS=TLSv1.3`;
  table([
    ['authenticated as the sender', line('info@example.com: AUTH LOGIN'), recipient('sent_auth_same_user', 'none', { auth: 'info@example.com' })],
    ['authenticated as another user, local recipient', line('boss@example.com: AUTH PLAIN: local-rcpt'), recipient('sent_auth_different_user', 'same_domain', { auth: 'boss@example.com' })],
    ['local recipient, no auth', line('local-rcpt'), recipient('inbound_accepted', 'none')],
    ['relayed for a trusted IP', line('auth-ip/pop'), recipient('sent_no_auth', 'none')],
    ['relayed, older wording', line('pop-bef-smtp'), recipient('sent_no_auth', 'none')],
    ['HELO imitating the rest of the line', line('local-rcpt', 'x> MAIL from <a@b> RCPT <c@d> AUTH <e: AUTH LOGIN> Size: 1'), recipient('inbound_accepted', 'none')],
    ['NOTIFY (DSN) line', `qmail-smtpd: pid 4242 from ${IP} NOTIFY: MAIL from <> RCPT <info@example.com> Size: 100`, IGNORED],
    ['Debian pid line of unknown origin', 'qmail-smtpd: pid 4242 RCPT TO: <bob@example.net>', IGNORED],
    ['pid without number', 'qmail-smtpd: pid x from 1.2.3.4', null],
  ]);
});
