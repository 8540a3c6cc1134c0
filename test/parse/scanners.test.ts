import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailEvent, ScanResult } from '../../src/events/events.js';
import { parseQmailScanner, parseSimscan, parseSpamd } from '../../src/parse/scanners.js';

const ctx = { time: 1, listener: 'smtpd' };
const scan = (scanner: 'simscan' | 'qmail-scanner', result: ScanResult): MailEvent => ({ event: 'scan', time: 1, scanner, result });
const ignoredSimscan: MailEvent = { event: 'ignored', time: 1, program: 'simscan' };

const simscan: { name: string; message: string; want: MailEvent | null }[] = [
  {
    name: 'CLEAN, two numbers (itlinux sample)',
    message:
      'simscan:[210394]:CLEAN (-1.21/9999.00):3.3608s:=?UTF-8?Q?=F0=9F=98=8D_SUNNYDEALS_|_-20%_di_EXTRA_Sconto!?=:198.51.100.224:sm.26791275955.kbntqtrpftk8qpyz02-noreply=newsletter.example@bulk.example:export@example.org',
    want: scan('simscan', 'clean'),
  },
  { name: 'CLEAN, three numbers', message: 'simscan:[1]:CLEAN (0.50/5.00/5.00):0.9s:hi:192.0.2.1:a@b:c@d,e@f', want: scan('simscan', 'clean') },
  { name: 'SPAM PASS', message: 'simscan:[1]:SPAM PASS (7.00/5.00/9.00):1.2s:x:192.0.2.1:a@b:c@d', want: scan('simscan', 'spam_passed') },
  { name: 'SPAM REJECT', message: 'simscan:[1]:SPAM REJECT (12.00/5.00/9.00):1.2s:x:192.0.2.1:a@b:c@d', want: scan('simscan', 'spam_rejected') },
  { name: 'SPAM DROPPED', message: 'simscan:[1]:SPAM DROPPED (15.00/5.00):1.2s:x:192.0.2.1:a@b:c@d', want: scan('simscan', 'spam_dropped') },
  { name: 'PASSTHRU', message: 'simscan:[1]:PASSTHRU (0.00/0.00):0.1s:x:192.0.2.1:a@b:c@d', want: scan('simscan', 'passthru') },
  { name: 'VIRUS', message: 'simscan:[1]:VIRUS:0.5s:Eicar-Test-Signature:192.0.2.1:a@b:c@d', want: scan('simscan', 'virus_rejected') },
  { name: 'VIRUS DROPPED', message: 'simscan:[1]:VIRUS DROPPED:0.5s:Eicar:192.0.2.1:a@b:c@d', want: scan('simscan', 'virus_dropped') },
  { name: 'ATTACH', message: 'simscan:[1]:ATTACH:0.1s:evil.exe:192.0.2.1:a@b:c@d', want: scan('simscan', 'attachment_rejected') },
  { name: 'REGEX', message: 'simscan:[1]:REGEX:0.1s:casino:192.0.2.1:a@b:c@d', want: scan('simscan', 'regex_rejected') },
  { name: 'RELAYCLIENT', message: 'simscan:[1]:RELAYCLIENT:0.0s:-:192.0.2.1:a@b:c@d', want: scan('simscan', 'relayclient') },
  { name: 'an unknown state', message: 'simscan:[1]:QUARANTINED:0.0s:-:192.0.2.1:a@b:c@d', want: scan('simscan', 'other') },
  { name: 'skipping ... (diagnostic)', message: 'simscan:[210394]: skipping check_spam, disabled for this domain', want: ignoredSimscan },
  { name: 'big file (diagnostic)', message: 'simscan: big file (300000 bytes); skipping SpamAssassin', want: ignoredSimscan },
  { name: 'pid not a number', message: 'simscan:[x]:CLEAN (1/2):1s:a:b:c:d', want: null },
  { name: 'state in lower case', message: 'simscan:[1]:clean:1s:a:b:c:d', want: null },
  { name: 'state not followed by : or (', message: 'simscan:[1]:CLEAN-x', want: null },
];
for (const c of simscan) test(`simscan: ${c.name}`, () => assert.deepEqual(parseSimscan(c.message, ctx), c.want));

const qmailScanner: { name: string; message: string; want: MailEvent | null }[] = [
  {
    name: 'Clear SA:0 (ossec sample)',
    message:
      'Clear:RC:0(217.72.192.234):SA:0(0.0/6.0): 1.681359 3302 sylpheed-admin@good-day.net peter@ifup.de [sylpheed:27685]_Sync_two_copies_of_Sylpheed <20060318231614.f9991a2d.johnxj@comcast.net> 1142752873.25044-0.ifup.de:898',
    want: scan('qmail-scanner', 'clean'),
  },
  {
    name: 'Clear SA:1 = tagged as spam, delivered (ossec sample)',
    message:
      'Clear:RC:0(213.165.64.100):SA:1(8.1/6.0): 4.195255 1371 srs0=k3bc=5k=douglas.co.za=deonegqf@gmx.net peter@ifup.de $E}{UALLYY_EXPLICIT:_Group_glorious_teens_hardcoore <3388717865.3821662804@douglas.co.za> 1142753793.31530-0.ifup.de:134',
    want: scan('qmail-scanner', 'spam_passed'),
  },
  { name: 'Clear without SpamAssassin', message: 'Clear:RC:1(192.168.0.7):. 0.02 100 a@b c@d s <m> f', want: scan('qmail-scanner', 'clean') },
  { name: 'not a Clear line', message: 'something else', want: null },
];
for (const c of qmailScanner) test(`qmail-scanner: ${c.name}`, () => assert.deepEqual(parseQmailScanner(c.message, ctx), c.want));

test('spamd: every line is ignored', () => {
  assert.deepEqual(parseSpamd('clean message (0.0/6.0) for root:98 in 1.6 seconds, 3347 bytes.', ctx), {
    event: 'ignored',
    time: 1,
    program: 'spamd',
  });
});
