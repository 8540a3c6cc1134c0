import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accountingOf, isAccountingEvent } from '../../src/events/accounting.js';
import { LINE_RESULTS, MAIL_EVENT_NAMES, type MailEvent } from '../../src/events/events.js';
import { parseLine } from '../../src/parse/dispatch.js';

const ctx = { referenceTime: 1_700_000_000, listenerHint: 'smtpd' };
const line = (message: string, tag = 'qmail') => parseLine(`Nov 24 13:10:00 mail ${tag}: ${message}`, ctx);

test('an event is accounted as its name says when it is an accounting event, counted otherwise', () => {
  for (const name of MAIL_EVENT_NAMES) {
    const e = { event: name, time: null, program: 'x' } as unknown as MailEvent;
    const want = (LINE_RESULTS as readonly string[]).includes(name) ? name : 'counted';
    assert.equal(accountingOf(e), want, name);
    assert.equal(isAccountingEvent(e), want !== 'counted', name);
  }
});

test('qmail-send lines count, except its notices and exiting', () => {
  assert.equal(accountingOf(line('new msg 161214')), 'counted');
  assert.equal(accountingOf(line('delivery 119: success: 192.0.2.7_accepted_message./Remote_host_said:_250_OK/')), 'counted');
  assert.equal(accountingOf(line('status: exiting')), 'ignored');
});

test('eMPF lines count when authenticated or refusing, and are ignored otherwise', () => {
  assert.equal(accountingOf(line('policy_check: remote bob@example.com -> remote b@example.net (AUTHENTICATED SENDER)', 'smtp')), 'counted');
  assert.equal(accountingOf(line('policy_check: remote a@example.org -> local b@example.com (UNAUTHENTICATED SENDER)', 'smtp')), 'ignored');
  assert.equal(accountingOf(line('mail recv: pid 4242 from <a@example.org> qp 4242', 'smtp')), 'counted');
});

test('a foreign or unrecognised parsed line is accounted as such', () => {
  assert.equal(accountingOf(line('Accepted publickey for root', 'sshd')), 'foreign');
  assert.equal(accountingOf(line('something qmail never wrote')), 'unrecognised');
});
