import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isIpText, parseChkuser } from '../../src/parse/chkuser.js';
import { decideRecipient } from '../../src/events/recipient-case.js';
import type { MailEvent } from '../../src/events/events.js';
import { RECIPIENT_CASES, RECIPIENT_REASONS, SENDER_REASONS, SENDER_RESULTS } from '../../src/events/events.js';

// Lines are built from the formats read in chkuser's source (qmail-log-formats.md §1.2, §1.3): only two
// real CHKUSER lines were found in public sources, so these are "from format, not observed" unless noted.

const ctx = { time: 1700000000.5, listener: 'smtp-mx' };

interface Fields {
  sender: string;
  auth: string;
  identify?: string;
  helo: string;
  host: string;
  ip: string;
  rcpt: string;
}

const DEFAULT: Fields = {
  sender: 'info@example.com',
  auth: '',
  helo: 'laptop',
  host: 'unknown',
  ip: '192.0.2.44',
  rcpt: 'bob@example.net',
};

/** chkuser 2.0.8 / 2.0.9 layout. */
function original(title: string, description: string, f: Partial<Fields> = {}): string {
  const v = { ...DEFAULT, ...f };
  return `CHKUSER ${title}: from <${v.sender}:${v.auth}:${v.identify ?? ''}> remote <${v.helo}:${v.host}:${v.ip}> rcpt <${v.rcpt}> : ${description}`;
}

/** Roberto Puzzanghera's layout with named fields. */
function piped(title: string, description: string, f: Partial<Fields> = {}): string {
  const v = { ...DEFAULT, ...f };
  return (
    `CHKUSER ${title}: from <${v.sender}|remoteinfo/auth:${v.auth}|chkuser-identify:${v.identify ?? ''}> ` +
    `remote <helo:${v.helo}|remotehostname:${v.host}|remotehostip:${v.ip}> rcpt <${v.rcpt}> : ${description}`
  );
}

function recipientEvent(rcptCase: string, reason: string, f: Partial<Fields> = {}): MailEvent {
  const v = { ...DEFAULT, ...f };
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender: v.sender,
    auth_user: v.auth,
    remote_ip: v.ip,
    recipient: v.rcpt,
  } as MailEvent;
}

function senderEvent(result: string, reason: string, f: Partial<Fields> = {}): MailEvent {
  const v = { ...DEFAULT, ...f };
  return { event: 'smtp.sender', time: ctx.time, result, reason, listener: ctx.listener, sender: v.sender, remote_ip: v.ip } as MailEvent;
}

/** Every title / description pair of chkuser 2.0.9 (§1.4), with the event it gives for an unauthenticated client. */
const PAIRS: ReadonlyArray<{ title: string; description: string; fields?: Partial<Fields>; want: MailEvent }> = [
  { title: 'accepted rcpt', description: 'found existing recipient', want: recipientEvent('inbound_accepted', 'none') },
  {
    title: 'accepted any rcpt',
    description: 'accepted any recipient for any rcpt domain',
    want: recipientEvent('inbound_accepted', 'none'),
  },
  {
    title: 'accepted any rcpt',
    description: 'accepted any recipient for this domain',
    want: recipientEvent('inbound_accepted', 'none'),
  },
  { title: 'relaying rcpt', description: 'client allowed to relay', want: recipientEvent('sent_no_auth', 'none') },
  { title: 'rejected relaying', description: 'client not allowed to relay', want: recipientEvent('rejected_no_auth', 'relay_denied') },
  { title: 'rejected rcpt', description: 'not existing recipient', want: recipientEvent('inbound_rejected', 'no_mailbox') },
  { title: 'rejected rcpt', description: 'max number of recipients', want: recipientEvent('inbound_rejected', 'too_many_recipients') },
  {
    title: 'rejected rcpt',
    description: 'max number of invalid recipients',
    want: recipientEvent('inbound_rejected', 'too_many_invalid_recipients'),
  },
  { title: 'rejected rcpt', description: 'invalid rcpt address format', want: recipientEvent('inbound_rejected', 'invalid_address') },
  { title: 'rejected rcpt', description: 'invalid rcpt MX domain', want: recipientEvent('inbound_rejected', 'invalid_domain') },
  { title: 'rejected rcpt', description: 'temporary DNS problem', want: recipientEvent('inbound_rejected', 'temporary_failure') },
  { title: 'intrusion threshold', description: 'max number of allowed rcpt', want: recipientEvent('inbound_rejected', 'intrusion_threshold') },
  {
    title: 'intrusion threshold',
    description: 'max number of allowed invalid rcpt',
    want: recipientEvent('inbound_rejected', 'intrusion_threshold'),
  },
  {
    title: 'rejected intrusion',
    description: 'rcpt ignored, session over intrusion threshold',
    want: recipientEvent('inbound_rejected', 'intrusion_threshold'),
  },
  {
    title: 'rejected intrusion',
    description: 'rcpt ignored, session over INTRUSION threshold', // 2.0.8 wording
    want: recipientEvent('inbound_rejected', 'intrusion_threshold'),
  },
  { title: 'no auth resource', description: 'no auth resource available', want: recipientEvent('inbound_rejected', 'temporary_failure') },
  { title: 'mbx overquota', description: 'rcpt mailbox is overquota', want: recipientEvent('inbound_rejected', 'mailbox_full') },
  {
    title: 'must auth',
    description: 'sender not authenticated/authorized',
    want: recipientEvent('inbound_rejected', 'must_auth'),
  },
  {
    title: 'must auth',
    description: 'sender not authenticated/authorized',
    fields: { rcpt: '' },
    want: senderEvent('rejected', 'must_auth'),
  },
  { title: 'accepted sender', description: 'sender accepted', fields: { rcpt: '' }, want: senderEvent('accepted', 'none') },
  {
    title: 'accepted sender',
    description: 'accepted null sender always',
    fields: { rcpt: '', sender: '' },
    want: senderEvent('accepted', 'none', { sender: '' }),
  },
  {
    title: 'accepted null sender', // 2.0.8 title
    description: 'accepted null sender always',
    fields: { rcpt: '', sender: '' },
    want: senderEvent('accepted', 'none', { sender: '' }),
  },
  { title: 'accepted sender', description: 'accepted any sender always', fields: { rcpt: '' }, want: senderEvent('accepted', 'none') },
  {
    title: 'accepted doublebounce',
    description: 'accepted qmail doublebounce #@[]',
    fields: { rcpt: '', sender: '#@[]' },
    want: senderEvent('accepted', 'none', { sender: '#@[]' }),
  },
  {
    title: 'rejected sender',
    description: 'invalid sender address format',
    fields: { rcpt: '' },
    want: senderEvent('rejected', 'invalid_address'),
  },
  {
    title: 'rejected sender',
    description: 'invalid sender MX domain',
    fields: { rcpt: '' },
    want: senderEvent('rejected', 'invalid_domain'),
  },
  {
    title: 'rejected sender',
    description: 'temporary DNS problem',
    fields: { rcpt: '' },
    want: senderEvent('rejected', 'temporary_failure'),
  },
];

describe('chkuser: every title / description pair, both layouts (from format, not observed)', () => {
  for (const [layout, build] of [
    ['2.0.9', original],
    ['named fields', piped],
  ] as const) {
    for (const pair of PAIRS) {
      const line = build(pair.title, pair.description, pair.fields);
      test(`${layout}: ${pair.title} / ${pair.description}${pair.fields?.rcpt === '' ? ' (rcpt <>)' : ''}`, () => {
        assert.deepEqual(parseChkuser(line, ctx), pair.want);
      });
    }
  }
});

describe('chkuser: the operator cases from the auth field (2nd field of from <...>)', () => {
  const cases: ReadonlyArray<{ name: string; title: string; description: string; f: Partial<Fields>; rcptCase: string; reason: string }> =
    [
      { name: 'relaying, no auth → sent_no_auth (trusted IP / webmail)', title: 'relaying rcpt', description: 'client allowed to relay', f: { ip: '127.0.0.1' }, rcptCase: 'sent_no_auth', reason: 'none' },
      { name: 'relaying, auth == sender → sent_auth_same_user', title: 'relaying rcpt', description: 'client allowed to relay', f: { auth: 'info@example.com' }, rcptCase: 'sent_auth_same_user', reason: 'none' },
      { name: 'relaying, auth == sender in another case → sent_auth_same_user', title: 'relaying rcpt', description: 'client allowed to relay', f: { auth: 'Info@EXAMPLE.com' }, rcptCase: 'sent_auth_same_user', reason: 'none' },
      { name: 'relaying, auth != sender → sent_auth_different_user', title: 'relaying rcpt', description: 'client allowed to relay', f: { sender: 'test@testaja.com', auth: 'postmaster@testaja.lg' }, rcptCase: 'sent_auth_different_user', reason: 'other_domain' },
      { name: 'accepted rcpt (local), auth == sender → sent_auth_same_user', title: 'accepted rcpt', description: 'found existing recipient', f: { auth: 'info@example.com', rcpt: 'colleague@example.com' }, rcptCase: 'sent_auth_same_user', reason: 'none' },
      { name: 'accepted any rcpt, auth != sender → sent_auth_different_user', title: 'accepted any rcpt', description: 'accepted any recipient for this domain', f: { auth: 'other@example.com' }, rcptCase: 'sent_auth_different_user', reason: 'same_domain' },
      { name: 'accepted rcpt, no auth → inbound_accepted', title: 'accepted rcpt', description: 'found existing recipient', f: {}, rcptCase: 'inbound_accepted', reason: 'none' },
      { name: 'rejected relaying, no auth → rejected_no_auth', title: 'rejected relaying', description: 'client not allowed to relay', f: {}, rcptCase: 'rejected_no_auth', reason: 'relay_denied' },
      { name: 'rejected relaying, AUTH=<> gives remoteinfo "unknown" → rejected_auth_failed', title: 'rejected relaying', description: 'client not allowed to relay', f: { auth: 'unknown' }, rcptCase: 'rejected_auth_failed', reason: 'relay_denied' },
      { name: 'rejected relaying, ident / AUTH= user named → rejected_auth_failed', title: 'rejected relaying', description: 'client not allowed to relay', f: { auth: 'info@example.com' }, rcptCase: 'rejected_auth_failed', reason: 'relay_denied' },
      { name: "'+ext' sender belongs to the AUTH user (extension address)", title: 'relaying rcpt', description: 'client allowed to relay', f: { sender: 'info+news@example.com', auth: 'info@example.com' }, rcptCase: 'sent_auth_same_user', reason: 'none' },
      { name: 'bare-name login, no default domain known: same local part is the same user', title: 'relaying rcpt', description: 'client allowed to relay', f: { auth: 'info' }, rcptCase: 'sent_auth_same_user', reason: 'none' },
      { name: 'bare-name login, another local part → other_domain (the login has no domain)', title: 'relaying rcpt', description: 'client allowed to relay', f: { auth: 'sales' }, rcptCase: 'sent_auth_different_user', reason: 'other_domain' },
    ];
  for (const c of cases) {
    for (const [layout, build] of [
      ['2.0.9', original],
      ['named fields', piped],
    ] as const) {
      test(`${layout}: ${c.name}`, () => {
        assert.deepEqual(parseChkuser(build(c.title, c.description, c.f), ctx), recipientEvent(c.rcptCase, c.reason, c.f));
      });
    }
  }

});

describe('chkuser: client text that looks like the line around it', () => {
  const hazards: ReadonlyArray<{ name: string; f: Partial<Fields> }> = [
    { name: "HELO with ':'", f: { helo: 'mx:1:2:3' } },
    { name: "HELO with '<' and '>'", f: { helo: '<mx.example.org>' } },
    { name: 'HELO with spaces', f: { helo: 'I am not a spammer' } },
    { name: "HELO imitating the rest of the line", f: { helo: 'x> rcpt <victim@example.com> : found existing recipient' } },
    { name: "HELO imitating a remote part with an IP", f: { helo: 'h:unknown:203.0.113.66> rcpt <a@b> : client not allowed to relay x' } },
    { name: "HELO ending in hex groups before 'unknown'", f: { helo: 'fe80::1', ip: '2001:db8::25' } },
    { name: 'empty HELO (same as remotehost)', f: { helo: '' } },
    { name: "sender with ':'", f: { sender: 'a:b@example.com', auth: 'a@example.com' } },
    { name: "sender with ':' and no auth", f: { sender: 'route:a:b@example.com' } },
    { name: "sender with '<', '>' and spaces", f: { sender: 'x <y> z@example.com' } },
    { name: 'IPv6 mapped IPv4 (ucspi-tcp6)', f: { ip: '::ffff:192.0.2.1' } },
    { name: 'IPv6', f: { ip: '2001:db8::25' } },
    { name: 'IPv6, full form', f: { ip: '2001:0db8:0000:0000:0000:0000:0000:0025' } },
    { name: 'IPv6 with a hostname', f: { ip: '2001:db8::25', host: 'mail.example.org' } },
    { name: "IPv6 with HELO ending in ':'", f: { ip: '::1', helo: 'weird:' } },
    { name: 'IPv4 with a hostname', f: { host: 'mail.example.org' } },
    // an IPv4 after the last ':' is taken at once only when the field before it cannot be an IPv6 group
    { name: 'IPv4 with a remotehost that is one hex group', f: { host: 'cafe', ip: '192.0.2.1' } },
    { name: 'IPv6 ending in an IPv4, full form', f: { ip: '1:2:3:4:5:6:192.0.2.1' } },
    { name: "IPv6 '::' and an IPv4, with a hostname", f: { ip: '::192.0.2.1', host: 'mail.example.org' } },
  ];
  for (const h of hazards) {
    for (const [layout, build] of [
      ['2.0.9', original],
      ['named fields', piped],
    ] as const) {
      test(`${layout}: ${h.name}`, () => {
        assert.deepEqual(
          parseChkuser(build('rejected relaying', 'client not allowed to relay', h.f), ctx),
          recipientEvent(h.f.auth ? 'rejected_auth_failed' : 'rejected_no_auth', 'relay_denied', h.f),
        );
      });
    }
  }

  test('a 100 KB HELO of ":" and "<" parses (timing: bench/program-parsers.ts)', () => {
    const helo = ':<'.repeat(50_000);
    const line = original('rejected relaying', 'client not allowed to relay', { helo, ip: '2001:db8::25' });
    assert.deepEqual(parseChkuser(line, ctx), recipientEvent('rejected_no_auth', 'relay_denied', { helo, ip: '2001:db8::25' }));
    const pipedLine = piped('rejected relaying', 'client not allowed to relay', { helo, ip: '::ffff:192.0.2.1' });
    assert.deepEqual(parseChkuser(pipedLine, ctx), recipientEvent('rejected_no_auth', 'relay_denied', { helo, ip: '::ffff:192.0.2.1' }));
  });

  test('a 100 KB line of ":" and "<" after the title is not a chkuser line', () => {
    assert.equal(parseChkuser('CHKUSER rejected relaying: from <' + ':<'.repeat(50_000), ctx), null);
  });

  test('property: any HELO, any sender without "> remote <": the fields come out as written', () => {
    const ips = ['192.0.2.1', '::ffff:192.0.2.1', '2001:db8::25', '::1', '10.0.0.255', 'fe80::1:2:3:4'];
    fc.assert(
      fc.property(
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 30 }).filter((s) => !s.includes('> remote <')),
        fc.constantFrom(...ips),
        fc.constantFrom('unknown', 'mail.example.org'),
        fc.constantFrom(original, piped),
        (helo, sender, ip, host, build) => {
          const f = { helo, sender, ip, host, auth: 'user@example.com' };
          assert.deepEqual(
            parseChkuser(build('relaying rcpt', 'client allowed to relay', f), ctx),
            (() => { const v = decideRecipient({ decision: 'accepted', relayed: true, sender, authUser: 'user@example.com', refusal: 'none' }); return recipientEvent(v.case, v.reason, f); })(),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('chkuser: lines that are not (whole) chkuser lines', () => {
  const notChkuser: ReadonlyArray<readonly [string, string]> = [
    ['another program', 'tcpserver: pid 23904 from 192.168.1.165'],
    ['empty', ''],
    ['prefix only', 'CHKUSER '],
    ['unknown title', 'CHKUSER rejected everything: from <a::> remote <h:unknown:192.0.2.1> rcpt <b> : no'],
    ['title without from', 'CHKUSER accepted rcpt: to <b>'],
    [
      'cut by splogger before the description',
      'CHKUSER rejected relaying: from <a@example.org::> remote <very long helo:unknown:192.0.2.1> rc',
    ],
    ['no separator before the description', 'CHKUSER accepted rcpt: from <a::> remote <h:unknown:192.0.2.1> rcpt <b>'],
    ['from without its two colons', 'CHKUSER accepted rcpt: from <a> remote <h:unknown:192.0.2.1> rcpt <b> : found existing recipient'],
    ['remote without helo/host separator', 'CHKUSER accepted rcpt: from <a::> remote <192.0.2.1> rcpt <b> : found existing recipient'],
    ['NUL and invalid UTF-8 debris', 'CHKUSER \u0000\ufffd\ud800: from <\u0000'],
  ];
  for (const [name, line] of notChkuser) {
    test(name, () => assert.equal(parseChkuser(line, ctx), null));
  }

  test('an unknown description under a known title counts as other', () => {
    assert.deepEqual(parseChkuser(original('rejected rcpt', 'some future check'), ctx), recipientEvent('inbound_rejected', 'other'));
    assert.deepEqual(
      parseChkuser(original('rejected sender', 'some future check', { rcpt: '' }), ctx),
      senderEvent('rejected', 'other'),
    );
  });

  test("documented limit (2.0.9 layout): a remoteinfo holding ':' is cut at its last ':'", () => {
    const e = parseChkuser(original('rejected relaying', 'client not allowed to relay', { auth: 'id:ent' }), ctx);
    assert.deepEqual(e, recipientEvent('rejected_auth_failed', 'relay_denied', { sender: 'info@example.com:id', auth: 'ent' }));
  });

  test('TCPREMOTEIP unset: the text after the last ":" is the remote IP', () => {
    assert.deepEqual(parseChkuser(original('relaying rcpt', 'client allowed to relay', { ip: 'unknown' }), ctx), recipientEvent('sent_no_auth', 'none', { ip: 'unknown' }));
  });

  test('trailing whitespace after the description is tolerated', () => {
    assert.deepEqual(parseChkuser(original('rejected rcpt', 'not existing recipient') + ' \r', ctx), recipientEvent('inbound_rejected', 'no_mailbox'));
  });

  test('property: never throws, labels only from the vocabularies', () => {
    const pieces = ['CHKUSER ', 'accepted rcpt', 'rejected relaying', ': from <', '> remote <', '> rcpt <', ' : ', ':', '|remoteinfo/auth:', '|chkuser-identify:', 'helo:', '|remotehostip:', '2001:db8::1', '<', '>', ' '];
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...pieces), fc.string({ maxLength: 5 })), { maxLength: 20 }), (parts) => {
        const e = parseChkuser(parts.join(''), ctx);
        if (e === null) return;
        if (e.event === 'smtp.recipient') {
          assert.ok(RECIPIENT_CASES.includes(e.case));
          assert.ok(RECIPIENT_REASONS.includes(e.reason));
        } else if (e.event === 'smtp.sender') {
          assert.ok(SENDER_RESULTS.includes(e.result));
          assert.ok(SENDER_REASONS.includes(e.reason));
        } else {
          assert.fail(`unexpected event ${e.event}`);
        }
      }),
      { numRuns: 3000 },
    );
  });
});

describe('chkuser: IP text', () => {
  const valid = ['192.0.2.1', '0.0.0.0', '255.255.255.255', '::', '::1', '2001:db8::25', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7::', 'fe80::1:2:3:4', '1:2:3:4:5:6:192.0.2.1', 'ABCD::ef'];
  const invalid = ['', '1', '256.1.1.1', '1.2.3', '1.2.3.4.5', '01234.1.1.1', ':1', '1:', '1::2::3', '1:2:3:4:5:6:7:8:9', '12345::', 'cafe:2001:db8:1:2:3:4:5:6', 'g::1', 'unknown', '1.2.3.4:5', '::ffff:1.2.3'];
  for (const ip of valid) test(`valid: ${ip}`, () => assert.equal(isIpText(ip, 0, ip.length), true));
  for (const ip of invalid) test(`invalid: ${JSON.stringify(ip)}`, () => assert.equal(isIpText(ip, 0, ip.length), false));
});
