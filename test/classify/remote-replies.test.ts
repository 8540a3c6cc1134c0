/**
 * The table of real remote replies (test/fixtures/remote-replies.tsv, provenance in its header):
 * each reply is wrapped in the report qmail-remote writes for its SMTP stage and must give the
 * reason in the table, once through classifyDeliveryReason and once through `classify` on
 * qmail-send lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { DELIVERY_REASONS, type DeliveryReason, type DeliveryResult } from '../../src/events/events.js';
import { classifyDeliveryReason } from '../../src/classify/delivery-reasons.js';
import { runClassify } from '../../src/commands/classify.js';

const REMOTE_IP = '192.0.2.25';

interface Row {
  want: DeliveryReason;
  stage: string;
  reply: string;
  source: string;
  line: number;
}

function readTable(): Row[] {
  const text = readFileSync(new URL('../fixtures/remote-replies.tsv', import.meta.url), 'utf8');
  const rows: Row[] = [];
  text.split('\n').forEach((l, i) => {
    if (l === '' || l.startsWith('#')) return;
    const [want, stage, reply, source] = l.split('\t');
    assert.ok(want !== undefined && stage !== undefined && reply !== undefined && source, `line ${i + 1}: four columns`);
    assert.ok((DELIVERY_REASONS as readonly string[]).includes(want), `line ${i + 1}: unknown reason ${want}`);
    rows.push({ want: want as DeliveryReason, stage, reply, source, line: i + 1 });
  });
  return rows;
}

/** qmail-remote's report for a reply at one SMTP stage (qmail-remote.c: quit() and the RCPT loop). */
export function reportFor(stage: string, reply: string, result: DeliveryResult): string {
  const said = `Remote_host_said:_${reply}/`;
  switch (stage) {
    case 'greeting':
      return `Connected_to_${REMOTE_IP}_but_greeting_failed./${said}`;
    case 'mail':
      return `Connected_to_${REMOTE_IP}_but_sender_was_rejected./${said}`;
    case 'rcpt':
      return `${REMOTE_IP}_does_not_like_recipient./${said}${result === 'failure' ? `Giving_up_on_${REMOTE_IP}./` : ''}`;
    case 'data':
      return `${REMOTE_IP}_failed_on_DATA_command./${said}`;
    case 'after':
      return `${REMOTE_IP}_failed_after_I_sent_the_message./${said}`;
    default:
      throw new Error(`unknown stage ${stage}`);
  }
}

const resultOf = (reply: string): DeliveryResult => (reply.startsWith('4') ? 'deferral' : 'failure');
const rows = readTable();

test('the table is large and every row names its source', () => {
  assert.ok(rows.length >= 80, `${rows.length} rows`);
  for (const r of rows) assert.match(r.source, /^(https?:\/\/|[\w.-]+\/[\w.-]+:)/, `line ${r.line}`);
  for (const reason of ['blocklisted', 'rate_limited', 'spam_rejected', 'auth_policy', 'recipient_rejected']) {
    assert.ok(rows.filter((r) => r.want === reason).length >= 10 || reason === 'recipient_rejected', reason);
  }
});

test('every real reply gives its reason', () => {
  const wrong: string[] = [];
  for (const r of rows) {
    const got = classifyDeliveryReason(resultOf(r.reply), reportFor(r.stage, r.reply, resultOf(r.reply)));
    if (got !== r.want) wrong.push(`line ${r.line}: want ${r.want}, got ${got}: ${r.reply.slice(0, 100)}`);
  }
  assert.deepEqual(wrong, []);
});

test('remembered replies give the same reasons, also after the memory of replies is emptied', () => {
  // classifyReputation remembers recent replies: ask each row three times, with over a thousand
  // other replies in between (the memory holds 512 and is emptied when full), and expect the
  // first answer every time.
  const first = rows.map((r) => classifyDeliveryReason(resultOf(r.reply), reportFor(r.stage, r.reply, resultOf(r.reply))));
  for (let round = 0; round < 2; round++) {
    for (let i = 0; i < 1100; i++) {
      const filler = `Remote_host_said:_550_5.1.1_<user${round}x${i}@example.org>:_Recipient_address_rejected/`;
      assert.equal(classifyDeliveryReason('failure', `192.0.2.25_does_not_like_recipient./${filler}Giving_up_on_192.0.2.25./`), 'no_mailbox');
    }
    rows.forEach((r, i) => {
      assert.equal(classifyDeliveryReason(resultOf(r.reply), reportFor(r.stage, r.reply, resultOf(r.reply))), first[i], `line ${r.line}`);
      assert.equal(classifyDeliveryReason(resultOf(r.reply), reportFor(r.stage, r.reply, resultOf(r.reply))), first[i], `line ${r.line}, again`);
    });
  }
});

test('classify on qmail-send lines gives the same reasons, with the remote channel', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-replies-'));
  try {
    const lines: string[] = [];
    rows.forEach((r, i) => {
      const d = i + 1;
      const result = resultOf(r.reply);
      lines.push(`@400000006aa42ea30450a31c starting delivery ${d}: msg ${1000 + d} to remote someone@example.org`);
      lines.push(`@400000006aa42ea30450a31d delivery ${d}: ${result}: ${reportFor(r.stage, r.reply, result)}`);
    });
    const file = join(dir, 'current');
    writeFileSync(file, lines.join('\n') + '\n');
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += c));
    await runClassify({ files: [file], nowSeconds: Date.UTC(2026, 10, 25) / 1000, out });
    const results = text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((o) => o['event'] === 'delivery.result');
    assert.equal(results.length, rows.length);
    const wrong = results
      .map((o, i) => [o, rows[i]!] as const)
      .filter(([o, r]) => o['reason'] !== r.want || o['channel'] !== 'remote')
      .map(([o, r]) => `line ${r.line}: want ${r.want}, got ${String(o['reason'])}/${String(o['channel'])}`);
    assert.deepEqual(wrong, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
