import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createClassifier, type Classifier } from '../../src/classify/classifier.js';
import { accountingOf } from '../../src/events/accounting.js';
import type { LineResult, MailEvent } from '../../src/events/events.js';
import type { LineContext } from '../../src/events/parsed-line.js';

const fixture = (name: string): string[] =>
  readFileSync(fileURLToPath(new URL(`../fixtures/logs/${name}`, import.meta.url)), 'utf8')
    .split('\n')
    .filter((l) => l !== '');

const ctx: LineContext = { referenceTime: 1777636800, listenerHint: 'smtpd' };

function run(c: Classifier, lines: readonly string[], lineCtx: LineContext = ctx): { results: LineResult[]; events: MailEvent[] } {
  const results: LineResult[] = [];
  const events: MailEvent[] = [];
  for (const l of lines) {
    const r = c.classify(l, lineCtx);
    results.push(r.result);
    events.push(...r.events);
  }
  events.push(...c.flush());
  return { results, events };
}

const only = <K extends MailEvent['event']>(events: MailEvent[], name: K): Extract<MailEvent, { event: K }>[] =>
  events.filter((e): e is Extract<MailEvent, { event: K }> => e.event === name);

test('delivery results carry the channel of their starting delivery (FransUrbo sample)', () => {
  const { events } = run(createClassifier(), fixture('qmail-send/fransurbo-splogger.log'));
  assert.deepEqual(
    only(events, 'delivery.result').map((e) => [e.delivery, e.channel, e.result, e.reason]),
    [
      [119, 'remote', 'success', 'none'],
      [120, 'local', 'success', 'none'],
      [183, 'remote', 'failure', 'no_mailbox'],
      [108, 'local', 'failure', 'no_mailbox'],
    ],
  );
  assert.deepEqual(only(events, 'queue.bounce').map((e) => [e.kind, e.msg]), [
    ['bounce', 161214],
    ['bounce', 161214],
  ]);
});

test('a result whose start was not seen has channel unknown', () => {
  const { events } = run(createClassifier(), ['@4000000038c3eeb104a6ecf4 delivery 153: success: did_1+0+0/']);
  assert.deepEqual(only(events, 'delivery.result')[0]?.channel, 'unknown');
});

test('end msg carries the seconds since new msg; a reused message id starts afresh', () => {
  const { events } = run(createClassifier(), fixture('qmail-send/fransurbo-splogger.log'));
  const durations = only(events, 'queue.end').map((e) => e.duration_seconds);
  assert.equal(durations.length, 4);
  assert.equal(durations[0], 1054189746.374332 - 1054189746.123136);
  assert.equal(durations[1], 1054189754.37747 - 1054189750.812151);
  assert.equal(durations[3], 1054189046.260452 - 1054189045.549445);
  const { events: noStart } = run(createClassifier(), fixture('qmail-send/itlinux-send-multilog.log'));
  assert.equal(only(noStart, 'queue.end')[0]?.duration_seconds, null);
});

test('indimail queues do not mix: the same delivery number in two queues', () => {
  const c = createClassifier();
  const lines = [
    '2020-06-25 08:00:09.682401500 starting delivery 1: msg 100926020 to local a@example.com queue5',
    '2020-06-25 08:00:09.682401500 starting delivery 1: msg 100926021 to remote b@example.org queue2',
    '2020-06-25 08:00:09.713833500 delivery 1: success: did_0+0+1/ queue5',
    '2020-06-25 08:00:09.713833500 delivery 1: success: 192.0.2.1_accepted_message./Remote_host_said:_250_ok/ queue2',
  ];
  const { events } = run(c, lines);
  assert.deepEqual(only(events, 'delivery.result').map((e) => e.channel), ['local', 'remote']);
  assert.equal(c.stats().pendingDeliveries, 0);
});

test('the indimail sample: counted and ignored lines', () => {
  const { results, events } = run(createClassifier(), fixture('qmail-send/indimail-multiqueue.log'));
  assert.deepEqual(results.filter((r) => r === 'ignored').length, 7); // 6 qmail-daemon + 1 local:
  assert.equal(results.filter((r) => r === 'counted').length, 12);
  assert.equal(only(events, 'delivery.result')[0]?.channel, 'local');
  const at = (fraction: number): number => new Date(2020, 5, 25, 8, 0, 9).getTime() / 1000 + fraction;
  assert.equal(only(events, 'queue.end')[0]?.duration_seconds, at(0.7185235) - at(0.6815255));
});

test('state is bounded: maxPending + 1 deliveries drop the oldest, counted', () => {
  const c = createClassifier({ maxPending: 3 });
  const starts = [1, 2, 3, 4].map((d) => `starting delivery ${d}: msg ${100 + d} to remote r${d}@example.org`);
  run(c, starts);
  assert.equal(c.stats().pendingDeliveries, 3);
  assert.equal(c.stats().droppedDeliveries, 1);
  const { events } = run(c, ['delivery 1: success: did_0+0+1/', 'delivery 4: success: did_0+0+1/']);
  assert.deepEqual(only(events, 'delivery.result').map((e) => e.channel), ['unknown', 'remote']);
  const m = createClassifier({ maxPending: 2 });
  run(m, ['new msg 1', 'new msg 2', 'new msg 3']);
  assert.equal(m.stats().pendingMessages, 2);
  assert.equal(m.stats().droppedMessages, 1);
});

test('exportState / importState round trip through JSON', () => {
  const a = createClassifier();
  run(a, [
    '1054189746.123136 new msg 161214',
    '1054189746.123958 starting delivery 119: msg 161214 to remote turbo@tripnet.se',
    '@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)',
  ]);
  const saved = JSON.parse(JSON.stringify(a.exportState())) as unknown;
  const b = createClassifier();
  b.importState(saved);
  assert.deepEqual(b.stats(), a.stats());
  const { events } = run(b, [
    '1054189746.373645 delivery 119: success: 195.100.21.7_accepted_message./Remote_host_said:_250_OK/',
    '1054189746.374332 end msg 161214',
    '@400000006aa42ea40b9ed88c mail recv: pid 358645 from <info@example.com> qp 358661',
  ]);
  assert.equal(only(events, 'delivery.result')[0]?.channel, 'remote');
  assert.equal(only(events, 'queue.end')[0]?.duration_seconds, 1054189746.374332 - 1054189746.123136);
  assert.equal(only(events, 'smtp.recipient')[0]?.case, 'sent_auth_same_user');
});

test('importState ignores garbage without throwing', () => {
  const garbage: unknown[] = [
    null,
    undefined,
    42,
    'state',
    [],
    { version: 2 },
    { version: 1, deliveries: 'x', messages: {}, policy: 7, held: 'y' },
    { version: 1, deliveries: [[1, 'sideways', 2], ['k'], null], messages: [[1, 'soon']], policy: [['l', [[1, 2, 3]]]] },
    { version: 1, held: [{ envelope: { message: 5 } }, { envelope: { message: 'x', time: 'now', format: 'syslog' }, ctx: {} }] },
    { version: 1, hosts: [[1, 2]], listeners: [5, {}] },
  ];
  for (const g of garbage) {
    const c = createClassifier();
    assert.doesNotThrow(() => c.importState(g));
    const s = c.stats();
    assert.equal(s.pendingDeliveries + s.pendingMessages + s.pendingPolicy + s.heldRecords, 0, JSON.stringify(g));
  }
});

test('eMPF: the submission sample gives two sent_auth_same_user recipients', () => {
  const { results, events } = run(createClassifier(), fixture('smtpd/itlinux-submission-multilog.log'), {
    referenceTime: 0,
    listenerHint: 'submission',
  });
  assert.deepEqual(results.slice(0, 4), ['counted', 'counted', 'counted', 'counted']);
  const rcpts = only(events, 'smtp.recipient');
  assert.deepEqual(
    rcpts.map((e) => [e.case, e.reason, e.listener, e.sender, e.auth_user, e.recipient, e.remote_ip]),
    [
      ['sent_auth_same_user', 'none', 'submission', 'info@example.com', 'info@example.com', 'booking@partner.example', ''],
      ['sent_auth_same_user', 'none', 'submission', 'pc@example.net', 'pc@example.net', 'pc@example.net', ''],
    ],
  );
  assert.deepEqual(only(events, 'smtp.queued').map((e) => [e.sender, e.qp]), [
    ['info@example.com', 358661],
    ['pc@example.net', 358880],
  ]);
});

test('eMPF: authenticated as someone else than the envelope sender', () => {
  const { events } = run(createClassifier(), [
    'policy_check: local boss@example.com -> remote a@example.org (AUTHENTICATED SENDER)',
    'policy_check: local boss@example.com -> remote b@example.org (AUTHENTICATED SENDER)',
    'mail recv: pid 1 from <ceo@example.com> qp 2',
  ]);
  assert.deepEqual(
    only(events, 'smtp.recipient').map((e) => [e.case, e.auth_user, e.sender, e.recipient]),
    [
      ['sent_auth_different_user', 'boss@example.com', 'ceo@example.com', 'a@example.org'],
      ['sent_auth_different_user', 'boss@example.com', 'ceo@example.com', 'b@example.org'],
    ],
  );
});

test('eMPF: interleaved sessions pair by AUTH user first', () => {
  const { events } = run(createClassifier(), [
    'policy_check: local a@example.com -> remote x@example.org (AUTHENTICATED SENDER)',
    'policy_check: local b@example.com -> remote y@example.org (AUTHENTICATED SENDER)',
    'mail recv: pid 2 from <B@example.com> qp 3',
    'mail recv: pid 1 from <a@example.com> qp 4',
  ]);
  assert.deepEqual(
    only(events, 'smtp.recipient').map((e) => [e.case, e.sender, e.recipient]),
    [
      ['sent_auth_same_user', 'B@example.com', 'y@example.org'],
      ['sent_auth_same_user', 'a@example.com', 'x@example.org'],
    ],
  );
});

test('eMPF: a forbidden recipient is refused with reason policy and never paired', () => {
  const c = createClassifier();
  const { results, events } = run(c, [
    'policy_check: local a@example.com -> remote x@example.org (AUTHENTICATED SENDER)',
    'policy_check: policy forbids transmission',
    'policy_check: local a@example.com -> local y@example.com (AUTHENTICATED SENDER)',
    'policy_check: policy allows transmission',
    'policy_check: remote s@example.net -> local y@example.com (UNAUTHENTICATED SENDER)',
    'policy_check: sender not authenticated',
    'mail recv: pid 1 from <a@example.com> qp 4',
  ]);
  assert.deepEqual(results, ['counted', 'counted', 'counted', 'ignored', 'ignored', 'counted', 'counted']);
  assert.deepEqual(
    only(events, 'smtp.recipient').map((e) => [e.case, e.reason, e.auth_user, e.sender, e.recipient]),
    [
      ['inbound_rejected', 'policy', 'a@example.com', '', 'x@example.org'],
      ['rejected_no_auth', 'must_auth', '', 's@example.net', 'y@example.com'],
      ['sent_auth_same_user', 'none', 'a@example.com', 'a@example.com', 'y@example.com'],
    ],
  );
  assert.equal(c.stats().pendingPolicy, 0);
});

test('eMPF: held recipients die when the listener has no connection left, or expire', () => {
  const c = createClassifier();
  run(c, [
    '@400000006aa42ea30450a31c policy_check: local a@example.com -> remote x@example.org (AUTHENTICATED SENDER)',
    '@400000006aa42ea30450a31c tcpserver: status: 0/40',
  ]);
  assert.equal(c.stats().pendingPolicy, 0);
  assert.equal(c.stats().droppedPolicy, 1);
  const d = createClassifier();
  const { events } = run(d, [
    '1000.000000 policy_check: local a@example.com -> remote x@example.org (AUTHENTICATED SENDER)',
    '9000.000000 mail recv: pid 1 from <a@example.com> qp 4',
  ]);
  assert.equal(only(events, 'smtp.recipient').length, 0);
  assert.equal(d.stats().droppedPolicy, 1);
  const e = createClassifier({ maxPending: 2 });
  run(e, [1, 2, 3].map((i) => `policy_check: local a@example.com -> remote x${i}@example.org (AUTHENTICATED SENDER)`));
  assert.equal(e.stats().pendingPolicy, 2);
  assert.equal(e.stats().droppedPolicy, 1);
});

// ---- splogger continuation ------------------------------------------------------------------

const STAMP = '928424123.963558';
const HEAD_PREFIX = `Jun  3 11:35:23 sparge qmail: ${STAMP} `;
/** A delivery failure whose report is cut by splogger at 799 characters. */
function longDelivery(): { head: string; tail: string } {
  const start = 'delivery 42: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550';
  const filler = '_' + 'x'.repeat(799 - start.length - 1);
  const message = start + filler;
  assert.equal(message.length, 799);
  return { head: HEAD_PREFIX + message, tail: `Jun  3 11:35:23 sparge qmail: ${STAMP}+_5.1.1_User_unknown/Giving_up_on_192.0.2.25./` };
}

test('splogger: a cut record is held, then rejoined with its continuation', () => {
  const c = createClassifier();
  const { head, tail } = longDelivery();
  c.classify(`Jun  3 11:35:22 sparge qmail: 928424122.000001 starting delivery 42: msg 7 to remote u@example.org`, ctx);
  const first = c.classify(head, ctx);
  assert.equal(first.result, 'counted');
  assert.deepEqual(first.events, []);
  assert.equal(c.stats().heldRecords, 1);
  const second = c.classify(tail, ctx);
  assert.equal(second.result, 'ignored');
  const results = only(second.events, 'delivery.result');
  assert.equal(results.length, 1);
  assert.equal(results[0]?.reason, 'no_mailbox', 'the reason is read from the rejoined text');
  assert.equal(results[0]?.channel, 'remote');
  assert.equal(results[0]?.time, 928424123.963558);
  assert.equal(c.stats().heldRecords, 0);
});

test('splogger: a held record with no continuation is released by the next line of its tag', () => {
  const c = createClassifier();
  const { head } = longDelivery();
  c.classify(head, ctx);
  const next = c.classify(`Jun  3 11:35:24 sparge qmail: 928424124.000001 end msg 7`, ctx);
  assert.deepEqual(next.events.map((e) => e.event), ['delivery.result', 'queue.end']);
  assert.equal((next.events[0] as Extract<MailEvent, { event: 'delivery.result' }>).reason, 'recipient_rejected');
});

test('splogger: a held record is released after a few lines of other tags, or by flush', () => {
  const c = createClassifier();
  c.classify(longDelivery().head, ctx);
  const released: MailEvent[] = [];
  for (let i = 0; i < 9; i++) released.push(...c.classify(`Jun  3 11:35:24 mx sshd[1]: line ${i}`, ctx).events);
  assert.equal(only(released, 'delivery.result').length, 1);
  const d = createClassifier();
  d.classify(longDelivery().head, ctx);
  assert.equal(only(d.flush(), 'delivery.result').length, 1);
  assert.equal(d.stats().heldRecords, 0);
});

test('splogger: a continuation with another stamp is not joined', () => {
  const c = createClassifier();
  c.classify(longDelivery().head, ctx);
  const r = c.classify(`Jun  3 11:35:23 sparge qmail: 928424123.999999+_rest/`, ctx);
  assert.equal(r.result, 'unrecognised');
  assert.deepEqual(r.events.map((e) => e.event), ['delivery.result', 'unrecognised']);
});

test('splogger: a record cut twice is rejoined from three parts', () => {
  const c = createClassifier();
  const body = 'CHKUSER accepted rcpt: from <a@example.org::> remote <' + 'h'.repeat(1500) + ':unknown:192.0.2.1> rcpt <info@example.com> : found existing recipient';
  const parts = [body.slice(0, 799), body.slice(799, 1598), body.slice(1598)];
  const lines = [`Sep  6 07:33:33 sd6 smtp-mx: ${STAMP} ${parts[0]}`, `Sep  6 07:33:33 sd6 smtp-mx: ${STAMP}+${parts[1]}`, `Sep  6 07:33:33 sd6 smtp-mx: ${STAMP}+${parts[2]}`];
  const { results, events } = run(c, lines);
  // the first part is accounted as the whole record; its continuations are ignored
  assert.deepEqual(results, ['counted', 'ignored', 'ignored']);
  const rcpts = only(events, 'smtp.recipient');
  assert.equal(rcpts.length, 1);
  assert.equal(rcpts[0]?.recipient, 'info@example.com');
  assert.equal(rcpts[0]?.listener, 'smtp-mx');
});

test('splogger-nostamp (QMailToaster): +rest continues a long line of a qmail tag', () => {
  const c = createClassifier();
  const body = 'delivery 5: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550_' + 'y'.repeat(800);
  const { events } = run(c, [`Sep  6 07:33:33 mx qmail: ${body.slice(0, 799)}`, `Sep  6 07:33:33 mx qmail: +${body.slice(799)}_user_unknown/`]);
  assert.equal(only(events, 'delivery.result')[0]?.reason, 'no_mailbox');
});

// ---- listeners -------------------------------------------------------------------------------

test('listeners: map, tag, hint, sanitising and the cap', () => {
  const c = createClassifier({ listenerMap: { 'smtp-mx': 'mx' }, maxListeners: 3 });
  const listenerOf = (line: string, hint: string | null = null): string => {
    const e = c.classify(line, { referenceTime: 0, listenerHint: hint }).events[0] as { listener?: string };
    return e.listener ?? '';
  };
  assert.equal(listenerOf('Sep  6 07:33:33 sd6 smtp-mx: 1157520813.485077 tcpserver: status: 1/40'), 'mx');
  assert.equal(listenerOf('Sep  6 07:33:33 sd6 submission: 1157520813.485077 tcpserver: status: 1/40'), 'submission');
  assert.equal(listenerOf('tcpserver: status: 1/40', 'smtp'), 'smtp');
  assert.equal(listenerOf('tcpserver: status: 1/40', 'smtps'), 'other', 'the fourth distinct name');
  assert.equal(listenerOf('tcpserver: status: 1/40', 'smtp'), 'smtp', 'known names stay');
  const d = createClassifier();
  assert.equal(
    (d.classify('tcpserver: status: 1/40', { referenceTime: 0, listenerHint: null }).events[0] as { listener: string }).listener,
    'unknown',
  );
  assert.equal(
    (d.classify('tcpserver: status: 1/40', { referenceTime: 0, listenerHint: 'my smtp' }).events[0] as { listener: string }).listener,
    'my_smtp',
  );
});

// ---- accounting and garbage ------------------------------------------------------------------

test("the last event is the line's own: accountingOf(last) is the result", () => {
  const c = createClassifier();
  const lines = [
    ...fixture('smtpd/itlinux-submission-multilog.log'),
    ...fixture('qmail-send/fransurbo-splogger.log'),
    ...fixture('smtpd/qmail-skim-multilog.log'),
  ];
  for (const l of lines) {
    const r = c.classify(l, ctx);
    const last = r.events[r.events.length - 1];
    if (last !== undefined) assert.equal(accountingOf(last), r.result, l);
  }
  const mailRecv = c.classify('policy_check: local a@example.com -> remote x@example.org (AUTHENTICATED SENDER)', ctx);
  assert.deepEqual(mailRecv.events, []);
  const r = c.classify('mail recv: pid 1 from <a@example.com> qp 2', ctx);
  assert.deepEqual(r.events.map((e) => e.event), ['smtp.recipient', 'smtp.queued']);
});

test('every line gets one result, and non-counted lines one accounting event', () => {
  const lines = [
    ...fixture('smtpd/qmail-skim-multilog.log'),
    ...fixture('smtpd/itlinux-smtp-multilog.log'),
    ...fixture('scanners/spamd-syslog.log'),
    ...fixture('qmail-send/lwq.log'),
  ];
  const c = createClassifier();
  for (const l of lines) {
    const r = c.classify(l, ctx);
    const accounting = r.events.filter((e) => e.event === 'ignored' || e.event === 'unrecognised' || e.event === 'foreign');
    if (r.result === 'counted') assert.equal(accounting.length, 0, l);
    else assert.deepEqual(accounting.map((e) => e.event), [r.result], l);
  }
});

test('garbage never throws: invalid UTF-8, NUL bytes, a 1 MB line', () => {
  const c = createClassifier();
  const lines = [
    Buffer.from([0xff, 0xfe, 0x74, 0x63, 0x70, 0xc3, 0x28]).toString('utf8'),
    '\u0000\u0000\u0000',
    'tcpserver: ok \u0000 \u0000',
    'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 delivery \u0000: success: x',
    'x'.repeat(1 << 20),
    'Sep  6 07:33:33 sd6 qmail: 1157520813.485077 ' + 'CHKUSER '.repeat(1 << 17),
    '@4000000038c3eeb104a6ecf4 ' + 'policy_check: local '.repeat(50000),
    '',
  ];
  for (const l of lines) {
    const r = c.classify(l, ctx);
    assert.ok(['unrecognised', 'foreign', 'ignored', 'counted'].includes(r.result));
  }
  assert.doesNotThrow(() => c.flush());
});

/** Fastest of three runs, in ms, after a warm-up. */
function fastest(fn: () => void): number {
  fn();
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const K100 = 100_000;
const adversarial: [string, string][] = [
  ['syslog header then colons', 'Sep  6 07:33:33 ' + 'h:'.repeat(K100 / 2)],
  ['a tag of brackets', 'Sep  6 07:33:33 sd6 ' + 'q['.repeat(K100 / 2) + ': x'],
  ['a multilog tag of parentheses', '@4000000038c3eeb104a6ecf4 auth(' + '('.repeat(K100) + ':'],
  ['tcpserver ok of colons', 'tcpserver: ok 1 ' + ':'.repeat(K100) + ' ' + ':'.repeat(K100)],
  ['info msg of > qp', 'info msg 1: bytes 2 from <' + '> qp '.repeat(K100 / 5)],
  ['delivery report', 'delivery 1: failure: ' + '_does_not_like_recipient./Remote_host_said:_'.repeat(K100 / 44)],
  ['rblsmtpd pids', 'rblsmtpd: 1.2.3.4' + ' pid '.repeat(K100 / 5)],
  ['simscan states', 'simscan:[1]:' + 'A '.repeat(K100 / 2)],
  ['policy arrows', 'policy_check: local ' + ' -> '.repeat(K100 / 4) + ' (AUTHENTICATED SENDER)'],
  ['mail recv', 'mail recv: pid 1 from <' + '> qp '.repeat(K100 / 5)],
  ['CHKUSER', 'CHKUSER accepted rcpt: from <' + ':'.repeat(K100) + '> remote <' + '> rcpt <'.repeat(K100 / 8) + '> : x'],
  ['dovecot', 'Sep 13 00:03:15 imap-login: Info: ' + '(auth failed, '.repeat(K100 / 14)],
  ['spamdyke', 'Sep 13 00:03:15 mx spamdyke[1]: DENIED_RBL_MATCH from: ' + ' to: '.repeat(K100 / 5)],
  ['vchkpw', 'vpopmail[1]: vchkpw-smtp: password fail ' + '@:'.repeat(K100 / 2)],
  ['qmail-smtpd', 'qmail-smtpd: ' + 'qlogenvelope: '.repeat(K100 / 14)],
];
for (const [name, line] of adversarial) {
  test(`a 100 KB adversarial line parses well under 10 ms: ${name}`, () => {
    const c = createClassifier();
    const ms = fastest(() => c.classify(line, ctx));
    assert.ok(ms < 10, `${ms.toFixed(2)} ms`);
  });
}

test('sagredo: a RCPT logged by CHKUSER and by qlogenvelope is counted once; qlog alone still counts', () => {
  const c = createClassifier();
  const chk =
    'Nov 24 13:10:00 mail qmail-smtpd[4242]: CHKUSER relaying rcpt: from <info@example.com|remoteinfo/auth:info@example.com|chkuser-identify:> remote <helo:laptop|remotehostname:|remotehostip:198.51.100.20> rcpt <bob@example.net> : client allowed to relay';
  const qlog = (tag: string): string =>
    `Nov 24 13:10:00 mail ${tag}: qlogenvelope: result=accepted code=250 reason=rcptto detail=chkuserrelay helo=laptop mailfrom=info@example.com rcptto=bob@example.net relay=yes rcpthosts=no size= authuser=info@example.com authtype=login encrypted=tls sslverified=no localip=192.0.2.10 localport=587 remoteip=198.51.100.20 remoteport=51515 remotehost= qp= pid=4242`;
  const { results, events } = run(c, [chk, qlog('qmail-smtpd[4242]'), qlog('submission')]);
  assert.deepEqual(results, ['counted', 'ignored', 'counted']);
  const rcpts = only(events, 'smtp.recipient');
  assert.deepEqual(
    rcpts.map((e) => [e.listener, e.case]),
    [
      ['qmail-smtpd', 'sent_auth_same_user'],
      ['submission', 'sent_auth_same_user'],
    ],
  );
});

test('a remote delivery result names its recipient domain (lower-case), kept across a checkpoint; local and unseen ones none', () => {
  const a = createClassifier();
  run(a, [
    '@400000006aa42ea30450a31c starting delivery 7: msg 70 to remote Someone@Gmail.COM',
    '@400000006aa42ea30450a31c starting delivery 8: msg 80 to local example.org-info@example.org',
    '@400000006aa42ea30450a31c starting delivery 9: msg 90 to remote broken-no-at',
  ]);
  const b = createClassifier();
  b.importState(JSON.parse(JSON.stringify(a.exportState())) as unknown);
  const { events } = run(b, [
    '@400000006aa42ea30450a31d delivery 7: deferral: Connected_to_192.0.2.25_but_greeting_failed./Remote_host_said:_554_IP_address_is_black_listed./',
    '@400000006aa42ea30450a31d delivery 8: success: did_0+0+1/',
    '@400000006aa42ea30450a31d delivery 9: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550_nope/',
    '@400000006aa42ea30450a31d delivery 10: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550_nope/',
  ]);
  assert.deepEqual(
    only(events, 'delivery.result').map((e) => [e.delivery, e.channel, e.reason, e.domain]),
    [
      [7, 'remote', 'blocklisted', 'gmail.com'],
      [8, 'local', 'none', null],
      [9, 'remote', 'recipient_rejected', null],
      [10, 'unknown', 'recipient_rejected', null],
    ],
  );
});
