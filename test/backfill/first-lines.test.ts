import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HEAD_BYTES, readFirstLines } from '../../src/backfill/first-lines.js';

const lines = Array.from({ length: 20_000 }, (_, i) => `Oct  4 03:00:00 mail qmail: 1791082800.${String(i).padStart(6, '0')} status: local 0/10 remote ${i % 7}/20`);

/** The files under `dir` that this process holds open. */
function openUnder(dir: string): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) open.push(target);
    } catch {
      // the descriptor readdir itself used, closed by now
    }
  }
  return open;
}

test('readFirstLines: whole lines from the head of plain and gzip files, no descriptor left open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-first-lines-'));
  try {
    const plain = join(dir, 'maillog-20261011');
    const gz = join(dir, 'renamed-archive'); // gzip found by its magic bytes, not its name
    const small = join(dir, 'small');
    writeFileSync(plain, lines.join('\n') + '\n');
    writeFileSync(gz, gzipSync(lines.join('\n') + '\n'));
    writeFileSync(small, 'one\r\ntwo'); // no final newline: the file is complete, the line counts
    for (let i = 0; i < 50; i++) {
      const head = await readFirstLines(plain);
      assert.ok(head.length > 1000 && head.join('\n').length < HEAD_BYTES, `${head.length} lines`);
      assert.deepEqual(head, lines.slice(0, head.length), 'plain: complete lines only, in order');
      const headGz = await readFirstLines(gz);
      assert.ok(headGz.length > 1000);
      assert.deepEqual(headGz, lines.slice(0, headGz.length), 'gzip: complete lines only, in order');
    }
    assert.deepEqual(await readFirstLines(small), ['one', 'two']);
    // No descriptor of this process still points into the test's folder. (Counting all descriptors
    // before and after is not enough: the runner opens and closes its own meanwhile.)
    assert.deepEqual(openUnder(dir), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('readFirstLines: broken gzip gives no lines; a missing file throws', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-first-lines-'));
  try {
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x03, 0x42, 0x42, 0x42]));
    assert.deepEqual(await readFirstLines(bad), []);
    await assert.rejects(readFirstLines(join(dir, 'nope')), { code: 'ENOENT' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
