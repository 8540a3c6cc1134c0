import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import fc from 'fast-check';
import { parseVchkpw } from '../../src/parse/vchkpw.js';
import type { MailEvent } from '../../src/events/events.js';
import { AUTH_PROTOCOLS, AUTH_REASONS } from '../../src/events/events.js';

const ctx = { time: 1158218502, listener: 'smtp' };

function auth(protocol: string, result: string, reason: string, user: string, remoteIp: string): MailEvent {
  return { event: 'auth', time: ctx.time, protocol, result, reason, user, remote_ip: remoteIp } as MailEvent;
}
const IGNORED: MailEvent = { event: 'ignored', time: ctx.time, program: 'vchkpw' };

describe('vchkpw: real lines (ossec-hids log-entries/vpopmail, test/fixtures/logs/auth/vpopmail-syslog.log)', () => {
  const lines = readFileSync(new URL('../fixtures/logs/auth/vpopmail-syslog.log', import.meta.url), 'utf8').split('\n').filter(Boolean);
  test('26 lines of a POP3 dictionary attack', () => assert.equal(lines.length, 26));
  for (const line of lines) {
    const message = line.slice(line.indexOf(']: ') + 3);
    const user = message.slice('vchkpw-pop3: password fail '.length, message.indexOf(':', message.indexOf('@')));
    test(line, () => assert.deepEqual(parseVchkpw(message, ctx), auth('pop3', 'failure', 'bad_password', user, '219.136.100.198')));
  }
});

describe('vchkpw: every message of vchkpw.c (from format, not observed unless above)', () => {
  const cases: ReadonlyArray<readonly [string, string, MailEvent]> = [
    ['password fail', 'vchkpw-smtp: password fail info@example.com:192.0.2.7', auth('smtp', 'failure', 'bad_password', 'info@example.com', '192.0.2.7')],
    [
      'password fail with the password logged (never kept)',
      "vchkpw-submission: password fail (pass: 'hunter2') info@example.com:192.0.2.7",
      auth('submission', 'failure', 'bad_password', 'info@example.com', '192.0.2.7'),
    ],
    [
      "password holding \"') \", '@' and ':' (never kept)",
      "vchkpw-smtps: password fail (pass: 'a') b@c:d') x@') ') info@example.com:192.0.2.7",
      auth('smtps', 'failure', 'bad_password', 'info@example.com', '192.0.2.7'),
    ],
    [
      'vpopmail user not found',
      'vchkpw-imap: vpopmail user not found nobody@example.com:192.0.2.8',
      auth('imap', 'failure', 'unknown_user', 'nobody@example.com', '192.0.2.8'),
    ],
    ['vpopmail user not found, empty domain', 'vchkpw-smtp: vpopmail user not found info@:192.0.2.8', auth('smtp', 'failure', 'unknown_user', 'info@', '192.0.2.8')],
    ['null user name given', 'vchkpw-pop3s: null user name given :192.0.2.9', auth('pop3s', 'failure', 'empty_credentials', '', '192.0.2.9')],
    ['null password given', 'vchkpw-imaps: null password given info@example.com:192.0.2.9', auth('imaps', 'failure', 'empty_credentials', 'info@example.com', '192.0.2.9')],
    [
      'invalid user/domain characters',
      'vchkpw-smtp: invalid user/domain characters in/valid@exa mple.com:192.0.2.10',
      auth('smtp', 'failure', 'invalid_characters', 'in/valid@exa mple.com', '192.0.2.10'),
    ],
    [
      '(PLAIN) login success',
      'vchkpw-submission: (PLAIN) login success info@example.com:198.51.100.20',
      auth('submission', 'success', 'none', 'info@example.com', '198.51.100.20'),
    ],
    ['(LOGIN) login success', 'vchkpw-smtp: (LOGIN) login success info@example.com:198.51.100.20', auth('smtp', 'success', 'none', 'info@example.com', '198.51.100.20')],
    ['(CRAM-MD5) login success', 'vchkpw-smtps: (CRAM-MD5) login success info@example.com:198.51.100.20', auth('smtps', 'success', 'none', 'info@example.com', '198.51.100.20')],
    ['(APOP) login success', 'vchkpw-pop3: (APOP) login success info@example.com:198.51.100.20', auth('pop3', 'success', 'none', 'info@example.com', '198.51.100.20')],
    ['old login success without the type', 'vchkpw-pop3: login success info@example.com:198.51.100.20', auth('pop3', 'success', 'none', 'info@example.com', '198.51.100.20')],
    ['webmail login success from localhost', 'vchkpw-webmail: (PLAIN) login success info@example.com:127.0.0.1', auth('webmail', 'success', 'none', 'info@example.com', '127.0.0.1')],
    ['smtp access denied', 'vchkpw-smtp: smtp access denied info@example.com:192.0.2.11', auth('smtp', 'failure', 'access_denied', 'info@example.com', '192.0.2.11')],
    ['pop access denied', 'vchkpw-pop3: pop access denied info@example.com:192.0.2.11', auth('pop3', 'failure', 'access_denied', 'info@example.com', '192.0.2.11')],
    ['imap access denied', 'vchkpw-imap: imap access denied info@example.com:192.0.2.11', auth('imap', 'failure', 'access_denied', 'info@example.com', '192.0.2.11')],
    ['webmail access denied', 'vchkpw-webmail: webmail access denied info@example.com:127.0.0.1', auth('webmail', 'failure', 'access_denied', 'info@example.com', '127.0.0.1')],
    ['system user not found', 'vchkpw-pop3: system user not found root:192.0.2.12', auth('pop3', 'failure', 'unknown_user', 'root', '192.0.2.12')],
    ['system user shadow entry not found', 'vchkpw-pop3: system user shadow entry not found root:192.0.2.12', auth('pop3', 'failure', 'unknown_user', 'root', '192.0.2.12')],
    ['system password fail', 'vchkpw-pop3: system password fail root:192.0.2.12', auth('pop3', 'failure', 'bad_password', 'root', '192.0.2.12')],
    ["system password fail (pass: '...')", "vchkpw-pop3: system password fail (pass: 'toor') root:192.0.2.12", auth('pop3', 'failure', 'bad_password', 'root', '192.0.2.12')],
    ['system password login success', 'vchkpw-pop3: system password login success root:192.0.2.12', auth('pop3', 'success', 'none', 'root', '192.0.2.12')],
    ['numbered service (TCPLOCALPORT 2110): other', 'vchkpw-2110: password fail info@example.com:192.0.2.13', auth('other', 'failure', 'bad_password', 'info@example.com', '192.0.2.13')],
    ['old numbered form without colon', 'vchkpw-2110 password fail info@example.com:192.0.2.13', auth('other', 'failure', 'bad_password', 'info@example.com', '192.0.2.13')],
    ['TCPLOCALPORT unset', 'vchkpw-0: password fail info@example.com:', auth('other', 'failure', 'bad_password', 'info@example.com', '')],
    ['well-known port 587 by name', 'vchkpw-587: password fail info@example.com:192.0.2.13', auth('submission', 'failure', 'bad_password', 'info@example.com', '192.0.2.13')],
    ['well-known port 993 by name', 'vchkpw-993: (PLAIN) login success info@example.com:192.0.2.13', auth('imaps', 'success', 'none', 'info@example.com', '192.0.2.13')],
    ['a password typed after the address: the IP only', 'vchkpw-smtp: password fail u@example.com:hunter2:192.0.2.13', auth('smtp', 'failure', 'bad_password', 'u@example.com', '192.0.2.13')],
    ['an IP field that is no address: no IP', 'vchkpw-smtp: password fail u@example.com:hunter2', auth('smtp', 'failure', 'bad_password', 'u@example.com', '')],
    ['IPv6 remote', 'vchkpw-submission: password fail info@example.com:2001:db8::25', auth('submission', 'failure', 'bad_password', 'info@example.com', '2001:db8::25')],
    ['IPv6 remote, bare system user', 'vchkpw-pop3: system user not found root:::ffff:192.0.2.1', auth('pop3', 'failure', 'unknown_user', 'root', '::ffff:192.0.2.1')],
    ['user has no password (internal)', 'vchkpw-pop3: user has no password info@example.com:192.0.2.14', IGNORED],
    ['setuid failed (internal)', 'vchkpw-imap: setuid 89 failed errno 1 info@example.com:192.0.2.14', IGNORED],
    ['setgid failed (internal)', 'vchkpw-imap: setgid 89 failed errno 1 info@example.com:192.0.2.14', IGNORED],
    ['chdir failed (internal)', 'vchkpw-pop3: chdir failed errno 2 /home/vpopmail/domains/example.com/info info@example.com:192.0.2.14', IGNORED],
    ['autocreate dir (internal)', 'vchkpw-pop3: autocreate dir errno 2 /x info@example.com:192.0.2.14', IGNORED],
    ['dir auto create failed (internal)', 'vchkpw-pop3: dir auto create failed info@example.com:192.0.2.14', IGNORED],
    ['putenv failed (internal)', 'vchkpw-pop3: putenv(HOME) failed errno 12 info@example.com:192.0.2.14', IGNORED],
    ["can't write SQL logs", "vchkpw: can't write SQL logs", IGNORED],
  ];
  for (const [name, line, want] of cases) test(name, () => assert.deepEqual(parseVchkpw(line, ctx), want));

  test('the password is in no field of any event', () => {
    for (const [, line] of cases) {
      const e = parseVchkpw(line, ctx);
      for (const secret of ['hunter2', 'toor', "b@c:d'"]) assert.ok(!JSON.stringify(e).includes(secret), line);
    }
  });
});

describe('vchkpw: lines that are not vchkpw lines', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['another program', 'imap-login: Login: user=<a>'],
    ['empty', ''],
    ['service only', 'vchkpw-pop3'],
    ['unknown service word', 'vchkpw-foo: password fail a@b:1.2.3.4'],
    ['a port longer than five digits', 'vchkpw-123456: password fail a@b:1.2.3.4'],
    ['unknown message', 'vchkpw-pop3: something new a@b:1.2.3.4'],
    ['a type without login success', 'vchkpw-pop3: (PLAIN) logged a@b:1.2.3.4'],
    ['colon without space', 'vchkpw-pop3:password fail a@b:1.2.3.4'],
    ['other vchkpw: text', 'vchkpw: something else'],
  ];
  for (const [name, line] of cases) test(name, () => assert.equal(parseVchkpw(line, ctx), null));

  test('every numbered service is one of the eight names or other (a bounded label)', () => {
    const seen = new Set<string>();
    for (let port = 0; port < 100_000; port++) {
      const e = parseVchkpw(`vchkpw-${port}: password fail a@b:192.0.2.1`, ctx);
      assert.ok(e !== null && e.event === 'auth');
      if (e.event === 'auth') seen.add(e.protocol);
    }
    assert.deepEqual([...seen].sort(), ['imap', 'imaps', 'other', 'pop3', 'pop3s', 'smtp', 'smtps', 'submission']);
  });

  test('a cut password field yields no user and no IP (nothing of the password)', () => {
    assert.deepEqual(parseVchkpw("vchkpw-pop3: password fail (pass: 'secret@x:y", ctx), auth('pop3', 'failure', 'bad_password', '', ''));
  });

  test('property: never throws, protocol and reason from the vocabularies', () => {
    const pieces = ['vchkpw-', 'pop3', 'smtp', '2110', ': ', ' ', 'password fail ', "(pass: '", "') ", '@', ':', '(PLAIN) login success ', 'vpopmail user not found '];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 12 }), (parts) => {
        const e = parseVchkpw(parts.join(''), ctx);
        if (e === null || e.event === 'ignored') return;
        assert.equal(e.event, 'auth');
        if (e.event !== 'auth') return;
        assert.ok((AUTH_PROTOCOLS as readonly string[]).includes(e.protocol), e.protocol);
        assert.ok(AUTH_REASONS.includes(e.reason));
        assert.ok(e.remote_ip === '' || isIP(e.remote_ip) !== 0, e.remote_ip);
      }),
      { numRuns: 3000 },
    );
  });
});
