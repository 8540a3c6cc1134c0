import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope } from '../../../src/parse/envelope/index.js';
import { tai64nToUnix } from '../../../src/parse/envelope/multilog.js';
import type { Envelope, LineContext } from '../../../src/events/parsed-line.js';

const local = (y: number, mo: number, d: number, h: number, mi: number, s: number): number =>
  new Date(y, mo - 1, d, h, mi, s).getTime() / 1000;
const ctx: LineContext = { referenceTime: local(2026, 5, 1, 12, 0, 0), listenerHint: 'smtpd' };

test('TAI64N: seconds = hex - 2^62 - 10, nanoseconds from the last 8 hex digits (LWQ label)', () => {
  // 0x38c3eeb1 = 952364721; 0x04a6ecf4 = 78048500 ns
  assert.equal(tai64nToUnix('@4000000038c3eeb104a6ecf4'), 952364711 + 78048500 / 1e9);
  assert.equal(tai64nToUnix('@400000006aa8e01718c73554'), 0x6aa8e017 - 10 + 0x18c73554 / 1e9);
  assert.equal(tai64nToUnix('@4000000000000000' + '00000000'), -10);
  assert.equal(tai64nToUnix('@4000000038c3eeb1ffffffff'), null, 'nanoseconds above 999999999');
  assert.equal(tai64nToUnix('@4000000038c3eeb104a6ecfZ'), null);
});

interface Case {
  name: string;
  line: string;
  want: Envelope;
}

const cases: Case[] = [
  {
    name: 'multilog t + qmail-send',
    line: '@4000000038c3eeb104a6ecf4 delivery 153: success: did_1+0+0/',
    want: { time: 952364711.0780485, host: null, tag: null, pid: null, message: 'delivery 153: success: did_1+0+0/', continuation: false },
  },
  {
    name: "multilog t + 'tcpserver:' is a program first word, not a tag",
    line: '@400000006aa8e01718c73554 tcpserver: pid 210485 from 198.51.100.4',
    want: {
      time: 0x6aa8e017 - 10 + 0x18c73554 / 1e9,
      host: null,
      tag: null,
      pid: null,
      message: 'tcpserver: pid 210485 from 198.51.100.4',
      continuation: false,
    },
  },
  {
    name: "multilog t + 'status:' is qmail-send's word",
    line: '@4000000038c3eeb0287b55ac status: local 0/10 remote 1/20',
    want: { time: 0x38c3eeb0 - 10 + 0x287b55ac / 1e9, host: null, tag: null, pid: null, message: 'status: local 0/10 remote 1/20', continuation: false },
  },
  {
    name: 'multilog t + simscan (no space after the colon)',
    line: '@400000006aa8e0173706c8cc simscan:[210394]: skipping check_spam, disabled for this domain',
    want: {
      time: 0x6aa8e017 - 10 + 0x3706c8cc / 1e9,
      host: null,
      tag: null,
      pid: null,
      message: 'simscan:[210394]: skipping check_spam, disabled for this domain',
      continuation: false,
    },
  },
  {
    name: 'multilog t + a dovecot process tag',
    line: '@400000004c91b044077a9e94 imap-login: Info: Aborted login (auth failed, 1 attempts): user=<martin@waschbuesch.de>, method=CRAM-MD5, rip=80.187.101.33, lip=80.254.129.240, TLS',
    want: {
      time: 0x4c91b044 - 10 + 0x077a9e94 / 1e9,
      host: null,
      tag: 'imap-login',
      pid: null,
      message: 'Info: Aborted login (auth failed, 1 attempts): user=<martin@waschbuesch.de>, method=CRAM-MD5, rip=80.187.101.33, lip=80.254.129.240, TLS',
      continuation: false,
    },
  },
  {
    name: 'tai64nlocal with nanoseconds (readable_datetime patch)',
    line: '2023-06-28 16:17:26.501272173 tcpserver: status: 0/200/0',
    want: {
      time: local(2023, 6, 28, 16, 17, 26) + 0.501272173,
      host: null,
      tag: null,
      pid: null,
      message: 'tcpserver: status: 0/200/0',
      continuation: false,
    },
  },
  {
    name: 'tai64nlocal + indimail qmail-daemon (a program word, not a tag)',
    line: '2020-06-25 07:50:42.582514500 qmail-daemon: qStart/qCount 1/5',
    want: {
      time: local(2020, 6, 25, 7, 50, 42) + 0.5825145,
      host: null,
      tag: null,
      pid: null,
      message: 'qmail-daemon: qStart/qCount 1/5',
      continuation: false,
    },
  },
  {
    name: 'dovecot YYYY-MM-DD HH:MM:SS (no fraction) + auth-worker(default)',
    line: '2013-08-11 03:56:40 auth-worker(default): Info: pam(username,1.2.3.4): pam_authenticate() failed: Authentication failure (password mismatch?)',
    want: {
      time: local(2013, 8, 11, 3, 56, 40),
      host: null,
      tag: 'auth-worker(default)',
      pid: null,
      message: 'Info: pam(username,1.2.3.4): pam_authenticate() failed: Authentication failure (password mismatch?)',
      continuation: false,
    },
  },
  {
    name: 'multilog localtime patch: ctime and two spaces',
    line: 'Sat Dec 19 03:02:51 2009  new msg 123',
    want: { time: local(2009, 12, 19, 3, 2, 51), host: null, tag: null, pid: null, message: 'new msg 123', continuation: false },
  },
  {
    name: 'multilog localtime patch: space-padded day',
    line: 'Wed Dec  9 03:02:51 2009  end msg 123',
    want: { time: local(2009, 12, 9, 3, 2, 51), host: null, tag: null, pid: null, message: 'end msg 123', continuation: false },
  },
];

for (const c of cases) {
  test(`multilog: ${c.name}`, () => {
    assert.deepEqual(parseEnvelope(c.line, ctx), c.want);
  });
}
