/**
 * `report` text and json: the tables an operator reads name the abusers of a simulated host.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { runReport, type ReportData } from '../../src/commands/report.js';
import { createClassifier } from '../../src/classify/classifier.js';
import { feedBoards } from '../../src/leaderboard/boards.js';

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

test('json report: every case with zeros, who sends as someone else, no-auth relays, local injection by uid and sender', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-report-'));
  try {
    const file = join(dir, 'maillog');
    const t = 1763989800;
    const lines: string[] = [];
    const chk = (tag: string, sender: string, auth: string, ip: string, rcpt: string) =>
      lines.push(`Nov 24 13:10:00 mail ${tag}: ${t}.${String(lines.length).padStart(6, '0')} CHKUSER relaying rcpt: from <${sender}:${auth}:> remote <pc:unknown:${ip}> rcpt <${rcpt}> : client allowed to relay`);
    for (let i = 0; i < 4; i++) chk('submission', 'ceo@secure-pay.example.net', 'sales@example.com', '203.0.113.100', `v${i}@example.net`);
    chk('submission', 'mary@example.com', 'john@example.com', '192.0.2.21', 'x@example.net');
    chk('submission', 'john-news@example.com', 'john', '192.0.2.21', 'y@example.net');
    for (let i = 0; i < 3; i++) chk('smtp', 'newsletter@example.com', '', '198.51.100.77', `r${i}@example.net`);
    chk('smtp', 'alice@example.com', '', '127.0.0.1', 'w@example.net');
    let msg = 100;
    const info = (sender: string, uid: number) => lines.push(`Nov 24 13:10:00 mail qmail: ${t}.${String(lines.length).padStart(6, '0')} info msg ${++msg}: bytes 900 from <${sender}> qp ${msg} uid ${uid}`);
    for (let i = 0; i < 5; i++) info('apache@web.example.com', 48);
    info('root@mail.example.com', 0);
    info('john@example.com', 89);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(file, lines.join('\n') + '\n');
    const senders = {
      identity: { defaultDomain: 'example.com', extensionDelimiters: '-+', aliases: () => new Map() },
      relayTrust: (await import('../../src/events/relay-trust.js')).DEFAULT_RELAY_TRUST,
      localSenders: { smtpUids: new Set([89]), userOf: (uid: number) => ({ 0: 'root', 48: 'apache' })[uid] ?? '' },
    };
    const data = JSON.parse(await runReport({ files: [file], format: 'json', nowSeconds: t + 60, senders })) as ReportData;
    assert.deepEqual(data.recipients, {
      sent_no_auth: 4,
      sent_auth_same_user: 1,
      sent_auth_different_user: 5,
      rejected_no_auth: 0,
      rejected_auth_failed: 0,
      inbound_accepted: 0,
      inbound_rejected: 0,
    });
    assert.deepEqual(data.refusal_reasons, {}, 'identity reasons are not refusals');
    assert.deepEqual(data.sender_identity, { alias: 0, same_domain: 1, other_domain: 4 });
    assert.deepEqual(data.top_users_sending_as_someone_else, [
      { user: 'sales@example.com', value: 4, same_domain: 0, other_domain: 4 },
      { user: 'john@example.com', value: 1, same_domain: 1, other_domain: 0 },
    ]);
    assert.deepEqual(data.top_ips_relaying_without_auth, [
      { ip: '198.51.100.77', source: 'untrusted', value: 3 },
      { ip: '127.0.0.1', source: 'trusted', value: 1 },
    ]);
    assert.deepEqual(data.queue_messages_by_origin, { smtp: 1, local: 6 });
    assert.deepEqual(data.top_injecting_uids, [
      { uid: 48, user: 'apache', value: 5 },
      { uid: 0, user: 'root', value: 1 },
    ]);
    assert.deepEqual(data.top_local_injection_senders, [
      { sender: 'apache@web.example.com', value: 5 },
      { sender: 'root@mail.example.com', value: 1 },
    ]);
    const text = await runReport({ files: [file], format: 'text', nowSeconds: t + 60, senders });
    assert.match(text, /Top users sending as someone else\n\s+1\. sales@example\.com \(other_domain 4, same_domain 0\)\s+4\n/);
    assert.match(text, /Top uids injecting mail locally\n\s+1\. uid 48 \(apache\)\s+5\n/);
    assert.match(text, /Top senders of locally injected mail\n\s+1\. apache@web\.example\.com\s+5\n/);
    assert.match(text, /rejected_auth_failed\s+0\n/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("report's top tables and the live leaderboards follow one rule: IPv6 case does not split an IP", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-report-'));
  try {
    const file = join(dir, 'maillog');
    const refused = (ip: string) =>
      `Nov 24 13:10:00 mail smtp: 1764000000.000001 CHKUSER rejected relaying: from <x@example.org::> remote <[${ip}]:unknown:${ip}> rcpt <v@example.net> : client not allowed to relay`;
    writeFileSync(file, [refused('2001:DB8::25'), refused('2001:db8::25')].join('\n') + '\n');
    const data = JSON.parse(await runReport({ files: [file], format: 'json', nowSeconds: 1764000100 })) as ReportData;
    assert.deepEqual(data.top_ips_by_relay_refusals, [{ ip: '2001:db8::25', value: 2 }]);
    const fed: string[] = [];
    const events = createClassifier().classify(refused('2001:DB8::25'), { referenceTime: 1764000100, listenerHint: null }).events;
    for (const e of events) feedBoards(e, (board, key) => fed.push(`${board} ${key}`), () => false);
    assert.deepEqual(fed, ['relay_denied_ips 2001:db8::25']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
