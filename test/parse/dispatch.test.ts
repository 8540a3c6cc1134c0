import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLine, sanitizeListener, isDovecotTag, type ParsedLine } from '../../src/parse/dispatch.js';
import type { LineContext } from '../../src/events/parsed-line.js';

const ctx: LineContext = { referenceTime: 1777636800, listenerHint: 'smtpd' };

/** What a parsed line is, in one word: the record type or the event name, with the program. */
function summary(p: ParsedLine): string {
  switch (p.kind) {
    case 'qmail-send':
      return `qmail-send:${p.record.type}`;
    case 'policy':
      return `empf:${p.record.type}@${p.listener}`;
    case 'mail-recv':
      return `smtp.queued@${p.listener}`;
    case 'event': {
      const e = p.event;
      if (e.event === 'ignored' || e.event === 'unrecognised' || e.event === 'foreign') return `${e.event}:${e.program}`;
      const listener = 'listener' in e ? `@${e.listener}` : '';
      return `${p.program}:${e.event}${listener}`;
    }
  }
}

const cases: { name: string; line: string; want: string; ctx?: LineContext }[] = [
  // first word wins
  { name: 'multilog tcpserver', line: '@400000006aa8e01718c73554 tcpserver: pid 210485 from 198.51.100.4', want: 'tcpserver:connection.open@smtpd' },
  { name: 'syslog splogger: rblsmtpd under tag qmail', line: 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 x', want: 'rblsmtpd:rbl.reject@qmail' },
  { name: 'qmail-smtpd: first word (badiprbl)', line: 'Sep  6 07:18:29 sd6 qmail: 1157519909.633171 qmail-smtpd: 421 badiprbl: ip 198.51.100.54 rbl: example.com', want: 'qmail-smtpd:rbl.reject@qmail' },
  { name: 'CHKUSER', line: 'CHKUSER accepted rcpt: from <a@example.org::> remote <mx:unknown:192.0.2.1> rcpt <info@example.com> : found existing recipient', want: 'chkuser:smtp.recipient@smtpd' },
  { name: 'simscan', line: '@400000006aa8e01a2ad1633c simscan:[210394]:CLEAN (-1.21/9999.00):3.3608s:s:198.51.100.224:a@b:c@d', want: 'simscan:scan' },
  { name: 'simscan diagnostic', line: 'simscan:[210394]: skipping check_dspam, disabled for this domain', want: 'ignored:simscan' },
  { name: 'mail recv', line: '@400000006aa8e01a2bdc4f44 mail recv: pid 210394 from <a@b.example> qp 210429', want: 'smtp.queued@smtpd' },
  { name: 'policy_check', line: '@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)', want: 'empf:check@smtpd' },
  { name: 'qmail-send under multilog', line: '@4000000038c3eeb027f41c7c new msg 93869', want: 'qmail-send:new' },
  { name: 'qmail-send bare stamp', line: '1054189746.373645 delivery 119: success: 195.100.21.7_accepted_message./Remote_host_said:_250_OK/', want: 'qmail-send:result' },
  { name: 'indimail qmail-daemon', line: '2020-06-25 07:50:42.582514500 qmail-daemon: qStart/qCount 1/5', want: 'qmail-send:notice' },
  { name: 'qmail-send warning under tag qmail', line: 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 warning: trouble injecting bounce message, will try later', want: 'qmail-send:notice' },
  { name: 'vchkpw under syslog tag vpopmail', line: 'Sep 14 07:21:42 iron vpopmail[939]: vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198', want: 'vchkpw:auth' },
  { name: 'vchkpw bare with its own tag', line: 'vpopmail[2100]: vchkpw-smtp: password fail info@example.com:192.0.2.7', want: 'vchkpw:auth' },
  { name: 'vchkpw without its syslog tag (multilog)', line: '@400000006955b90a0002f1e8 vchkpw-submission: password fail judy@example.com:192.0.2.29', want: 'vchkpw:auth' },
  // by tag
  { name: 'tag rblsmtpd (tjsi)', line: 'Jun 30 15:13:33 ns1 rblsmtpd: relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -', want: 'rblsmtpd:rbl.reject@rblsmtpd' },
  { name: 'tag dovecot', line: 'Oct 13 09:22:59 canyon dovecot: pop3-login: Info: Login: user=<test@yourdomain.net>, method=PLAIN, rip=172.17.0.1, lip=172.17.0.2, mpid=18, TLS, session=<PeYcgjjOGOisEQAB>', want: 'dovecot:auth' },
  { name: 'dovecot log_path login', line: 'Sep 13 00:03:15 imap-login: Info: Login: user=<info@example.com>, method=PLAIN, rip=203.0.113.207, lip=192.0.2.10, mpid=70157, TLS, session=<fzDAEldbr82XVI7P>', want: 'dovecot:auth' },
  { name: 'dovecot multilog login tag', line: '@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed, 1 attempts): user=<martin@waschbuesch.de>, method=CRAM-MD5, rip=80.187.101.33, lip=80.254.129.240, TLS', want: 'dovecot:auth' },
  { name: 'spamd tag', line: 'Mar 19 08:21:13 h780152 spamd[11565]: connection from localhost [127.0.0.1] at port 49144', want: 'ignored:spamd' },
  { name: 'qmail-scanner tag', line: 'Mar 19 08:21:14 h780152 qmail-scanner[25042]: Clear:RC:0(217.72.192.234):SA:0(0.0/6.0): 1.68 3302 a@b c@d s <m> f', want: 'qmail-scanner:scan' },
  { name: 'qmail-skim.pl in a multilog file', line: 'qmail-skim.pl[24116]: No configuration found and no checks conducted', want: 'ignored:qmail-skim' },
  // unrecognised / foreign
  { name: 'Perl noise in a multilog file', line: 'Out of memory!', want: 'unrecognised:' },
  { name: 'LWQ wrapped half', line: '   /Remote_host_said:_250_CAA01516_Message_accepted_for_delivery/', want: 'unrecognised:' },
  { name: 'known program, bad line', line: 'tcpserver: hello there', want: 'unrecognised:tcpserver' },
  { name: 'qmail-send word, bad line', line: 'delivery x: success: y', want: 'unrecognised:qmail-send' },
  { name: 'stamped line with an unknown first word', line: 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 hello world', want: 'unrecognised:' },
  { name: 'sshd', line: 'Sep  6 07:33:33 sd6 sshd[123]: Accepted publickey for root from 192.0.2.1 port 22', want: 'foreign:sshd' },
  { name: "postfix 'warning:' is not qmail-send's", line: 'Sep  6 07:33:33 mx postfix/smtpd[2112]: warning: hostname x does not resolve', want: 'foreign:postfix/smtpd' },
  { name: 'CRON', line: 'Sep  6 07:33:33 mx CRON[99]: (root) CMD (run-parts /etc/cron.hourly)', want: 'foreign:CRON' },
  { name: 'an unknown site tag carrying a real qmail line still counts', line: 'Sep  6 07:33:33 mx mx-in: tcpserver: pid 1 from 192.0.2.1', want: 'tcpserver:connection.open@mx-in' },
  { name: 'syslog line without a tag', line: 'Sep  6 07:33:33 sd6 last message repeated 2 times', want: 'foreign:' },
  { name: 'splogger continuation alone', line: 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077+_rest/', want: 'unrecognised:splogger' },
  { name: 'listener hint for untagged lines', line: 'tcpserver: status: 1/40', want: 'tcpserver:connection.status@submission', ctx: { referenceTime: 0, listenerHint: 'submission' } },
  { name: 'no listener hint', line: 'tcpserver: status: 1/40', want: 'tcpserver:connection.status@unknown', ctx: { referenceTime: 0, listenerHint: null } },
];

for (const c of cases) test(`dispatch: ${c.name}`, () => assert.equal(summary(parseLine(c.line, c.ctx ?? ctx)), c.want));

test('dispatch: a listener map tag makes a stamp-less unknown line unrecognised, not foreign', () => {
  const line = 'Sep  6 07:33:33 sd6 mx-in: hello world';
  assert.equal(summary(parseLine(line, ctx)), 'foreign:mx-in');
  assert.equal(summary(parseLine(line, ctx, { isKnownTag: (t) => t === 'mx-in' })), 'unrecognised:');
});

test('listener names are sanitised label values', () => {
  assert.equal(sanitizeListener('smtp-mx'), 'smtp-mx');
  assert.equal(sanitizeListener('sub mission!'), 'sub_mission_');
  assert.equal(sanitizeListener(''), 'unknown');
  assert.equal(sanitizeListener('x'.repeat(100)).length, 64);
});

test('dovecot process tags', () => {
  for (const t of ['dovecot', 'imap-login', 'pop3-login', 'auth', 'auth-worker(22401)', 'dovecot-auth', 'imap(info@example.com)', 'auth(a,b,c)<s>']) {
    assert.equal(isDovecotTag(t), true, t);
  }
  for (const t of ['sshd', 'imap', 'postfix/smtpd', 'authd']) assert.equal(isDovecotTag(t), false, t);
});

test('second-round shapes reach their programs', () => {
  const want: ReadonlyArray<readonly [string, string]> = [
    // Plesk and Courier (observed)
    ['Feb 10 10:27:08 s60418 smtp_auth: smtp_auth: FAILED: [USER] - password incorrect  from unknown@ [192.0.2.194]', 'plesk:auth'],
    ['Dec  2 00:15:49 www relaylock: /var/qmail/bin/relaylock: mail from 198.51.100.11:17249 (yourdesktop.example.com)', 'plesk:connection.open@relaylock'],
    ['Nov 10 16:46:44 sv1 qmail-queue-handlers[10036]: possibly qmail-smtpd exited by timeout, reset connection.', 'ignored:plesk'],
    ['Nov 10 16:46:59 sv1 pop3d: 1257871619.663804 DISCONNECTED, user=meg@example.co.uk, ip=[198.51.100.246], top=0', 'ignored:courier'],
    // IndiMail's qmta-send under its own syslog tag (observed)
    ['Dec 08 09:10:19 mail.example.org qmta-send[1197]: local: root@mail.example.org user 13096020 13144 bytes qmta', 'qmail-send:notice'],
    ['Dec 08 09:10:19 mail.example.org qmta-send[1197]: info: qmta-send: /var/indimail/queue/qmta: conf split=23, bigtodo=0', 'qmail-send:notice'],
    // a container runtime's prefix, compose v1 and v2 (observed)
    ['dovecot-mailcow_1 | Dec 21 22:11:08 mail dovecot: lmtp(113): Connect from 172.22.1.6', 'ignored:dovecot'],
    ['testproject-mailserver-1  | Jun 16 09:34:49 f6fb03cbc831 dovecot: ssl-params: Generating SSL parameters', 'ignored:dovecot'],
    ['\u001b[36mqmail_1  |\u001b[0m @400000004b9da2f03b424bb4 new msg 660188', 'qmail-send:new'],
    ['qmail_1  | \u001b[0m@400000004b9da2f03b424bb4 new msg 660188', 'qmail-send:new'],
    // qmail-scanner under a site's own tag
    ['Jun  1 10:00:00 mx qscan[3302]: Clear:RC:0(198.51.100.234):SA:0(0.0/6.0): 1.681359 3302 a@example.org b@example.com subject <id@example.org> 1.2.3', 'qmail-scanner:scan'],
    // another program in dovecot's host-less log_path layout (indimail README's fetchmail lines)
    ['Dec 03 21:00:49 fetchmail: SMTP> EHLO mail.example.org', 'foreign:fetchmail'],
  ];
  for (const [line, expected] of want) assert.ok(summary(parseLine(line, ctx)).startsWith(expected), `${line} → ${summary(parseLine(line, ctx))}`);
});

test('more second-round shapes: docker timestamps, path tags, qscheduler, qmail-scanner script tags, tcpserver notes', () => {
  const want: ReadonlyArray<readonly [string, string]> = [
    ['2026-08-18T14:00:00.000000000Z Jul 31 01:00:00 mail dovecot: imap-login: Login: user=<a@example.com>, method=PLAIN, rip=192.0.2.5, lip=192.0.2.1', 'dovecot:auth'],
    ['Jun  1 10:00:00 mx /var/qmail/bin/relaylock[4321]: /var/qmail/bin/relaylock: mail from 192.0.2.8:1234 (unknown)', 'plesk:connection.open'],
    ['@400000004b9da2f03b424bb4 qscheduler: pid 187, queue /var/indimail/queue/queue1 started', 'qmail-send:notice'],
    ['Jun  1 10:00:00 mx qmail-scanner-queue.pl[3302]: Clear:RC:1(127.0.0.1):SA:1(9.1/5.0): 0.9 3302 a@example.org b@example.com s <i@example.org> 1', 'qmail-scanner:scan'],
    ['tcpserver: sighup: 20/40', 'ignored:tcpserver'],
    ['tcpserver: 3: IP ::ffff:192.0.2.5: PID 1234', 'ignored:tcpserver'],
  ];
  for (const [line, expected] of want) assert.ok(summary(parseLine(line, ctx)).startsWith(expected), `${line} → ${summary(parseLine(line, ctx))}`);
  // the runtime's stamp gives the year-less syslog line its exact time
  const p = parseLine('2026-08-18T14:00:00.000000000Z Jul 31 01:00:00 mail dovecot: imap-login: Login: user=<a@example.com>, rip=192.0.2.5', ctx);
  assert.equal(p.kind === 'event' ? p.event.time : null, Date.UTC(2026, 7, 18, 14) / 1000);
});
