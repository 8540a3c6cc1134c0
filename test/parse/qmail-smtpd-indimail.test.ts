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

describe("qmail-smtpd: indimail's other notes (observed lines from indimail-mta rsmtpfailures.sh and the README)", () => {
  table([
    [
      'Invalid RELAY client, older wording',
      'qmail-smtpd: pid 1821 from 127.0.0.1 Invalid RELAY client: MAIL from: <user@example.com>, RCPT <user@example.net>',
      recipient('rejected_no_auth', 'relay_denied', { sender: 'user@example.com', ip: '127.0.0.1', rcpt: 'user@example.net' }),
    ],
    [
      'Invalid RELAY client of an authenticated session',
      'qmail-smtpd: pid 1821 from 127.0.0.1 Invalid RELAY client: MAIL from <a@example.com> RCPT <b@example.com> AUTH <a@example.com>',
      recipient('rejected_auth_failed', 'relay_denied', { sender: 'a@example.com', auth: 'a@example.com', ip: '127.0.0.1', rcpt: 'b@example.com' }),
    ],
    [
      'transaction record, older MAIL from: wording',
      'qmail-smtpd: pid 1821 from 127.0.0.1 HELO <localhost.localdomain> MAIL from: <sender@example.de> RCPT <yahoo> AUTH <local-rcpt> Size: 2281 X-Bogocity: No, spam probability=0.208748, cutoff=5.11e-01',
      recipient('inbound_accepted', 'none', { sender: 'sender@example.de', ip: '127.0.0.1', rcpt: 'yahoo' }),
    ],
    [
      'Invalid RECIPIENT address with its state',
      `qmail-smtpd: pid 1 from ${IP} Invalid RECIPIENT address: MAIL from <a@example.org> RCPT <b@example.com> state <no such user>`,
      recipient('inbound_rejected', 'no_mailbox', { sender: 'a@example.org', rcpt: 'b@example.com' }),
    ],
    ['AUTH failure', `qmail-smtpd: pid 1 from ${IP}  AUTH USER [bob@example.com] status=[1] AUTH LOGIN TLS=`, auth('failure', 'auth_failed', 'bob@example.com')],
    ['ETRN', 'qmail-smtpd: pid 1821 from 127.0.0.1 ETRN', IGNORED],
    ['gsasl header', 'qmail-smtpd: pid 68723 gsasl header version=2.2.0 library version=2.2.0', IGNORED],
    [
      'a README record that lost its <...>',
      'qmail-smtpd: pid 16158 from ::ffff:198.51.100.203 HELO X-Bogosity: Yes, spamicity=0.999616, cutoff=9.90e-01, ham_cutoff=0.00e+00, queueID=6cs66604wfk,',
      IGNORED,
    ],
  ]);
});
