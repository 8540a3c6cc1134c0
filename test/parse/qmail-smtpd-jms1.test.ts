import { describe } from 'node:test';
import { auth, IGNORED, IP, recipient, sender, table } from './qmail-smtpd-cases.js';

describe('qmail-smtpd: jms1 combined patch', () => {
  table([
    ['AUTH successful', `qmail-smtpd[4242]: AUTH successful [${IP}] info@example.com`, auth('success', 'none', 'info@example.com')],
    ['AUTH failed (checkpassword)', `qmail-smtpd[4242]: AUTH failed [${IP}] info@example.com`, auth('failure', 'bad_password', 'info@example.com')],
    ['AUTH failed (unknown user) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (unknown user) [${IP}] nobody`, auth('failure', 'unknown_user', 'nobody')],
    ['AUTH failed (bad password) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (bad password) [${IP}] info`, auth('failure', 'bad_password', 'info')],
    ['AUTH failed (password expired) (AUTH_CDB)', `qmail-smtpd[4242]: AUTH failed (password expired) [${IP}] info`, auth('failure', 'password_expired', 'info')],
    ['AUTH user holding "] "', `AUTH failed [${IP}] a] b`, auth('failure', 'bad_password', 'a] b')],
    ['AUTH over IPv6', 'AUTH successful [2001:db8::25] info@example.com', auth('success', 'none', 'info@example.com', '2001:db8::25')],
    [
      'validrcptto not found',
      `qmail-smtpd[4242]: validrcptto [${IP}] not found: nobody@example.com`,
      recipient('inbound_rejected', 'no_mailbox', { sender: '', rcpt: 'nobody@example.com' }),
    ],
    ['validrcptto trace line', `validrcptto [${IP}] RCPT TO: nobody@example.com`, IGNORED],
    ['validrcptto hang-up', `validrcptto [${IP}] excessive violations, hanging up`, IGNORED],
    ['MFCHECK fail (sender domain without MX)', `MFCHECK fail [${IP}] nowhere.example`, sender('rejected', 'invalid_domain', { sender: '' })],
    ['MFCHECK invalid (sender without domain)', `MFCHECK invalid [${IP}] info`, sender('rejected', 'invalid_address', { sender: 'info' })],
    ['MFCHECK pass', `MFCHECK pass [${IP}] example.com`, IGNORED],
    ['MAXRCPT fail', `MAXRCPT fail [${IP}]`, recipient('inbound_rejected', 'too_many_recipients', { sender: '', rcpt: '' })],
    ['badmailfrom', `badmailfrom: <spam@example.org> at ${IP}`, sender('rejected', 'blacklisted', { sender: 'spam@example.org' })],
    [
      'badmailfrom with LOGREGEX',
      `badmailfrom: <spam@example.org> at ${IP} matches pattern: .*@example\\.org`,
      sender('rejected', 'blacklisted', { sender: 'spam@example.org' }),
    ],
    ['badrcptto', `badrcptto: <abuse@example.com> at ${IP}`, recipient('inbound_rejected', 'blacklisted', { sender: '', rcpt: 'abuse@example.com' })],
    ['badhelo', `badhelo: <localhost> at ${IP}`, IGNORED],
    ['MAIL FROM logged', 'MAIL FROM:<info@example.com>', IGNORED],
    ['RCPT TO logged', 'RCPT TO:<bob@example.net>', IGNORED],
    ['DATABYTES exceeded', `DATABYTES exceeded [${IP}]`, IGNORED],
    ['Received-SPF', `Received-SPF: pass (mail.example.com: SPF record at example.com designates ${IP} as permitted sender)`, IGNORED],
    ['RCPTCHECK error', 'RCPTCHECK error: 553 no mailbox here by that name', IGNORED],
    ['before greeting', `before greeting: [${IP}] client sent data`, IGNORED],
  ]);
});
