import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRecipient, type RecipientFacts } from '../../src/events/recipient-case.js';

const base: RecipientFacts = { decision: 'accepted', relayed: false, sender: 'a@example.com', authUser: '', refusal: 'none' };

describe('decideRecipient: the one rule for every program', () => {
  test('accepted without authentication: relayed or inbound', () => {
    assert.deepEqual(decideRecipient({ ...base, relayed: true }), { case: 'sent_no_auth', reason: 'none' });
    assert.deepEqual(decideRecipient(base), { case: 'inbound_accepted', reason: 'none' });
  });
  test('accepted with authentication: the sender identity rule', () => {
    assert.equal(decideRecipient({ ...base, authUser: 'A@Example.COM' }).case, 'sent_auth_same_user');
    assert.equal(decideRecipient({ ...base, authUser: 'b@example.com', relayed: true }).case, 'sent_auth_different_user');
    assert.equal(decideRecipient({ ...base, sender: '', authUser: 'b@example.com' }).case, 'sent_auth_different_user');
  });
  test('refusals: relaying by whether a user was named, the rest inbound_rejected', () => {
    assert.deepEqual(decideRecipient({ ...base, decision: 'relay_refused', refusal: 'relay_denied' }), {
      case: 'rejected_no_auth',
      reason: 'relay_denied',
    });
    assert.deepEqual(decideRecipient({ ...base, decision: 'relay_refused', authUser: 'x', refusal: 'auth_not_mailfrom' }), {
      case: 'rejected_auth_failed',
      reason: 'auth_not_mailfrom',
    });
    assert.deepEqual(decideRecipient({ ...base, decision: 'auth_required', authUser: 'x', refusal: 'must_auth' }), {
      case: 'rejected_no_auth',
      reason: 'must_auth',
    });
    assert.deepEqual(decideRecipient({ ...base, decision: 'refused', authUser: 'x', refusal: 'no_mailbox' }), {
      case: 'inbound_rejected',
      reason: 'no_mailbox',
    });
  });
});
