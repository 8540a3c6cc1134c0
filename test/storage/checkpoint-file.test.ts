import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHECKPOINT_FILE_NAME, readCheckpointFile, writeCheckpointFile } from '../../src/storage/checkpoint-file.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'qx-checkpoint-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const sample = {
  version: 1,
  positions: { '/var/log/maillog': { dev: 2049, ino: 131, head: 'ab'.repeat(32), offset: 123456, file: '/var/log/maillog' } },
  counters: { deliveries: 42 },
};

test('round trip: what was written is read back', async (t) => {
  const dir = tempDir(t);
  await writeCheckpointFile(dir, sample);
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: sample });
  await writeCheckpointFile(dir, { ...sample, counters: { deliveries: 43 } });
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: { ...sample, counters: { deliveries: 43 } } });
  assert.deepEqual(readdirSync(dir), [CHECKPOINT_FILE_NAME], 'no temporary file left behind');
});

test('the directory is created, with its parents', async (t) => {
  const dir = join(tempDir(t), 'var', 'lib', 'qmail_exporter');
  await writeCheckpointFile(dir, [1, 2, 3]);
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: [1, 2, 3] });
});

test('missing: no checkpoint yet (a first start), also when the directory does not exist', async (t) => {
  const dir = tempDir(t);
  assert.deepEqual(await readCheckpointFile(dir), { ok: false, reason: 'missing' });
  assert.deepEqual(await readCheckpointFile(join(dir, 'nope')), { ok: false, reason: 'missing' });
});

test('corrupt: not JSON (damaged, empty, cut short) is reported with the parse error', async (t) => {
  const dir = tempDir(t);
  for (const text of ['{"positions": {', '', 'garbage\u0000\u00ff']) {
    writeFileSync(join(dir, CHECKPOINT_FILE_NAME), text);
    const r = await readCheckpointFile(dir);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'corrupt');
    assert.ok(!r.ok && typeof r.error === 'string' && r.error.length > 0);
  }
});

test('unreadable: a directory where the file should be', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, CHECKPOINT_FILE_NAME));
  const r = await readCheckpointFile(dir);
  assert.equal(!r.ok && r.reason, 'unreadable');
  assert.match((!r.ok && r.error) || '', /EISDIR/);
});

test('atomic: a crash mid-write leaves a stray temporary file; the old checkpoint is still what is read', async (t) => {
  const dir = tempDir(t);
  await writeCheckpointFile(dir, { generation: 1 });
  // what a crash between "write temp" and "rename" leaves behind: a half-written temp file
  const stray = join(dir, `${CHECKPOINT_FILE_NAME}.tmp-4242-deadbeef0000`);
  writeFileSync(stray, '{"generation": 2, "count');
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: { generation: 1 } });
  // the next successful write replaces the checkpoint and clears the leftovers
  await writeCheckpointFile(dir, { generation: 3 });
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: { generation: 3 } });
  assert.deepEqual(readdirSync(dir), [CHECKPOINT_FILE_NAME]);
});

test('the checkpoint is always complete JSON, even when read while writes are going on', async (t) => {
  const dir = tempDir(t);
  await writeCheckpointFile(dir, { n: 0, pad: 'x'.repeat(100_000) });
  let stop = false;
  let reads = 0;
  const reader = (async () => {
    while (!stop) {
      const text = readFileSync(join(dir, CHECKPOINT_FILE_NAME), 'utf8');
      JSON.parse(text); // throws if a torn file were ever visible
      reads += 1;
      await new Promise((r) => setImmediate(r));
    }
  })();
  for (let n = 1; n <= 10; n++) await writeCheckpointFile(dir, { n, pad: 'x'.repeat(100_000) });
  stop = true;
  await reader;
  assert.ok(reads > 0);
  const r = await readCheckpointFile(dir);
  assert.ok(r.ok && (r.data as { n: number }).n === 10);
});

test('writes to one directory from this process are serialised: the last one wins', async (t) => {
  const dir = tempDir(t);
  await Promise.all(Array.from({ length: 10 }, (_, n) => writeCheckpointFile(dir, { n })));
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: { n: 9 } });
  assert.deepEqual(readdirSync(dir), [CHECKPOINT_FILE_NAME]);
});

test('a value JSON cannot represent is rejected before anything is written', async (t) => {
  const dir = tempDir(t);
  await writeCheckpointFile(dir, { ok: 1 });
  await assert.rejects(writeCheckpointFile(dir, { big: 1n }), TypeError);
  assert.deepEqual(await readCheckpointFile(dir), { ok: true, data: { ok: 1 } });
});

test('a write that cannot happen rejects (the directory is a file)', async (t) => {
  const base = tempDir(t);
  const notADir = join(base, 'file');
  writeFileSync(notADir, '');
  await assert.rejects(writeCheckpointFile(notADir, {}), /EEXIST|ENOTDIR/);
});
