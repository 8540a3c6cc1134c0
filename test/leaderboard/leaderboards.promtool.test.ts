import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { authFailure, boardsWithClock, recipient } from './helpers.js';

test('the leaderboard exposition passes promtool check metrics', async () => {
  const { boards, registry } = boardsWithClock();
  boards.observe(recipient('sent_auth_different_user', 'alice@example.org', '192.0.2.1'));
  boards.observe(recipient('rejected_no_auth', '', '198.51.100.7'));
  boards.observe(authFailure('mallory@example.org', '203.0.113.5'));
  const text = await registry.metrics();
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'promtool must be installed');
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  assert.equal(r.stdout + r.stderr, '', 'no lint remarks');
});
