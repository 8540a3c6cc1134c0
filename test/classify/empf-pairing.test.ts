import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createEmpfPairing } from '../../src/classify/empf-pairing.js';
import type { MailEvent } from '../../src/events/events.js';
import { DEFAULT_SENDER_IDENTITY } from '../../src/events/recipient-case.js';
import { readEnvelope } from '../../src/parse/envelope/index.js';
import { parseMailRecv, parsePolicyCheck } from '../../src/parse/qmailtoaster.js';

const ctx = { referenceTime: 1_790_000_000, listenerHint: 'submission' };

function setUp(maxPending = 100) {
  const origins = new Map<MailEvent, number>();
  const p = createEmpfPairing({ maxPending, identity: DEFAULT_SENDER_IDENTITY, markOrigin: (e, line) => void origins.set(e, line) });
  let line = 0;
  const events: MailEvent[] = [];
  /** Real lines of itlinux/qmail-grafical-stats' submission log (eMPF policy_check, QMailToaster mail recv). */
  const feed = (text: string): string => {
    line++;
    const envelope = readEnvelope(text, ctx);
    const policy = parsePolicyCheck(envelope.message);
    if (policy !== null) return p.apply(policy, 'submission', envelope, events, 'counted', line);
    const recv = parseMailRecv(envelope.message);
    assert.ok(recv !== null, text);
    p.resolve('submission', recv.sender, envelope.time, events);
    return 'counted';
  };
  return { p, feed, events, origins };
}

test('authenticated recipients are held until mail recv names the sender, then marked as their own lines', () => {
  const { p, feed, events, origins } = setUp();
  feed('@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)');
  assert.equal(events.length, 0);
  assert.equal(p.stats().pendingPolicy, 1);
  feed('@400000006aa42ea40b9ed88c mail recv: pid 358645 from <info@example.com> qp 358661');
  assert.equal(events.length, 1);
  const e = events[0]!;
  assert.ok(e.event === 'smtp.recipient');
  assert.equal(e.case, 'sent_auth_same_user');
  assert.equal(e.recipient, 'booking@partner.example');
  assert.equal(origins.get(e), 1, 'the event belongs to the policy_check line');
  assert.deepEqual(p.stats(), { pendingPolicy: 0, droppedPolicy: 0 });
});

test('a refusal right after its policy_check is a refused recipient at once; without one it is ignored', () => {
  const { feed, events } = setUp();
  feed('@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)');
  assert.equal(feed('@400000006aa42ea30450a31c policy_check: policy forbids transmission'), 'counted');
  assert.equal(events.length, 1);
  assert.ok(events[0]!.event === 'smtp.recipient' && events[0]!.reason === 'policy');
  assert.equal(feed('@400000006aa42ea30450a31c policy_check: policy forbids transmission'), 'ignored');
});

test('bounded: the oldest recipient is dropped past the cap, and a listener with no session left drops its own', () => {
  const { p, feed } = setUp(2);
  for (const r of ['a', 'b', 'c']) feed(`@400000006aa42ea30450a31c policy_check: local info@example.com -> remote ${r}@partner.example (AUTHENTICATED SENDER)`);
  assert.deepEqual(p.stats(), { pendingPolicy: 2, droppedPolicy: 1 });
  p.dropListener('submission');
  assert.deepEqual(p.stats(), { pendingPolicy: 0, droppedPolicy: 3 });
});

test('state: held recipients survive a restart', () => {
  const a = setUp();
  a.feed('@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)');
  const b = setUp();
  b.p.importState(JSON.parse(JSON.stringify(a.p.exportState())) as Record<string, unknown>);
  assert.equal(b.p.stats().pendingPolicy, 1);
  b.feed('@400000006aa42ea40b9ed88c mail recv: pid 358645 from <info@example.com> qp 358661');
  assert.equal(b.events.length, 1);
  assert.equal(b.origins.size, 0, 'a restored recipient has no line in this run');
});
