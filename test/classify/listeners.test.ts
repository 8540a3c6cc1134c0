import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createListeners } from '../../src/classify/listeners.js';
import { readEnvelope } from '../../src/parse/envelope/index.js';

const ctx = { referenceTime: 1_764_000_000, listenerHint: 'smtpd' };
const env = (text: string) => readEnvelope(text, ctx);

test('a syslog tag is the listener, through the listener map', () => {
  const l = createListeners({ listenerMap: { 'smtp-mx': 'mx' } });
  assert.equal(l.of(env('Nov 24 13:10:00 mail smtp-mx[42]: CHKUSER accepted rcpt: …'), ctx), 'mx');
  assert.equal(l.of(env('Nov 24 13:10:00 mail submission[42]: CHKUSER accepted rcpt: …'), ctx), 'submission');
  assert.equal(l.isKnownTag('smtp-mx'), true);
  assert.equal(l.isKnownTag('submission'), false);
});

test('a tagless line (multilog) takes the directory hint', () => {
  const l = createListeners();
  assert.equal(l.of(env('@400000006aa8e01718c73554 tcpserver: pid 210485 from 198.51.100.4'), ctx), 'smtpd');
  assert.equal(l.of(env('@400000006aa8e01718c73554 tcpserver: pid 210485 from 198.51.100.4'), { ...ctx, listenerHint: null }), 'unknown');
});

test('names are bounded: configured ones first, then first come; the rest are other', () => {
  const l = createListeners({ listenerMap: { a: 'kept' }, maxListeners: 2 });
  assert.equal(l.of(env('Nov 24 13:10:00 mail first[1]: x'), ctx), 'first');
  assert.equal(l.of(env('Nov 24 13:10:00 mail second[1]: x'), ctx), 'other');
  assert.equal(l.of(env('Nov 24 13:10:00 mail a[1]: x'), ctx), 'kept');
  assert.deepEqual(l.stats(), { listeners: 2 });
});

test('CHKUSER listeners are remembered', () => {
  const l = createListeners();
  assert.equal(l.hasChkuser('smtpd'), false);
  l.markChkuser('smtpd');
  assert.equal(l.hasChkuser('smtpd'), true);
});

test('state: the admitted names survive a restart, within the bound and sanitised', () => {
  const a = createListeners();
  a.of(env('Nov 24 13:10:00 mail smtp-mx[1]: x'), ctx);
  const b = createListeners({ maxListeners: 2 });
  b.importState({ listeners: [...a.exportState().listeners, 'b@d name', 'third'] });
  assert.equal(b.stats().listeners, 2);
  assert.equal(b.of(env('Nov 24 13:10:00 mail new[1]: x'), ctx), 'other', 'the restored names fill the bound');
  b.importState({ listeners: 'not a list' });
});
