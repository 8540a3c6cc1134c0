import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NAMED_QUEUE_BASE, parseQmailSend, type QmailSendRecord } from '../../src/parse/qmail-send.js';

const cases: { name: string; message: string; want: QmailSendRecord | null }[] = [
  { name: 'new msg', message: 'new msg 161214', want: { type: 'new', msg: 161214, queue: null } },
  {
    name: 'info msg',
    message: 'info msg 161214: bytes 830 from <turbo@bayour.com> qp 6190 uid 1000',
    want: { type: 'info', msg: 161214, bytes: 830, sender: 'turbo@bayour.com', qp: 6190, uid: 1000, queue: null },
  },
  {
    name: 'info msg of a bounce (sender <>)',
    message: 'info msg 5: bytes 1200 from <> qp 981 uid 1011',
    want: { type: 'info', msg: 5, bytes: 1200, sender: '', qp: 981, uid: 1011, queue: null },
  },
  {
    name: 'info msg of a double bounce (sender #@[])',
    message: 'info msg 5: bytes 1200 from <#@[]> qp 981 uid 1011',
    want: { type: 'info', msg: 5, bytes: 1200, sender: '#@[]', qp: 981, uid: 1011, queue: null },
  },
  {
    name: 'starting delivery to remote',
    message: 'starting delivery 119: msg 161214 to remote turbo@tripnet.se',
    want: { type: 'start', delivery: 119, msg: 161214, channel: 'remote', recipient: 'turbo@tripnet.se', queue: null },
  },
  {
    name: 'starting delivery to local (vpopmail domain prefix)',
    message: 'starting delivery 759: msg 68566592 to local example.org-export@example.org',
    want: { type: 'start', delivery: 759, msg: 68566592, channel: 'local', recipient: 'example.org-export@example.org', queue: null },
  },
  {
    name: 'status',
    message: 'status: local 0/10 remote 1/20',
    want: { type: 'status', local: 0, localLimit: 10, remote: 1, remoteLimit: 20, exitasap: false, queue: null },
  },
  {
    name: 'status while stopping',
    message: 'status: local 2/10 remote 5/20 exitasap',
    want: { type: 'status', local: 2, localLimit: 10, remote: 5, remoteLimit: 20, exitasap: true, queue: null },
  },
  { name: 'status: exiting', message: 'status: exiting', want: { type: 'exiting', queue: null } },
  {
    name: 'remote success',
    message: 'delivery 119: success: 195.100.21.7_accepted_message./Remote_host_said:_250_OK_id=19LGuQ-0003OJ-00/',
    want: {
      type: 'result',
      delivery: 119,
      result: 'success',
      report: '195.100.21.7_accepted_message./Remote_host_said:_250_OK_id=19LGuQ-0003OJ-00/',
      mangled: false,
      queue: null,
    },
  },
  {
    name: 's/qmail TLS success wording',
    message: 'delivery 7: success: 192.0.2.25_TLS_transmitted_message_accepted./Remote_host_said:_250_2.0.0_Ok:_queued_as_4ABC/',
    want: {
      type: 'result',
      delivery: 7,
      result: 'success',
      report: '192.0.2.25_TLS_transmitted_message_accepted./Remote_host_said:_250_2.0.0_Ok:_queued_as_4ABC/',
      mangled: false,
      queue: null,
    },
  },
  {
    name: 'local success',
    message: 'delivery 120: success: did_0+0+1/',
    want: { type: 'result', delivery: 120, result: 'success', report: 'did_0+0+1/', mangled: false, queue: null },
  },
  {
    name: 'deferral',
    message: "delivery 3: deferral: Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/",
    want: {
      type: 'result',
      delivery: 3,
      result: 'deferral',
      report: "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/",
      mangled: false,
      queue: null,
    },
  },
  {
    name: 'failure',
    message: 'delivery 108: failure: Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/',
    want: { type: 'result', delivery: 108, result: 'failure', report: 'Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/', mangled: false, queue: null },
  },
  {
    name: 'report mangled',
    message: 'delivery 9: report mangled, will defer',
    want: { type: 'result', delivery: 9, result: 'deferral', report: '', mangled: true, queue: null },
  },
  {
    name: 'LWQ wrapped first half still gives the result',
    message: 'delivery 2392: success: 209.85.127.177_accepted_message.',
    want: { type: 'result', delivery: 2392, result: 'success', report: '209.85.127.177_accepted_message.', mangled: false, queue: null },
  },
  { name: 'bounce msg', message: 'bounce msg 161214 qp 24162', want: { type: 'bounce', msg: 161214, qp: 24162, queue: null } },
  { name: 'triple bounce', message: 'triple bounce: discarding bounce/161214', want: { type: 'triple-bounce', msg: 161214, queue: null } },
  { name: 'end msg', message: 'end msg 161214', want: { type: 'end', msg: 161214, queue: null } },
  {
    name: 'warning',
    message: 'warning: trouble injecting bounce message, will try later',
    want: { type: 'notice', kind: 'warning', queue: null },
  },
  { name: 'alert', message: 'alert: oh no! lost spawn connection! dying...', want: { type: 'notice', kind: 'alert', queue: null } },
  { name: 'SPAMCONTROL double bounce', message: 'double bounce: discarding bounce/42', want: { type: 'notice', kind: 'double-bounce', queue: null } },
  // indimail multi-queue
  {
    name: 'indimail: status with queue suffix',
    message: 'status: local 0/10 remote 0/20 queue2',
    want: { type: 'status', local: 0, localLimit: 10, remote: 0, remoteLimit: 20, exitasap: false, queue: 2 },
  },
  { name: 'indimail: new msg queue5', message: 'new msg 100926020 queue5', want: { type: 'new', msg: 100926020, queue: 5 } },
  {
    name: 'indimail: info msg uid 0 queue5',
    message: 'info msg 100926020: bytes 814 from <root@indimail.org> qp 555 uid 0 queue5',
    want: { type: 'info', msg: 100926020, bytes: 814, sender: 'root@indimail.org', qp: 555, uid: 0, queue: 5 },
  },
  {
    name: 'indimail: local: line',
    message: 'local: root@indimail.org postmaster@example.com 814 queue5',
    want: { type: 'notice', kind: 'local', queue: 5 },
  },
  {
    name: 'indimail: starting delivery',
    message: 'starting delivery 1: msg 100926020 to local example.com-postmaster@example.com queue5',
    want: { type: 'start', delivery: 1, msg: 100926020, channel: 'local', recipient: 'example.com-postmaster@example.com', queue: 5 },
  },
  {
    name: 'indimail: delivery success',
    message: 'delivery 1: success: did_0+0+1/ queue5',
    want: { type: 'result', delivery: 1, result: 'success', report: 'did_0+0+1/', mangled: false, queue: 5 },
  },
  { name: 'indimail: end msg', message: 'end msg 100926020 queue5', want: { type: 'end', msg: 100926020, queue: 5 } },
  {
    name: 'indimail: qmail-daemon',
    message: 'qmail-daemon: pid 187, queue /var/indimail/queue/queue1 started',
    want: { type: 'notice', kind: 'qmail-daemon', queue: null },
  },
  // not qmail-send
  { name: 'new msg without a number', message: 'new msg x', want: null },
  { name: 'delivery with an unknown verdict', message: 'delivery 5: maybe: x', want: null },
  { name: 'starting delivery to somewhere else', message: 'starting delivery 5: msg 6 to mars x@y', want: null },
  { name: 'status with garbage', message: 'status: local a/b remote 1/2', want: null },
  { name: 'info msg truncated', message: 'info msg 5: bytes 12 from <a@b', want: null },
  { name: 'empty', message: '', want: null },
  { name: 'a number too long to be an id', message: 'new msg 1234567890123456789', want: null },
];

for (const c of cases) test(`qmail-send: ${c.name}`, () => assert.deepEqual(parseQmailSend(c.message), c.want));

test('indimail named queues: slowq, qmta and any QUEUEDIR base name (observed, indimail README)', () => {
  const slowq = NAMED_QUEUE_BASE + 1;
  assert.deepEqual(parseQmailSend('end msg 932523 slowq'), { type: 'end', msg: 932523, queue: slowq });
  assert.deepEqual(parseQmailSend('starting delivery 4: msg 932523 to local user@mail.example.org slowq'), {
    type: 'start', delivery: 4, msg: 932523, channel: 'local', recipient: 'user@mail.example.org', queue: slowq,
  });
  assert.deepEqual(parseQmailSend('delivery 4: success: did_1+0+0/ slowq'), {
    type: 'result', delivery: 4, result: 'success', report: 'did_1+0+0/', mangled: false, queue: slowq,
  });
  assert.deepEqual(parseQmailSend('status: local 0/5 remote 0/5 delayed jobs=1 slowq'), {
    type: 'status', local: 0, localLimit: 5, remote: 0, remoteLimit: 5, exitasap: false, queue: slowq,
  });
  assert.equal(parseQmailSend('new msg 13096002 qmta')?.queue, NAMED_QUEUE_BASE + 2);
  const demo = parseQmailSend('end msg 5 demo');
  assert.ok(demo !== null && demo.queue !== null && demo.queue > NAMED_QUEUE_BASE + 2);
  assert.equal(parseQmailSend('end msg 5 demo')?.queue, demo.queue, 'the same name, the same number');
  // a number stays a message number, a report without a space stays whole
  assert.deepEqual(parseQmailSend('delivery 1: success: did_0+1+0/qp_14030/'), {
    type: 'result', delivery: 1, result: 'success', report: 'did_0+1+0/qp_14030/', mangled: false, queue: null,
  });
});

test('indimail rate-control notes are recognised (observed)', () => {
  for (const m of [
    'info: slowq mail.example.org msg 932523: rate [1/0.0000000000/0.0013888888] ok since 6 secs',
    'warning: slowq mail.example.org msg 932523: rate exceeded [2/0.0909090936/0.0013888888] need 709 secs; will try again later',
    'info: qmta-send: /var/indimail/queue/qmta: conf split=23, bigtodo=0',
    'local: root@mail.example.org user 13096020 13144 bytes qmta',
  ]) {
    assert.equal(parseQmailSend(m)?.type, 'notice', m);
  }
});

test("info msg with a sender outside angle brackets (observed, indimail README)", () => {
  assert.deepEqual(parseQmailSend('info msg 660188: bytes 2794 from sender_xxx@example.com qp 3223 uid 555'), {
    type: 'info', msg: 660188, bytes: 2794, sender: 'sender_xxx@example.com', qp: 3223, uid: 555, queue: null,
  });
});
