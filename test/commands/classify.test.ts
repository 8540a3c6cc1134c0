/**
 * `classify` prints exactly one object per input line, in order, each with the event that belongs
 * to that line, also for lines resolved only later (eMPF recipients, splogger continuations).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runClassify } from '../../src/commands/classify.js';

async function classify(files: string[]): Promise<Array<Record<string, unknown>>> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  await runClassify({ files, nowSeconds: Date.UTC(2026, 10, 25) / 1000, out });
  return text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('one object per line in order; eMPF recipients land on their policy_check lines', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-classify-'));
  try {
    const f = join(dir, 'submission.log');
    writeFileSync(
      f,
      [
        '@400000006aa42ea30450a31c policy_check: local info@example.com -> remote booking@partner.example (AUTHENTICATED SENDER)',
        '@400000006aa42ea30450a31d policy_check: local info@example.com -> remote second@partner.example (AUTHENTICATED SENDER)',
        '@400000006aa42ea40b9ed88c mail recv: pid 358645 from <someone-else@example.com> qp 358661',
        'garbage that no program writes',
        '@400000006aa42f1630556bb4 policy_check: local pc@example.net -> local x@example.net (AUTHENTICATED SENDER)',
      ].join('\n') + '\n',
    );
    const r = await classify([f]);
    assert.deepEqual(
      r.map((o) => [o['line'], o['event'], o['case'] ?? null]),
      [
        [1, 'smtp.recipient', 'sent_auth_different_user'],
        [2, 'smtp.recipient', 'sent_auth_different_user'],
        [3, 'smtp.queued', null],
        [4, 'unrecognised', null],
        [5, 'ignored', null],
      ],
    );
    assert.equal(r[0]!['recipient'], 'booking@partner.example');
    assert.equal(r[1]!['recipient'], 'second@partner.example');
    assert.equal(r[4]!['unresolved'], true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a splogger record continued on the next line is classified whole on its first line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-classify-'));
  try {
    const stamp = '1764000000.123456';
    const helo = 'h'.repeat(900);
    const message = `CHKUSER relaying rcpt: from <a@example.com:a@example.com:> remote <${helo}:unknown:192.0.2.7> rcpt <x@example.net> : client allowed to relay`;
    const head = message.slice(0, 799);
    const tail = message.slice(799);
    const f = join(dir, 'maillog');
    writeFileSync(
      f,
      [`Nov 24 13:10:00 mail smtp: ${stamp} ${head}`, `Nov 24 13:10:00 mail smtp: ${stamp}+${tail}`, `Nov 24 13:10:01 mail qmail: ${stamp} new msg 5`].join('\n') + '\n',
    );
    const r = await classify([f]);
    assert.deepEqual(
      r.map((o) => [o['line'], o['event']]),
      [
        [1, 'smtp.recipient'],
        [2, 'ignored'],
        [3, 'queue.new'],
      ],
    );
    assert.equal(r[0]!['case'], 'sent_auth_same_user');
    assert.equal(r[0]!['remote_ip'], '192.0.2.7');
    assert.equal(r[0]!['recipient'], 'x@example.net');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('several files: each object names its file, lines numbered per file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-classify-'));
  try {
    writeFileSync(join(dir, 'a'), 'Nov 24 13:10:00 mail qmail: 1764000000.000001 end msg 1\n');
    writeFileSync(join(dir, 'b'), 'Nov 24 13:10:00 mail sshd[1]: Accepted publickey for x\nNov 24 13:10:00 mail qmail: 1764000000.000002 new msg 2\n');
    const r = await classify([join(dir, 'a'), join(dir, 'b')]);
    assert.deepEqual(
      r.map((o) => [String(o['file']).slice(-1), o['line'], o['event']]),
      [
        ['a', 1, 'queue.end'],
        ['b', 1, 'foreign'],
        ['b', 2, 'queue.new'],
      ],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
