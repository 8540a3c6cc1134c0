import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMailRecv, parsePolicyCheck, type MailRecvRecord, type PolicyRecord } from '../../src/parse/qmailtoaster.js';

const mailRecv: { name: string; message: string; want: MailRecvRecord | null }[] = [
  {
    name: 'itlinux submission sample',
    message: 'mail recv: pid 358645 from <info@example.com> qp 358661',
    want: { pid: 358645, sender: 'info@example.com', qp: 358661 },
  },
  { name: 'stray CR (multilog)', message: 'mail recv: pid 1 from <a@b> qp 2\r', want: { pid: 1, sender: 'a@b', qp: 2 } },
  { name: "stray '?' (splogger)", message: 'mail recv: pid 1 from <a@b> qp 2?', want: { pid: 1, sender: 'a@b', qp: 2 } },
  { name: 'null sender', message: 'mail recv: pid 1 from <> qp 2', want: { pid: 1, sender: '', qp: 2 } },
  { name: 'no qp', message: 'mail recv: pid 1 from <a@b>', want: null },
  { name: 'pid not a number', message: 'mail recv: pid x from <a@b> qp 2', want: null },
];
for (const c of mailRecv) test(`mail recv: ${c.name}`, () => assert.deepEqual(parseMailRecv(c.message), c.want));

const policy: { name: string; message: string; want: PolicyRecord | null }[] = [
  {
    name: 'authenticated, local to remote (itlinux sample)',
    message: 'policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)',
    want: { type: 'check', from: 'info@example.com', fromLocal: true, recipient: 'booking@partner.example', recipientLocal: false, authenticated: true },
  },
  {
    name: 'authenticated, local to local (itlinux sample)',
    message: 'policy_check: local pc@example.net -> local pc@example.net (AUTHENTICATED SENDER)',
    want: { type: 'check', from: 'pc@example.net', fromLocal: true, recipient: 'pc@example.net', recipientLocal: true, authenticated: true },
  },
  {
    name: 'unauthenticated, remote to local',
    message: 'policy_check: remote someone@example.org -> local info@example.com (UNAUTHENTICATED SENDER)',
    want: { type: 'check', from: 'someone@example.org', fromLocal: false, recipient: 'info@example.com', recipientLocal: true, authenticated: false },
  },
  {
    name: 'unauthenticated null sender',
    message: 'policy_check: remote  -> local info@example.com (UNAUTHENTICATED SENDER)',
    want: { type: 'check', from: '', fromLocal: false, recipient: 'info@example.com', recipientLocal: true, authenticated: false },
  },
  { name: 'forbids', message: 'policy_check: policy forbids transmission', want: { type: 'forbids' } },
  { name: 'allows', message: 'policy_check: policy allows transmission', want: { type: 'allows' } },
  { name: 'sender not authenticated', message: 'policy_check: sender not authenticated', want: { type: 'sender-not-authenticated' } },
  { name: 'load failure', message: 'policy_check: policy_load failed', want: { type: 'other' } },
  { name: 'debug: domain is not local', message: 'policy_check: local example.org is not local', want: { type: 'other' } },
  { name: 'not policy_check', message: 'policy_load(example.com): no policy', want: null },
];
for (const c of policy) test(`policy_check: ${c.name}`, () => assert.deepEqual(parsePolicyCheck(c.message), c.want));
