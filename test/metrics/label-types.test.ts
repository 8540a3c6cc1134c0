/**
 * The metric families' label arguments are typed from the vocabularies (src/metrics/catalogue.ts), so
 * a swapped or misspelt label value is a compile error. `npm test` runs tsc over this file first: each
 * `@ts-expect-error` below fails the type check if the line it guards ever compiles. At run time the
 * same calls (well typed) count where they should.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createMetrics } from '../../src/metrics/catalogue.js';
import type { RecipientCase } from '../../src/events/events.js';

/** Never called: only type-checked. */
export function swappedLabelsDoNotCompile(m: ReturnType<typeof createMetrics>, kase: RecipientCase): void {
  // @ts-expect-error case and listener swapped: 'mx' is not a RecipientCase
  m.smtpRecipients.inc3(kase, 'mx', 'none');
  // @ts-expect-error a reason from another vocabulary (delivery reasons are not recipient reasons)
  m.smtpRecipients.inc3('mx', kase, 'mailbox_full_remote');
  // @ts-expect-error result and channel swapped
  m.deliveries.inc3('success', 'remote', 'none');
  // @ts-expect-error one label short
  m.authAttempts.inc2('smtp', 'failure');
  // @ts-expect-error a line result that does not exist
  m.logLines.inc1('parsed');
  // @ts-expect-error the gauge's channel vocabulary has no 'unknown'
  m.sendConcurrency.set(['unknown'], 1);
}

test('well-typed label arguments count on the series they name', () => {
  const m = createMetrics(new Registry(), { version: 'test', nodejs: process.version });
  m.smtpRecipients.inc3('mx', 'sent_auth_different_user', 'other_domain');
  m.deliveries.inc3('remote', 'failure', 'no_mailbox');
  assert.equal(m.smtpRecipients.value('mx', 'sent_auth_different_user', 'other_domain'), 1);
  assert.equal(m.deliveries.value('remote', 'failure', 'no_mailbox'), 1);
  assert.equal(typeof swappedLabelsDoNotCompile, 'function');
});
