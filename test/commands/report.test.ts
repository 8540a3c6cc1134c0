/**
 * `report` text and json: the tables an operator reads name the abusers of a simulated host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { runReport, type ReportData } from '../../src/commands/report.js';

test('json and text reports count the cases and put the hijacked account, bots and guesser on top', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-report-'));
  try {
    const file = join(dir, 'maillog');
    const truth = await writeSimulatedLog(file, { startTime: Math.floor(Date.now() / 1000) - 3600, lines: 20_000, seed: 9, profile: 'abuse' });
    const now = Date.now() / 1000;
    const data = JSON.parse(await runReport({ files: [file], format: 'json', nowSeconds: now })) as ReportData;
    assert.deepEqual(data.lines, truth.lineResults);
    assert.equal(data.unrecognised_share, 0);
    const rcpt = (c: string): number =>
      Object.entries(truth.counters)
        .filter(([k]) => k.startsWith('qmail_smtp_recipients_total{') && k.includes(`case="${c}"`))
        .reduce((a, [, v]) => a + v, 0);
    for (const c of ['sent_no_auth', 'sent_auth_same_user', 'sent_auth_different_user', 'rejected_no_auth', 'inbound_accepted', 'inbound_rejected']) {
      assert.equal(data.recipients[c] ?? 0, rcpt(c), c);
    }
    assert.equal(data.top_users_by_recipients[0]?.user, truth.actors.hijackedUser);
    assert.equal(data.top_users_by_source_ips[0]?.user, truth.actors.hijackedUser);
    assert.equal(data.top_ips_by_auth_failures[0]?.ip, truth.actors.bruteForceIp);
    assert.deepEqual(
      data.top_ips_by_relay_refusals.slice(0, truth.actors.relayBotIps.length).map((r) => r.ip).sort(),
      [...truth.actors.relayBotIps].sort(),
    );
    assert.ok(data.top_users_by_recipients.length <= 10);

    const text = await runReport({ files: [file], format: 'text', nowSeconds: now, top: 3 });
    assert.match(text, new RegExp(`sent_auth_different_user\\s+${rcpt('sent_auth_different_user')}\\n`));
    assert.match(text, new RegExp(`Top authenticated users by recipients sent\\n\\s+1\\. ${truth.actors.hijackedUser.replace('.', '\\.')}`));
    assert.match(text, /Top IPs by authentication failures\n\s+1\. /);
    assert.equal(text.split('Top IPs by relay refusals\n')[1]!.split('\n\n')[0]!.split('\n').length, 3, 'top 3 rows');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
