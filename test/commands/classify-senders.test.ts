/**
 * `classify` with the sender flags, as an operator runs it (a real process): bare logins, extension
 * senders, letter case, same- and other-domain mismatches and aliased pairs get the case and reason
 * of the identity rule (events/recipient-case.ts), and a malformed aliases line is reported, not fatal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exporterCommand, REPO_ROOT } from '../helpers/exporter-process.js';

const run = promisify(execFile);

/** A chkuser 2.0.9 'relaying rcpt' line: `from <sender:auth:>` (the format of the CHKUSER samples in test/parse). */
const relaying = (sender: string, auth: string, ip = '192.0.2.44'): string =>
  `Nov 24 13:10:00 mail submission: 1763989800.000000 CHKUSER relaying rcpt: from <${sender}:${auth}:> remote <laptop:unknown:${ip}> rcpt <bob@example.net> : client allowed to relay`;

const CASES: ReadonlyArray<[string, string, string, string, string]> = [
  // name, login, sender, case, reason
  ['bare login in the default domain', 'info', 'info@example.com', 'sent_auth_same_user', 'none'],
  ['bare login, sender in another domain', 'info', 'info@example.net', 'sent_auth_different_user', 'other_domain'],
  ['letter case', 'John@Example.COM', 'john@example.com', 'sent_auth_same_user', 'none'],
  ['qmail extension sender', 'john@example.com', 'john-news@example.com', 'sent_auth_same_user', 'none'],
  ['plus extension sender', 'john@example.com', 'John+Lists@example.com', 'sent_auth_same_user', 'none'],
  ['same-domain mismatch', 'john@example.com', 'mary@example.com', 'sent_auth_different_user', 'same_domain'],
  ['other-domain mismatch (hijack)', 'john@example.com', 'billing@secure-pay.example.net', 'sent_auth_different_user', 'other_domain'],
  ['aliased address', 'john@example.com', 'sales@example.com', 'sent_auth_same_user', 'alias'],
  ['aliased address, bare login in the file and on the line', 'office', 'info@example.com', 'sent_auth_same_user', 'alias'],
  ['aliased domain', 'office@example.com', 'anyone@example.org', 'sent_auth_same_user', 'alias'],
  ['alias of someone else', 'mary@example.com', 'sales@example.com', 'sent_auth_different_user', 'same_domain'],
];

test('classify --qmail.default-domain --qmail.sender-aliases: the decided case and reason of each recipient', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-classify-senders-'));
  try {
    const log = join(dir, 'maillog');
    writeFileSync(log, CASES.map(([, login, sender]) => relaying(sender, login)).join('\n') + '\n');
    const aliases = join(dir, 'sender-aliases');
    writeFileSync(
      aliases,
      [
        '# login            may also send as',
        'John@example.com   sales@example.com   # the sales desk',
        'office             info@example.com *@example.org',
        'broken-line-without-patterns',
        'mary@example.com   not-an-address',
      ].join('\n') + '\n',
    );
    const { command, args } = exporterCommand();
    const { stdout, stderr } = await run(
      command,
      [...args, 'classify', '--qmail.default-domain=Example.com', `--qmail.sender-aliases=${aliases}`, log],
      { cwd: REPO_ROOT, env: { ...process.env, TZ: 'UTC' } },
    );
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(out.length, CASES.length);
    CASES.forEach(([name, login, sender, kase, reason], i) => {
      assert.equal(out[i]!.event, 'smtp.recipient', name);
      assert.deepEqual([out[i]!.auth_user, out[i]!.sender, out[i]!.case, out[i]!.reason], [login, sender, kase, reason], name);
    });
    // the malformed lines are named by number, and nothing else went wrong
    assert.match(stderr, /malformed line ignored \{[^}]*"line":4/);
    assert.match(stderr, /malformed line ignored \{[^}]*"line":5/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('classify: without a default domain a bare login matches its local part; --qmail.extension-delimiters= turns extensions off', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-classify-senders-'));
  try {
    const log = join(dir, 'maillog');
    writeFileSync(log, [relaying('info@example.org', 'info'), relaying('john-smith@example.com', 'john@example.com')].join('\n') + '\n');
    const { command, args } = exporterCommand();
    const classify = async (flags: string[]) =>
      (await run(command, [...args, 'classify', ...flags, log], { cwd: REPO_ROOT })).stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .map((o) => `${o.case}/${o.reason}`);
    // a non-existent control directory is what a test machine has: no default domain
    assert.deepEqual(await classify([]), ['sent_auth_same_user/none', 'sent_auth_same_user/none']);
    assert.deepEqual(await classify(['--qmail.extension-delimiters=']), ['sent_auth_same_user/none', 'sent_auth_different_user/same_domain']);
    assert.deepEqual(await classify(['--qmail.default-domain=example.com']), ['sent_auth_different_user/other_domain', 'sent_auth_same_user/none']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
