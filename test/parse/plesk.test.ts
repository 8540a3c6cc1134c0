/**
 * Plesk's smtp_auth, relaylock and mail-handler lines (observed lines from the fixtures'
 * sources: major.io's Plesk posts and a Plesk forum thread; see test/fixtures/logs/README.md).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailEvent } from '../../src/events/events.js';
import { isPleskTag, parsePlesk } from '../../src/parse/plesk.js';

const ctx = { time: 100, listener: 'smtp' };
const auth = (result: string, reason: string, user: string, ip: string): MailEvent =>
  ({ event: 'auth', time: 100, protocol: 'smtp', result, reason, user, remote_ip: ip }) as MailEvent;
const IGNORED: MailEvent = { event: 'ignored', time: 100, program: 'plesk' };

const cases: ReadonlyArray<readonly [string, string, string, MailEvent]> = [
  ['observed: connect (before each AUTH)', 'smtp_auth', 'SMTP connect from unknown@ [192.0.2.194]', IGNORED],
  [
    'observed: logged in, with the maildir',
    'smtp_auth',
    'smtp_auth: SMTP user [USER] : /var/qmail/mailnames/[DOMAIN]/[USER] logged in from unknown@ [192.0.2.194]',
    auth('success', 'none', '[USER]', '192.0.2.194'),
  ],
  [
    'observed: logged in, without the maildir',
    'smtp_auth',
    'SMTP user test@example.com : logged in from server1.example.co.uk [192.0.2.130]',
    auth('success', 'none', 'test@example.com', '192.0.2.130'),
  ],
  [
    'observed: password incorrect',
    'smtp_auth',
    'smtp_auth: FAILED: [USER] - password incorrect  from unknown@ [192.0.2.194]',
    auth('failure', 'bad_password', '[USER]', '192.0.2.194'),
  ],
  ['unknown user', 'smtp_auth', 'FAILED: nobody@example.com - no such user from unknown@ [192.0.2.5]', auth('failure', 'unknown_user', 'nobody@example.com', '192.0.2.5')],
  ['other failure', 'smtp_auth', 'FAILED: x@example.com - checkpassword error from unknown@ [192.0.2.5]', auth('failure', 'auth_failed', 'x@example.com', '192.0.2.5')],
  [
    "a user name holding ' from ' and '[6.6.6.6]' does not move the IP",
    'smtp_auth',
    'FAILED: a from x [6.6.6.6] - password incorrect  from unknown@ [192.0.2.7]',
    auth('failure', 'bad_password', 'a from x [6.6.6.6]', '192.0.2.7'),
  ],
  ['an unknown smtp_auth note', 'smtp_auth', 'smtp_auth: something else', IGNORED],
  [
    'observed: relaylock mail from',
    'relaylock',
    '/var/qmail/bin/relaylock: mail from 198.51.100.11:17249 (yourdesktop.example.com)',
    { event: 'connection.open', time: 100, listener: 'smtp', pid: 0, remote_ip: '198.51.100.11' } as MailEvent,
  ],
  [
    'relaylock from an IPv6 client',
    'relaylock',
    '/var/qmail/bin/relaylock: mail from 2001:db8::5:40000 (unknown)',
    { event: 'connection.open', time: 100, listener: 'smtp', pid: 0, remote_ip: '2001:db8::5' } as MailEvent,
  ],
  ['observed: qmail-queue-handlers', 'qmail-queue-handlers', 'possibly qmail-smtpd exited by timeout, reset connection.', IGNORED],
  ['observed: qmail-local-handlers', 'qmail-local-handlers', 'mailbox: /var/qmail/mailnames/example.co.uk/meg', IGNORED],
];

for (const [name, tag, message, want] of cases) test(`plesk: ${name}`, () => assert.deepEqual(parsePlesk(tag, message, ctx), want));

test('plesk tags', () => {
  for (const t of ['smtp_auth', 'relaylock', 'qmail-queue-handlers', 'qmail-local-handlers', 'psa-pc-remote', 'mail-handlers']) assert.ok(isPleskTag(t), t);
  for (const t of ['postfix/smtpd', 'sshd', 'dovecot', 'qmail']) assert.ok(!isPleskTag(t), t);
});
