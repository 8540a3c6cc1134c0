import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { parseDovecot } from '../../src/parse/dovecot.js';
import type { MailEvent } from '../../src/events/events.js';
import { AUTH_PROTOCOLS, AUTH_REASONS } from '../../src/events/events.js';

const ctx = { time: 1284616260, listener: 'smtp' };

function auth(protocol: string, result: string, reason: string, user: string, remoteIp: string): MailEvent {
  return { event: 'auth', time: ctx.time, protocol, result, reason, user, remote_ip: remoteIp } as MailEvent;
}
const fail = (protocol: string, user: string, ip: string, reason = 'auth_failed') => auth(protocol, 'failure', reason, user, ip);
const ok = (protocol: string, user: string, ip: string) => auth(protocol, 'success', 'none', user, ip);
const IGNORED: MailEvent = { event: 'ignored', time: ctx.time, program: 'dovecot' };

/**
 * The dovecot process name and what follows, as the dispatcher hands it over: syslog 'dovecot:' lines
 * keep 'dovecot: ' in the message, log_path files and multilog lines start at the process name.
 */
const PROCESS =
  /(?:^|\s)((?:dovecot: )?(?:(?:imap|pop3|submission|managesieve)-login: |(?:imap|pop3|lmtp)\(|auth-worker\(|auth\(|auth: |dovecot-auth: ).*)$/;

/**
 * test/fixtures/logs/auth/dovecot.log, line by line: fail2ban tests/files/logs/dovecot (lines 1-60),
 * crowdsecurity/hub .tests/dovecot-logs (61-75), itlinux/qmail-grafical-stats tests/fixtures/dovecot.log
 * (76-88). Detail lines of the auth process are ignored: the summary of the same attempt counts.
 */
const EXPECTED: readonly MailEvent[] = [
  /* 1 */ fail('imap', 'martin@waschbuesch.de', '80.187.101.33'),
  /* 2 */ IGNORED, // dovecot-auth: pam_unix authentication failure
  /* 3 */ IGNORED,
  /* 4 */ IGNORED,
  /* 5 */ IGNORED, // tried to use disabled plaintext auth
  /* 6 */ IGNORED, // tried to use disallowed plaintext auth
  /* 7 */ fail('imap', 'username.bob', '49.176.98.87'), // 2 attempts: one event per summary line
  /* 8 */ fail('imap', '', '59.167.242.100'), // no user element
  /* 9 */ fail('pop3', 'info', '193.95.245.163'),
  /* 10 */ fail('imap', 'test', '192.0.2.241'), // 2.4 'Login aborted: ... (auth_failed)'
  /* 11 */ fail('managesieve', 'user@domain', '192.0.2.241'),
  /* 12 */ fail('pop3', 'test', '192.51.100.13'),
  /* 13 */ IGNORED, // auth(default): pam(...): pam_authenticate() failed
  /* 14 */ IGNORED,
  /* 15 */ IGNORED,
  /* 16 */ IGNORED,
  /* 17 */ IGNORED, // unknown user
  /* 18 */ IGNORED,
  /* 19 */ IGNORED,
  /* 20 */ IGNORED,
  /* 21 */ IGNORED, // Password mismatch
  /* 22 */ IGNORED,
  /* 23 */ IGNORED,
  /* 24 */ IGNORED,
  /* 25 */ IGNORED,
  /* 26 */ IGNORED,
  /* 27 */ IGNORED,
  /* 28 */ IGNORED, // auth: pam_unix(dovecot:auth)
  /* 29 */ fail('pop3', 'ivo', '1.2.3.4'),
  /* 30 */ fail('pop3', 'ivo', '1.2.3.4'),
  /* 31 */ fail('pop3', 'grace', '212.9.180.3'),
  /* 32 */ fail('pop3', 'carl.matx@sxxxxxxx.net', '1.2.3.4'),
  /* 33 */ fail('pop3', 'suzanne', '117.218.51.80'),
  /* 34 */ IGNORED, // no auth attempts, TLS handshaking failure
  /* 35 */ IGNORED,
  /* 36 */ IGNORED,
  /* 37 */ IGNORED,
  /* 38 */ IGNORED,
  /* 39 */ IGNORED, // ldap invalid credentials
  /* 40 */ fail('imap', 'rtomes@acenet.com.au', '192.0.2.4', 'proxy_failed'),
  /* 41 */ IGNORED, // Too many invalid commands (tried to use disallowed plaintext auth)
  /* 42 */ fail('imap', 'test', '192.0.2.2'),
  /* 43 */ fail('imap', 'administrator@example.com', '192.0.2.3'),
  /* 44 */ fail('imap', 'test@example.com', '192.0.2.4'),
  /* 45 */ IGNORED,
  /* 46 */ IGNORED,
  /* 47 */ IGNORED,
  /* 48 */ IGNORED,
  /* 49 */ IGNORED,
  /* 50 */ fail('submission', 'user1', '192.0.2.133'), // Client has quit the connection
  /* 51 */ fail('submission', 'user4', '192.0.2.169'), // Remote closed connection
  /* 52 */ fail('managesieve', 'myself', '192.0.2.100'),
  /* 53 */ IGNORED, // 2.4 auth(user,ip,sasl:login)<session>: sql: Password mismatch
  /* 54 */ fail('imap', 'info@example.com', '192.0.2.110'), // ... and its summary
  /* 55 */ IGNORED, // (no auth attempts ...) (no_auth_attempts)
  /* 56 */ IGNORED, // disconnected before auth was ready
  /* 57 */ IGNORED, // client didn't finish SASL auth
  /* 58 */ IGNORED,
  /* 59 */ IGNORED, // disconnected during TLS handshake
  /* 60 */ IGNORED,
  /* 61 */ IGNORED,
  /* 62 */ IGNORED,
  /* 63 */ fail('imap', 'toto@toto.com', '1.1.1.1'),
  /* 64 */ fail('pop3', 'hess@lol.fr', '172.17.0.1'),
  /* 65 */ fail('imap', 'hess@test.fr', '172.17.0.1'),
  /* 66 */ fail('imap', 'hess@testnew.fr', '172.17.0.1'),
  /* 67 */ fail('pop3', 'test@yourdomain.net', '172.17.0.1'),
  /* 68 */ IGNORED,
  /* 69 */ ok('pop3', 'test@yourdomain.net', '172.17.0.1'),
  /* 70 */ IGNORED,
  /* 71 */ IGNORED,
  /* 72 */ IGNORED,
  /* 73 */ IGNORED,
  /* 74 */ IGNORED,
  /* 75 */ IGNORED,
  /* 76 */ ok('imap', 'info@example.com', '203.0.113.207'),
  /* 77 */ ok('imap', 'info@example.com', '203.0.113.207'),
  /* 78 */ ok('imap', 'info@example.com', '203.0.113.207'),
  /* 79 */ IGNORED,
  /* 80 */ IGNORED,
  /* 81 */ IGNORED,
  /* 82 */ IGNORED,
  /* 83 */ IGNORED,
  /* 84 */ IGNORED,
  /* 85 */ IGNORED,
  /* 86 */ fail('imap', 'admin@example.com', '203.0.113.26'),
  /* 87 */ fail('imap', 'test@example.com', '203.0.113.26'),
  /* 88 */ IGNORED, // imap(user): Logged out
];

describe('dovecot: every real line of test/fixtures/logs/auth/dovecot.log', () => {
  const lines = readFileSync(new URL('../fixtures/logs/auth/dovecot.log', import.meta.url), 'utf8').split('\n').filter(Boolean);
  test('one expectation per fixture line', () => assert.equal(lines.length, EXPECTED.length));
  lines.forEach((line, i) => {
    test(`${i + 1}: ${line.slice(0, 140)}`, () => {
      const match = PROCESS.exec(line);
      assert.ok(match?.[1] !== undefined, 'the process name is found');
      assert.deepEqual(parseDovecot(match[1], ctx), EXPECTED[i]);
    });
  });

  test('the detail lines are not counted: failures equal summary lines', () => {
    const failures = EXPECTED.filter((e) => e.event === 'auth' && e.result === 'failure').length;
    const summaries = lines.filter((l) => /-login: .*\((auth failed|proxy dest auth failed)/.test(l)).length;
    assert.equal(failures, summaries);
  });
});

describe('dovecot: forms from dovecot source (from format, not observed)', () => {
  const cases: ReadonlyArray<readonly [string, string, MailEvent | null]> = [
    [
      'webmail: imap login from 127.0.0.1',
      'imap-login: Login: user=<info@example.com>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=4242, secured, session=<abc>',
      ok('webmail', 'info@example.com', '127.0.0.1'),
    ],
    [
      'webmail: imap login from ::1',
      'imap-login: Info: Login: user=<info@example.com>, method=PLAIN, rip=::1, lip=::1, mpid=4242, secured',
      ok('webmail', 'info@example.com', '::1'),
    ],
    [
      'webmail: imap failure from localhost',
      'imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<info@example.com>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, secured',
      fail('webmail', 'info@example.com', '127.0.0.1'),
    ],
    [
      'pop3 from localhost stays pop3',
      'pop3-login: Login: user=<info@example.com>, method=PLAIN, rip=127.0.0.1, lip=127.0.0.1, mpid=1',
      ok('pop3', 'info@example.com', '127.0.0.1'),
    ],
    [
      'IPv6 login',
      'submission-login: Login: user=<info@example.com>, method=LOGIN, rip=2001:db8::25, lip=2001:db8::1, mpid=7, TLS',
      ok('submission', 'info@example.com', '2001:db8::25'),
    ],
    [
      'managesieve login, 2.0 elements (no session)',
      'managesieve-login: Login: user=<info@example.com>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2, mpid=9',
      ok('managesieve', 'info@example.com', '192.0.2.1'),
    ],
    [
      'user disabled',
      'imap-login: Disconnected (user disabled): user=<info@example.com>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      fail('imap', 'info@example.com', '192.0.2.1', 'access_denied'),
    ],
    [
      'login disabled',
      'pop3-login: Disconnected (login disabled): user=<info@example.com>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      fail('pop3', 'info@example.com', '192.0.2.1', 'access_denied'),
    ],
    [
      'password expired',
      'imap-login: Disconnected (password expired): user=<info@example.com>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      fail('imap', 'info@example.com', '192.0.2.1', 'password_expired'),
    ],
    [
      'authorization failed (master user)',
      'imap-login: Disconnected (authorization failed, 1 attempts in 2 secs): user=<a*master>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      fail('imap', 'a*master', '192.0.2.1'),
    ],
    ['dovecot 1.x Aborted login', 'imap-login: Aborted login (auth failed, 3 attempts): user=<x>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2', fail('imap', 'x', '192.0.2.1')],
    [
      'disconnected while authenticating',
      'imap-login: Disconnected (disconnected while authenticating, waited 3 secs): user=<x>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      IGNORED,
    ],
    ['auth service temporary failure', 'pop3-login: Disconnected (auth service reported temporary failure): user=<x>, method=PLAIN, rip=192.0.2.1', IGNORED],
    ['internal failure after a successful auth', 'pop3-login: Disconnected (internal failure, 1 successful auths): user=<x>, method=PLAIN, rip=192.0.2.1', IGNORED],
    [
      'proxy progress line',
      'imap-login: proxy(info@example.com): started proxying to 192.0.2.9:143: user=<info@example.com>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      IGNORED,
    ],
    [
      'max userip connections after a good login',
      'imap-login: Maximum number of connections from user+IP exceeded (mail_max_userip_connections=10): user=<x>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2',
      IGNORED,
    ],
    ['vpopmail passdb: service disabled for the user', 'auth: vpopmail(info@example.com,192.0.2.1): pop3 disabled in vpopmail for this user', IGNORED],
    ['auth-worker passdb password mismatch (2.3 with session)', 'auth-worker(123): sql(info@example.com,192.0.2.1,<abc>): Password mismatch', IGNORED],
    ['pam_unix without the dovecot-auth tag', 'pam_unix(dovecot:auth): authentication failure; logname= uid=0 euid=0 tty=dovecot ruser=x rhost=192.0.2.1', IGNORED],
    ['mailbox end 2.2', 'imap(info@example.com): Disconnected: Logged out in=412 out=90210', IGNORED],
    ['mailbox end 2.3', 'imap(info@example.com)<4242><abcdef>: Logged out in=412 out=90210', IGNORED],
    ['mailbox end pop3', 'pop3(info@example.com): Disconnected: Logged out top=0/0, retr=1/2048, del=1/1, size=2048', IGNORED],
    ['mailbox connection closed', 'imap(info@example.com): Connection closed (IDLE running for 0.001 + waiting input for 1795.878 secs) in=1 out=2', IGNORED],
  ];
  for (const [name, line, want] of cases) test(name, () => assert.deepEqual(parseDovecot(line, ctx), want));
});

describe('dovecot: client text and unknown text', () => {
  test("a user name holding '(auth failed, ' does not make a failure", () => {
    const line = 'imap-login: Disconnected (tried to use disallowed plaintext auth): user=<x (auth failed, 9 attempts)>, rip=192.0.2.1, lip=192.0.2.2';
    assert.deepEqual(parseDovecot(line, ctx), IGNORED);
  });

  test("a user name holding '>, rip=' does not move the remote IP", () => {
    const line = 'imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<a>, rip=6.6.6.6>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2';
    assert.deepEqual(parseDovecot(line, ctx), fail('imap', 'a>, rip=6.6.6.6', '192.0.2.1'));
  });

  test('a 100 KB user name of ":" and "<" parses (timing: bench/program-parsers.ts)', () => {
    const user = ':<'.repeat(50_000);
    const line = `imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${user}>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2`;
    assert.deepEqual(parseDovecot(line, ctx), fail('imap', user, '192.0.2.1'));
  });

  const unknown: ReadonlyArray<readonly [string, string]> = [
    ['empty', ''],
    ['another program', 'tcpserver: status: 1/40'],
    ['login process without elements', 'imap-login: Fatal: Invalid configuration'],
    ['auth process text without a detail marker', 'auth: Warning: something new happened'],
    ['unknown login service', 'doveadm-login: Login: user=<a>, rip=192.0.2.1'],
    ['"auth" as a prefix of another word', 'authority: unknown user'],
  ];
  for (const [name, line] of unknown) test(`not recognised: ${name}`, () => assert.equal(parseDovecot(line, ctx), null));

  // dovecot's processes that never report a login are dovecot's all the same: recognised, ignored
  const ignoredLines: ReadonlyArray<readonly [string, string]> = [
    ['other dovecot processes', 'dovecot: master: Dovecot v2.3.21 starting up for imap, pop3'],
    ['ssl-params (observed, antespi/docker-imap-devel#5)', 'dovecot: ssl-params: Generating SSL parameters'],
    ['mailbox process message that is no session end', 'imap(info@example.com): Error: Mailbox INBOX: quota exceeded'],
    ['lmtp connect (observed, mailcow/mailcow-dockerized#2111)', 'dovecot: lmtp(113): Connect from 172.22.1.6'],
    ['dovecot 1.x capitals (observed)', 'dovecot: POP3(nilator): Disconnected: Logged out top=0/0, retr=0/0, del=0/50, size=1955224'],
    ['dovecot 1.0 aborted login', 'dovecot: imap-login: Aborted login [192.0.2.5]'],
  ];
  for (const [name, line] of ignoredLines) {
    test(`ignored: ${name}`, () => assert.equal(parseDovecot(line, ctx)?.event, 'ignored'));
  }

  test('dovecot 1.0 login and 2.4 wording are successes', () => {
    assert.deepEqual(parseDovecot('dovecot: pop3-login: Login: user1 [192.0.2.5]', ctx), {
      event: 'auth', time: ctx.time, protocol: 'pop3', result: 'success', reason: 'none', user: 'user1', remote_ip: '192.0.2.5',
    });
    const e = parseDovecot('imap-login: Logged in: user=<carol@example.com>, method=PLAIN, rip=203.0.113.7, lip=192.0.2.1', ctx);
    assert.equal(e?.event === 'auth' && e.result === 'success' && e.remote_ip === '203.0.113.7', true);
  });

  test('property: never throws, protocol and reason from the vocabularies', () => {
    const pieces = ['dovecot: ', 'imap-login: ', 'pop3-login: ', 'Info: ', 'Login: ', 'Disconnected ', '(auth failed, 1 attempts)', ': user=<', '>', ', rip=', '127.0.0.1', ', method=PLAIN', 'auth-worker(1): ', 'unknown user', 'imap(', '): ', 'Logged out'];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 4 })), { maxLength: 14 }), (parts) => {
        const e = parseDovecot(parts.join(''), ctx);
        if (e === null || e.event === 'ignored') return;
        assert.equal(e.event, 'auth');
        if (e.event !== 'auth') return;
        assert.ok((AUTH_PROTOCOLS as readonly string[]).includes(e.protocol));
        assert.ok(AUTH_REASONS.includes(e.reason));
      }),
      { numRuns: 3000 },
    );
  });
});

test('dovecot 2.3 log_path: passdb notes, login-process errors and other processes are ignored', () => {
  for (const line of [
    'auth: Info: checkpassword(a@example.com,192.0.2.4,<abc>): Login failed',
    'auth: Error: checkpassword(a@example.com,192.0.2.4,<abc>): Child 1234 exited with status 111',
    'imap-login: Error: SSL_accept() failed: error:14094416',
    'anvil: Info: Anvil: something',
    'lmtp(a@example.com)<1234><sess>: Info: msgid=<x@example.com>: saved mail to INBOX',
  ]) {
    assert.equal(parseDovecot(line, ctx)?.event, 'ignored', line);
  }
});
