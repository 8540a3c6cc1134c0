import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEnvelope } from '../../../src/parse/envelope/index.js';
import type { Envelope, LineContext } from '../../../src/events/parsed-line.js';

const ctx: LineContext = { referenceTime: 0, listenerHint: null };

const cases: { name: string; line: string; want: Envelope }[] = [
  {
    name: 'offset +01:00 with microseconds (crowdsecurity dovecot)',
    line: '2024-12-31T06:56:17.784598+01:00 mail dovecot: auth-worker(10377): conn unix:auth-worker (pid=919,uid=112): auth-worker<1>: sql(testing@example.com,192.168.1.1): unknown user (given password: Password123$)',
    want: {
      time: Date.UTC(2024, 11, 31, 5, 56, 17) / 1000 + 0.784598,
      host: 'mail',
      tag: 'dovecot',
      pid: null,
      message: 'auth-worker(10377): conn unix:auth-worker (pid=919,uid=112): auth-worker<1>: sql(testing@example.com,192.168.1.1): unknown user (given password: Password123$)',
      continuation: false,
    },
  },
  {
    name: 'negative offset and a pid',
    line: '2026-05-01T10:00:00.123456-04:30 mx qmail-smtpd[42]: AUTH successful [192.0.2.1] user',
    want: {
      time: Date.UTC(2026, 4, 1, 14, 30, 0) / 1000 + 0.123456,
      host: 'mx',
      tag: 'qmail-smtpd',
      pid: 42,
      message: 'AUTH successful [192.0.2.1] user',
      continuation: false,
    },
  },
  {
    name: 'Z and no fraction; a splogger stamp still wins',
    line: '2026-05-01T10:00:00Z mx qmail: 1777629600.500000 new msg 1',
    want: { time: 1777629600.5, host: 'mx', tag: 'qmail', pid: null, message: 'new msg 1', continuation: false },
  },
];

for (const c of cases) {
  test(`rfc3339: ${c.name}`, () => assert.deepEqual(parseEnvelope(c.line, ctx), c.want));
}

test('rfc3339: a broken offset is not an RFC 3339 header', () => {
  const e = parseEnvelope('2026-05-01T10:00:00+0x:00 mx qmail: new msg 1', ctx);
  assert.equal(e.time, null);
  assert.equal(e.host, null);
});

test('journalctl -o short-iso: an offset without a colon', () => {
  const e = parseEnvelope('2023-12-08T09:10:19+0530 mail.example.org qmta-send[1197]: end msg 13096002', { referenceTime: 0, listenerHint: null });
  assert.equal(e.time, Date.UTC(2023, 11, 8, 3, 40, 19) / 1000);
  assert.equal(e.tag, 'qmta-send');
});
