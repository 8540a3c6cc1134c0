import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope } from '../../../src/parse/envelope/index.js';
import { parseSyslog } from '../../../src/parse/envelope/syslog.js';
import type { Envelope, LineContext } from '../../../src/events/parsed-line.js';

// Syslog times are local: expectations are computed with the same Date local-time constructor, so
// the tests hold in any TZ the suite runs under.
const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;

const ctxAt = (referenceTime: number): LineContext => ({ referenceTime, listenerHint: null });
const MAY_2026 = ctxAt(local(2026, 5, 1, 12, 0, 0));

interface Case {
  name: string;
  line: string;
  ctx?: LineContext;
  want: Envelope;
}

const cases: Case[] = [
  {
    name: 'space-padded day, splogger stamp gives the exact time (fail2ban qmail)',
    line: 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.77',
    want: {
      time: 1157520813.485077,
      host: 'sd6',
      tag: 'qmail',
      pid: null,
      message: 'rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.77',
      continuation: false,
    },
  },
  {
    name: 'LWQ syslog copy: 9-digit epoch stamp of the year 1999',
    line: 'Jun  3 11:35:23 sparge qmail: 928424123.963558 delivery 153: success: did_1+0+0/',
    want: { time: 928424123.963558, host: 'sparge', tag: 'qmail', pid: null, message: 'delivery 153: success: did_1+0+0/', continuation: false },
  },
  {
    name: 'tag with pid (ossec vpopmail)',
    line: 'Sep 14 07:21:42 iron vpopmail[939]: vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198',
    want: {
      time: local(2025, 9, 14, 7, 21, 42),
      host: 'iron',
      tag: 'vpopmail',
      pid: 939,
      message: 'vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198',
      continuation: false,
    },
  },
  {
    name: 'day not padded (crowdsecurity dovecot)',
    line: 'Sep 8 07:46:30 canyon dovecot: auth-worker(24544): pam(toto,1.1.1.1): unknown user',
    want: {
      time: local(2025, 9, 8, 7, 46, 30),
      host: 'canyon',
      tag: 'dovecot',
      pid: null,
      message: 'auth-worker(24544): pam(toto,1.1.1.1): unknown user',
      continuation: false,
    },
  },
  {
    name: 'tag is the rblsmtpd program itself (tjsi patch)',
    line: 'Jun 30 15:13:33 ns1 rblsmtpd: relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -',
    want: {
      time: local(2025, 6, 30, 15, 13, 33),
      host: 'ns1',
      tag: 'rblsmtpd',
      pid: null,
      message: 'relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -',
      continuation: false,
    },
  },
  {
    name: 'dovecot log_path: a tag where the host would be',
    line: 'Sep 13 00:03:15 imap-login: Info: Login: user=<info@example.com>, method=PLAIN, rip=203.0.113.207, lip=192.0.2.10, mpid=70157, TLS, session=<fzDAEldbr82XVI7P>',
    want: {
      time: local(2025, 9, 13, 0, 3, 15),
      host: null,
      tag: 'imap-login',
      pid: null,
      message: 'Info: Login: user=<info@example.com>, method=PLAIN, rip=203.0.113.207, lip=192.0.2.10, mpid=70157, TLS, session=<fzDAEldbr82XVI7P>',
      continuation: false,
    },
  },
  {
    name: 'dovecot log_path: auth-worker(pid) keeps its parentheses',
    line: 'Jan 29 13:54:06 auth-worker(22401): Info: sql(admin@example.de,192.0.2.5,<n4JLdHNVngZGpV2j>): unknown user',
    want: {
      time: local(2026, 1, 29, 13, 54, 6),
      host: null,
      tag: 'auth-worker(22401)',
      pid: null,
      message: 'Info: sql(admin@example.de,192.0.2.5,<n4JLdHNVngZGpV2j>): unknown user',
      continuation: false,
    },
  },
  {
    name: "dovecot log_path: auth(user,ip,sasl:login)<session> with a ':' inside",
    line: 'Aug 30 00:10:57 auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>: Info: sql: Password mismatch (given password: XxxxXXxx123)',
    want: {
      time: local(2025, 8, 30, 0, 10, 57),
      host: null,
      tag: 'auth(info@example.com,192.0.2.110,sasl:login)<CvN+E95Uf4e7eEnj>',
      pid: null,
      message: 'Info: sql: Password mismatch (given password: XxxxXXxx123)',
      continuation: false,
    },
  },
  {
    name: 'syslog line without a tag',
    line: 'Sep  6 07:33:33 sd6 last message repeated 2 times',
    want: { time: local(2025, 9, 6, 7, 33, 33), host: 'sd6', tag: null, pid: null, message: 'last message repeated 2 times', continuation: false },
  },
  {
    name: 'splogger continuation record: same stamp then +',
    line: 'Sep  6 07:33:33 sd6 smtp-mx: 1157520813.485077+ : found existing recipient',
    want: { time: 1157520813.485077, host: 'sd6', tag: 'smtp-mx', pid: null, message: ' : found existing recipient', continuation: true },
  },
  {
    name: 'QMailToaster splogger-nostamp continuation: +rest',
    line: 'Sep  6 07:33:33 sd6 smtp: +rest of the line',
    want: { time: local(2025, 9, 6, 7, 33, 33), host: 'sd6', tag: 'smtp', pid: null, message: 'rest of the line', continuation: true },
  },
  {
    name: 'a number that is not a splogger stamp stays in the message',
    line: 'Sep  6 07:33:33 sd6 kernel: 12345.678 something',
    want: { time: local(2025, 9, 6, 7, 33, 33), host: 'sd6', tag: 'kernel', pid: null, message: '12345.678 something', continuation: false },
  },
  {
    name: 'tag with a slash and pid (postfix)',
    line: 'Sep  6 07:33:33 mx postfix/smtpd[2112]: warning: hostname x does not resolve',
    want: { time: local(2025, 9, 6, 7, 33, 33), host: 'mx', tag: 'postfix/smtpd', pid: 2112, message: 'warning: hostname x does not resolve', continuation: false },
  },
  // year inference
  {
    name: 'a December line read in January lands in the previous year',
    line: 'Dec 31 23:59:59 mx qmail: end msg 1',
    ctx: ctxAt(local(2026, 1, 2, 0, 0, 0)),
    want: { time: local(2025, 12, 31, 23, 59, 59), host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
  {
    name: 'a January line read on Dec 31 23:59 is at most a day ahead: next year',
    line: 'Jan  1 00:00:10 mx qmail: end msg 1',
    ctx: ctxAt(local(2025, 12, 31, 23, 59, 0)),
    want: { time: local(2026, 1, 1, 0, 0, 10), host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
  {
    name: 'a line more than a day after the reference time is last year',
    line: 'Jan  3 00:00:10 mx qmail: end msg 1',
    ctx: ctxAt(local(2025, 12, 31, 23, 59, 0)),
    want: { time: local(2025, 1, 3, 0, 0, 10), host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
  {
    name: 'Feb 29 goes to the nearest leap year not after the reference',
    line: 'Feb 29 12:00:00 mx qmail: end msg 1',
    ctx: ctxAt(local(2026, 3, 1, 0, 0, 0)),
    want: { time: local(2024, 2, 29, 12, 0, 0), host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
  {
    name: 'a splogger stamp wins over the year inference',
    line: 'Dec 31 23:59:59 mx qmail: 1767225599.000001 end msg 1',
    ctx: ctxAt(local(2030, 6, 1, 0, 0, 0)),
    want: { time: 1767225599.000001, host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
  {
    name: 'a date that cannot exist keeps the envelope, without a time',
    line: 'Feb 30 12:00:00 mx qmail: end msg 1',
    want: { time: null, host: 'mx', tag: 'qmail', pid: null, message: 'end msg 1', continuation: false },
  },
];

for (const c of cases) {
  test(`syslog: ${c.name}`, () => {
    assert.deepEqual(parseEnvelope(c.line, c.ctx ?? MAY_2026), c.want);
  });
}

const notSyslog = [
  'Sep 45 07:33:33 host tag: x',
  'Sep  6 25:33:33 host tag: x',
  'Sep  6 07:33 host tag: x',
  'Foo  6 07:33:33 host tag: x',
  'Sep',
  'Sep  6 07:33:33',
];
for (const line of notSyslog) {
  test(`syslog: not a syslog header: ${JSON.stringify(line)}`, () => {
    assert.equal(parseSyslog(line, MAY_2026), null);
  });
}

test('syslog: times are read in the process time zone (TZ), daylight saving included', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const moduleUrl = new URL('../../../src/parse/envelope/index.ts', import.meta.url).href;
  const script = `
    const { parseEnvelope } = await import(${JSON.stringify(moduleUrl)});
    const ctx = { referenceTime: Date.UTC(2025, 11, 1) / 1000, listenerHint: null };
    const t = (line) => parseEnvelope(line, ctx).time;
    console.log(JSON.stringify([
      t('Jul  4 12:00:00 mx qmail: new msg 1'),
      t('Jan 15 12:00:00 mx qmail: new msg 1'),
      t('Mar  9 03:30:00 mx qmail: new msg 1'),
    ]));`;
  const run = (tz: string): number[] => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, TZ: tz },
      encoding: 'utf8',
      cwd: fileURLToPath(new URL('../../../', import.meta.url)),
    });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as number[];
  };
  const utc = (mo: number, d: number, h: number, mi: number): number => Date.UTC(2025, mo - 1, d, h, mi) / 1000;
  assert.deepEqual(run('UTC'), [utc(7, 4, 12, 0), utc(1, 15, 12, 0), utc(3, 9, 3, 30)]);
  // New York: EDT (UTC-4) in July, EST (UTC-5) in January; 2025-03-09 03:30 is just after the spring change (EDT)
  assert.deepEqual(run('America/New_York'), [utc(7, 4, 16, 0), utc(1, 15, 17, 0), utc(3, 9, 7, 30)]);
});

test('a tag written as a path is named by its last part (Plesk: /var/qmail/bin/relaylock[123]:)', () => {
  const e = parseEnvelope('Jun  1 10:00:00 mx /var/qmail/bin/relaylock[4321]: /var/qmail/bin/relaylock: mail from 192.0.2.8:1234 (unknown)', {
    referenceTime: 1777636800,
    listenerHint: null,
  });
  assert.equal(e.tag, 'relaylock');
  assert.equal(e.pid, 4321);
  assert.ok(e.message.startsWith('/var/qmail/bin/relaylock: mail from'));
});

test('journalctl -o short-precise: fractional seconds after the clock', () => {
  const ctx: LineContext = { referenceTime: Date.UTC(2023, 11, 31) / 1000, listenerHint: null };
  const e = parseEnvelope('Dec 08 09:10:19.123456 mail.example.org qmta-send[1197]: end msg 13096002', ctx);
  assert.equal(e.tag, 'qmta-send');
  assert.equal(e.message, 'end msg 13096002');
  assert.ok(Math.abs((e.time ?? 0) - (Date.UTC(2023, 11, 8, 9, 10, 19) / 1000 + 0.123456)) < 1e-6);
});
