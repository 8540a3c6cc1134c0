import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailEvent } from '../../src/events/events.js';
import { parseRblsmtpd } from '../../src/parse/rblsmtpd.js';

const ctx = { time: 5, listener: 'smtp' };
const reject = (remote_ip: string, code: string): MailEvent =>
  ({ event: 'rbl.reject', time: 5, listener: 'smtp', remote_ip, code }) as MailEvent;

const cases: { name: string; message: string; want: MailEvent | null }[] = [
  {
    name: 'vanilla 0.88 (451)',
    message: 'rblsmtpd: 192.0.2.9 pid 4242: 451 http://www.spamhaus.org/query/bl?ip=192.0.2.9',
    want: reject('192.0.2.9', '451'),
  },
  { name: 'vanilla 0.88 with -b (553)', message: 'rblsmtpd: 192.0.2.9 pid 4242: 553 listed', want: reject('192.0.2.9', '553') },
  {
    name: 'zone before the colon (fail2ban sample)',
    message: 'rblsmtpd: 198.51.100.77 pid 19597 sbl-xbl.spamhaus.org: 451 http://www.spamhaus.org/query/bl?ip=198.51.100.77',
    want: reject('198.51.100.77', '451'),
  },
  { name: 'an unusual code', message: 'rblsmtpd: 192.0.2.9 pid 1: 450 go away', want: reject('192.0.2.9', 'unknown') },
  { name: 'IPv6', message: 'rblsmtpd: 2001:db8::7 pid 1: 554 listed', want: reject('2001:db8::7', '554') },
  {
    name: 'tjsi patch, tag rblsmtpd (no first word)',
    message: 'relays.ordb.org blocked 193.111.120.47 ordb-test.null.dk -',
    want: reject('193.111.120.47', 'unknown'),
  },
  {
    name: 'tjsi patch with the first word',
    message: 'rblsmtpd: relays.osirusoft.com blocked 192.203.178.107 sbl.crynwr.com -',
    want: reject('192.203.178.107', 'unknown'),
  },
  { name: 'pid not a number', message: 'rblsmtpd: 192.0.2.9 pid x: 451 t', want: null },
  { name: 'no colon', message: 'rblsmtpd: 192.0.2.9 pid 12 451', want: null },
  { name: 'one word', message: 'rblsmtpd: hello', want: null },
];

for (const c of cases) test(`rblsmtpd: ${c.name}`, () => assert.deepEqual(parseRblsmtpd(c.message, ctx), c.want));
