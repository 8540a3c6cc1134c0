import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope, readEnvelope } from '../../../src/parse/envelope/index.js';
import { readSploggerStamp } from '../../../src/parse/envelope/splogger.js';
import type { Envelope, LineContext } from '../../../src/events/parsed-line.js';

const ctx: LineContext = { referenceTime: 1777636800, listenerHint: null };

const cases: { name: string; line: string; want: Envelope }[] = [
  {
    name: 'bare line: no time, no tag, the whole text',
    line: 'tcpserver: pid 23904 from 192.168.1.165',
    want: { time: null, host: null, tag: null, pid: null, message: 'tcpserver: pid 23904 from 192.168.1.165', continuation: false },
  },
  {
    name: "bare 'vpopmail[2100]: ' → tag and pid",
    line: 'vpopmail[2100]: vchkpw-smtp: password fail info@example.com:192.0.2.7',
    want: { time: null, host: null, tag: 'vpopmail', pid: 2100, message: 'vchkpw-smtp: password fail info@example.com:192.0.2.7', continuation: false },
  },
  {
    name: 'bare Perl noise',
    line: 'BEGIN failed--compilation aborted at /opt/bin/qmail-skim.pl line 18.',
    want: {
      time: null,
      host: null,
      tag: null,
      pid: null,
      message: 'BEGIN failed--compilation aborted at /opt/bin/qmail-skim.pl line 18.',
      continuation: false,
    },
  },
  {
    name: 'bare splogger stamp (FransUrbo qmail-stats.pl)',
    line: '1054189746.123136 new msg 161214',
    want: { time: 1054189746.123136, host: null, tag: null, pid: null, message: 'new msg 161214', continuation: false },
  },
  {
    name: 'the LWQ wrapped half',
    line: '   /Remote_host_said:_250_CAA01516_Message_accepted_for_delivery/',
    want: {
      time: null,
      host: null,
      tag: null,
      pid: null,
      // the indentation is dropped like any web page's; the half line is still no record of its own
      message: '/Remote_host_said:_250_CAA01516_Message_accepted_for_delivery/',
      continuation: false,
    },
  },
  { name: 'empty line', line: '', want: { time: null, host: null, tag: null, pid: null, message: '', continuation: false } },
];

for (const c of cases) test(`envelope: ${c.name}`, () => assert.deepEqual(parseEnvelope(c.line, ctx), c.want));

test('splogger stamp: exactly six microsecond digits, then space or +', () => {
  assert.deepEqual(readSploggerStamp('1157520813.485077 x', 0), { time: 1157520813.485077, continuation: false, messageStart: 18 });
  assert.deepEqual(readSploggerStamp('1157520813.485077+x', 0), { time: 1157520813.485077, continuation: true, messageStart: 18 });
  assert.equal(readSploggerStamp('1157520813.48507 x', 0), null);
  assert.equal(readSploggerStamp('1157520813.4850777 x', 0), null);
  assert.equal(readSploggerStamp('.485077 x', 0), null);
  assert.equal(readSploggerStamp('1234567890123.485077 x', 0), null);
});

test('envelope formats are reported to the dispatcher', () => {
  assert.equal(readEnvelope('Sep  6 07:33:33 sd6 qmail: 1157520813.485077 new msg 1', ctx).format, 'syslog');
  assert.equal(readEnvelope('Sep  6 07:33:33 sd6 qmail: 1157520813.485077 new msg 1', ctx).stamped, true);
  assert.equal(readEnvelope('Sep 13 00:03:15 imap-login: Info: x', ctx).format, 'syslog-hostless');
  assert.equal(readEnvelope('@4000000038c3eeb104a6ecf4 new msg 1', ctx).format, 'tai64n');
  assert.equal(readEnvelope('2023-06-28 16:17:26.501272173 new msg 1', ctx).format, 'tai64n-local');
  assert.equal(readEnvelope('2023-06-28T16:17:26Z mx qmail: new msg 1', ctx).format, 'rfc3339');
  assert.equal(readEnvelope('Sat Dec 19 03:02:51 2009  new msg 1', ctx).format, 'ctime');
  assert.equal(readEnvelope('new msg 1', ctx).format, 'bare');
});

const garbage: [string, string][] = [
  ['invalid UTF-8 decoded as U+FFFD', Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x28, 0x20, 0x3a]).toString('utf8')],
  ['NUL bytes', 'Sep  6 07:33:33 sd6 qmail:\u0000 1157520813.485077\u0000 new msg \u0000'],
  ['a 1 MB line', 'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 ' + 'x'.repeat(1 << 20)],
  ['only an @', '@'],
  ['@ and 24 non-hex characters', '@zzzzzzzzzzzzzzzzzzzzzzzz message'],
  ['a date and nothing else', '2023-06-28'],
  ['a lone surrogate', '\ud800 tcpserver: x'],
];
for (const [name, line] of garbage) {
  test(`envelope: garbage never throws (${name})`, () => {
    const e = parseEnvelope(line, ctx);
    assert.equal(typeof e.message, 'string');
  });
}
