import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { authFailure, boardsWithClock, recipient } from './helpers.js';

const KEY = 'operator-secret';

test('hashUsers: stable keyed hashes, one per user, and no user name in the exposition', async () => {
  const { boards, registry } = boardsWithClock({ hashUsers: true, hashKey: KEY });
  boards.observe(recipient('sent_auth_different_user', 'Alice@Example.org', '192.0.2.1'));
  boards.observe(recipient('sent_auth_same_user', 'alice@example.org', '192.0.2.2'));
  boards.observe(recipient('sent_auth_same_user', 'bob@example.org', '192.0.2.1'));
  boards.observe(authFailure('mallory@example.org', '203.0.113.5'));

  const expectedAlice = 'u_' + createHmac('sha256', KEY).update('alice@example.org').digest('hex').slice(0, 16);
  const s = boards.snapshot();
  const recipients = s.auth_user_recipients['5m'] ?? [];
  assert.deepEqual(recipients[0], { key: expectedAlice, value: 2 }, 'case-variants of one user share one hash');
  assert.equal(recipients.length, 2);
  assert.notEqual(recipients[1]?.key, expectedAlice, 'different users get different hashes');
  for (const board of ['auth_user_recipients', 'auth_user_source_ips', 'auth_user_sender_mismatches', 'auth_failure_users'] as const) {
    for (const entry of s[board]['5m'] ?? []) assert.match(entry.key, /^u_[0-9a-f]{16}( \(other_domain\))?$/, board);
  }
  assert.deepEqual(s.auth_failure_ips['5m'], [{ key: '203.0.113.5', value: 1 }], 'IPs are not hashed');

  const text = await registry.metrics();
  assert.match(text, new RegExp(`user="${expectedAlice}"`));
  assert.doesNotMatch(text, /alice|bob|mallory|example\.org/i);
});

test('hashUsers: another hash key gives other hashes, so the hashes cannot be matched across servers', () => {
  const keyOf = (hashKey: string) => {
    const { boards } = boardsWithClock({ hashUsers: true, hashKey });
    boards.observe(authFailure('alice@example.org', ''));
    return boards.snapshot().auth_failure_users['5m']?.[0]?.key;
  };
  assert.equal(keyOf('one'), keyOf('one'));
  assert.notEqual(keyOf('one'), keyOf('two'));
});

test('hashUsers refuses an empty hash key', () => {
  assert.throws(() => boardsWithClock({ hashUsers: true, hashKey: '' }), RangeError);
});
