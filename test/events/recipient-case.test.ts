import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  decideRecipient,
  senderVerdict,
  type RecipientFacts,
  type SenderAliases,
  type SenderIdentity,
} from '../../src/events/recipient-case.js';

const base: RecipientFacts = { decision: 'accepted', relayed: false, sender: 'a@example.com', authUser: '', refusal: 'none' };

describe('decideRecipient: the one rule for every program', () => {
  test('accepted without authentication: relayed or inbound', () => {
    assert.deepEqual(decideRecipient({ ...base, relayed: true }), { case: 'sent_no_auth', reason: 'none' });
    assert.deepEqual(decideRecipient(base), { case: 'inbound_accepted', reason: 'none' });
  });
  test('accepted with authentication: the sender identity rule', () => {
    assert.deepEqual(decideRecipient({ ...base, authUser: 'A@Example.COM' }), { case: 'sent_auth_same_user', reason: 'none' });
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

describe('senderVerdict: sender identity', () => {
  const aliases: SenderAliases = new Map([
    ['john@example.com', [{ kind: 'address', local: 'sales', domain: 'example.com' } as const, { kind: 'domain', domain: 'example.org' } as const]],
  ]);
  const withDefault: SenderIdentity = { defaultDomain: 'example.com', extensionDelimiters: '-+', aliases: () => aliases };
  const cases: ReadonlyArray<[string, string, string, SenderIdentity | undefined, string]> = [
    ['letter case', 'Info@Example.COM', 'info@example.com', undefined, 'none'],
    ['bare login, default domain', 'info', 'info@example.com', withDefault, 'none'],
    ['bare login, default domain, sender in another domain', 'info', 'info@example.net', withDefault, 'other_domain'],
    ['bare login, no default: same local part in any domain', 'info', 'INFO@example.net', undefined, 'none'],
    ['bare login, no default: another local part', 'info', 'sales@example.com', undefined, 'other_domain'],
    ['qmail extension', 'john@example.com', 'john-news@example.com', undefined, 'none'],
    ['plus extension', 'john@example.com', 'John+Lists@Example.com', undefined, 'none'],
    ['extension of a bare login with a default domain', 'john', 'john-news@example.com', withDefault, 'none'],
    ['extension rule off', 'john@example.com', 'john-smith@example.com', { ...withDefault, extensionDelimiters: '' }, 'same_domain'],
    ['a longer name is not an extension', 'john@example.com', 'johnny@example.com', undefined, 'same_domain'],
    ['extension in another domain', 'john@example.com', 'john-news@example.net', undefined, 'other_domain'],
    ['alias address', 'john@example.com', 'sales@example.com', withDefault, 'alias'],
    ['alias address, extension of it', 'john@example.com', 'sales-eu@example.com', withDefault, 'alias'],
    ['alias domain', 'JOHN', 'anyone@Example.org', withDefault, 'alias'],
    ['alias of another login does not count', 'mary@example.com', 'sales@example.com', withDefault, 'same_domain'],
    ['null sender', 'john@example.com', '', undefined, 'other_domain'],
  ];
  for (const [name, login, sender, identity, want] of cases) {
    test(name, () => {
      assert.equal(senderVerdict(login, sender, identity), want);
      const v = decideRecipient({ ...base, authUser: login, sender, relayed: true }, identity);
      assert.equal(v.case, want === 'none' || want === 'alias' ? 'sent_auth_same_user' : 'sent_auth_different_user');
      assert.equal(v.reason, want);
    });
  }
});
