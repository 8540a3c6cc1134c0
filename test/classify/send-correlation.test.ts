import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSendCorrelation } from '../../src/classify/send-correlation.js';
import type { MailEvent } from '../../src/events/events.js';
import { readEnvelope } from '../../src/parse/envelope/index.js';
import { parseQmailSend } from '../../src/parse/qmail-send.js';

const ctx = { referenceTime: 1_060_000_000, listenerHint: null };

/** Feeds real splogger lines (FransUrbo's qmail-stats.pl sample, with a syslog header) through one correlation. */
function feed(c: ReturnType<typeof createSendCorrelation>, lines: string[], host = 'mail'): MailEvent[] {
  const events: MailEvent[] = [];
  for (const l of lines) {
    const envelope = readEnvelope(`Jun  3 11:35:23 ${host} qmail: ${l}`, ctx);
    const r = parseQmailSend(envelope.message);
    assert.ok(r !== null, l);
    c.apply(r, envelope, events);
  }
  return events;
}

const MESSAGE = [
  '1054189746.123136 new msg 161214',
  '1054189746.123151 info msg 161214: bytes 830 from <turbo@bayour.com> qp 6190 uid 1000',
  '1054189746.123958 starting delivery 119: msg 161214 to remote turbo@tripnet.se',
  '1054189746.373645 delivery 119: success: 195.100.21.7_accepted_message./Remote_host_said:_250_OK_id=19LGuQ-0003OJ-00/',
  '1054189746.374000 end msg 161214',
];

test("a delivery result carries its start's channel; end msg its time in the queue", () => {
  const c = createSendCorrelation({ maxPending: 100 });
  const events = feed(c, MESSAGE);
  const result = events.find((e) => e.event === 'delivery.result');
  assert.equal(result?.event === 'delivery.result' && result.channel, 'remote');
  const end = events.find((e) => e.event === 'queue.end');
  assert.ok(end?.event === 'queue.end' && end.duration_seconds !== null && Math.abs(end.duration_seconds - 0.250864) < 1e-6);
  assert.deepEqual(c.stats(), { pendingDeliveries: 0, pendingMessages: 0, droppedDeliveries: 0, droppedMessages: 0 });
});

test('a result whose start was not seen has channel unknown; hosts do not mix', () => {
  const c = createSendCorrelation({ maxPending: 100 });
  feed(c, [MESSAGE[2]!], 'one');
  const events = feed(c, [MESSAGE[3]!], 'two');
  assert.equal(events[0]?.event === 'delivery.result' && events[0].channel, 'unknown');
  assert.equal(c.stats().pendingDeliveries, 1);
});

test('the maps are capped: the oldest entry is dropped and counted', () => {
  const c = createSendCorrelation({ maxPending: 2 });
  feed(c, ['1054189746.100000 new msg 1', '1054189746.200000 new msg 2', '1054189746.300000 new msg 3']);
  assert.equal(c.stats().pendingMessages, 2);
  assert.equal(c.stats().droppedMessages, 1);
});

test('state: pending deliveries and messages survive a restart', () => {
  const a = createSendCorrelation({ maxPending: 100 });
  feed(a, MESSAGE.slice(0, 3));
  const b = createSendCorrelation({ maxPending: 100 });
  b.importState(JSON.parse(JSON.stringify(a.exportState())) as Record<string, unknown>);
  const events = feed(b, MESSAGE.slice(3));
  assert.equal(events[0]?.event === 'delivery.result' && events[0].channel, 'remote');
  assert.equal(b.stats().pendingMessages, 0);
  b.importState({ deliveries: [['x', 'sideways', 1], 'junk'], messages: 5 });
  assert.equal(b.stats().pendingDeliveries, 0, 'unusable entries are skipped');
});
