import { describe } from 'node:test';
import { IGNORED, IP, recipient, sender, table } from './qmail-smtpd-cases.js';

describe('qmail-smtpd: QMailToaster reject logging', () => {
  table([
    ['spf-reject', `qmail-smtpd: spf-reject: HELO(mx.example.org) from ${IP}. MAILFROM:spam@example.org`, sender('rejected', 'spf', { sender: 'spam@example.org' })],
    [
      'spf-reject with a HELO imitating the line',
      `qmail-smtpd: spf-reject: HELO(x) from 6.6.6.6. MAILFROM:a@b) from ${IP}. MAILFROM:spam@example.org`,
      sender('rejected', 'spf', { sender: 'spam@example.org' }),
    ],
    ['badmailfrom', `qmail-smtpd: badmailfrom: <spam@example.org> at ${IP}`, sender('rejected', 'blacklisted', { sender: 'spam@example.org' })],
    [
      'badmailfrom with "> at " inside the address',
      `qmail-smtpd: badmailfrom: <"x> at 6.6.6.6"@example.org> at ${IP}`,
      sender('rejected', 'blacklisted', { sender: '"x> at 6.6.6.6"@example.org' }),
    ],
    ['badmailto', `qmail-smtpd: badmailto: <abuse@example.com> at ${IP}`, recipient('inbound_rejected', 'blacklisted', { sender: '', rcpt: 'abuse@example.com' })],
    ['badhelo', `qmail-smtpd: badhelo: <localhost> at ${IP}`, IGNORED],
    ['looping-reject', 'qmail-smtpd: looping-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['oversized-reject', 'qmail-smtpd: oversized-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['bad-mime-reject', 'qmail-smtpd: bad-mime-reject: MAILFROM:<a@b> RCPTTO:<c@d>', IGNORED],
    ['qq hard reject', 'qmail-smtpd: qq hard reject (Your email was rejected because it contains a virus): MAILFROM:<a@b> RCPTTO:c@d', IGNORED],
    ['qq soft reject', 'qmail-smtpd: qq soft reject (mail server temporarily rejected message (#4.3.0)): MAILFROM:<a@b> RCPTTO:c@d', IGNORED],
  ]);
});
