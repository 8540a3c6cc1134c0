// Scenarios: rename + create (weekly maillog → maillog-YYYYMMDD), delete + recreate, the grace
// period for late writes, and the cap on rotated files drained at once. Driven by hand: manual
// ticker, no fs.watch, injected clock.
import assert from 'node:assert/strict';
import { closeSync, openSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_GRACE_MS, MAX_DRAINING_FILES } from '../../src/follow/index.js';
import { append, harness, makeTempDir, numbered, numberedList } from './helpers.js';

test('rename + create: the old file is read to its end through its fd, late writes are drained, then the new file from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  const rotatedName = `${path}-20240107`;
  writeFileSync(path, numbered('old', 0, 3));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), numberedList('old', 0, 3));

  const syslog = openSync(path, 'a'); // the writer keeps its fd until it is told to reopen (HUP)
  t.after(() => closeSync(syslog));
  writeSync(syslog, numbered('old', 3, 5));
  renameSync(path, rotatedName);
  writeSync(syslog, numbered('old', 5, 6));
  writeFileSync(path, ''); // logrotate's "create"
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('old', 3, 6));
  assert.deepEqual(h.rec.rotated, ['renamed']);
  assert.equal(h.follower.status().file, rotatedName, 'the rotated file is found by inode and named');

  writeSync(syslog, numbered('old', 6, 7)); // still before the HUP
  await h.follower.step();
  assert.deepEqual(h.take(), ['old-6']);

  append(path, numbered('new', 0, 2)); // after the HUP: the writer has moved on
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('new', 0, 2));
  assert.equal(h.follower.status().file, path);
  assert.deepEqual(h.rec.opened.at(-1), { file: path, offset: 0 });
  const last = h.rec.batches.at(-1)!;
  assert.equal(last.position.offset, Buffer.byteLength(numbered('new', 0, 2)));
  assert.equal(last.file, path);
  assert.deepEqual(h.rec.rotated, ['renamed'], 'one rotation, counted once');
  assert.deepEqual(h.rec.errors, []);
});

test('rename + create: lines of the new file wait until the old one is finished, so batches never interleave', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  const syslog = openSync(path, 'a');
  t.after(() => closeSync(syslog));
  writeSync(syslog, numbered('old', 0, 2));
  renameSync(path, `${path}.1`);
  writeSync(syslog, numbered('old', 2, 4));
  writeFileSync(path, numbered('new', 0, 2));
  await h.follower.step();
  assert.deepEqual(h.take(), [...numberedList('old', 0, 4), ...numberedList('new', 0, 2)]);
  const files = h.rec.batches.map((b) => b.file);
  assert.deepEqual(files, [`${path}.1`, path]);
});

test('rename without a new file: drained for the grace period, then finished and its unfinished line flushed', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\n');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), ['a']);
  const syslog = openSync(path, 'a');
  t.after(() => closeSync(syslog));
  renameSync(path, `${path}-old`);
  writeSync(syslog, 'b\npart');
  await h.follower.step();
  assert.deepEqual(h.take(), ['b']);
  assert.equal(h.follower.status().present, false);

  h.clock.advance(DEFAULT_GRACE_MS - 1);
  writeSync(syslog, 'ial');
  await h.follower.step();
  assert.deepEqual(h.take(), [], 'still within the grace period: the partial line is held');

  h.clock.advance(1);
  await h.follower.step();
  assert.deepEqual(h.take(), ['partial'], 'grace over: the unfinished line is handed out');
  assert.equal(h.follower.status().file, null);
  assert.equal(h.follower.position()?.offset, Buffer.byteLength('a\nb\npartial'));

  writeSync(syslog, 'too late\n');
  writeFileSync(path, 'c\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['c'], 'after the grace period the old file is closed');
});

test('delete + recreate: what the writer puts in the deleted file before reopening is read, then the new file from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('old', 0, 2));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), numberedList('old', 0, 2));

  const syslog = openSync(path, 'a');
  t.after(() => closeSync(syslog));
  unlinkSync(path);
  writeSync(syslog, numbered('old', 2, 4));
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('old', 2, 4));
  assert.deepEqual(h.rec.rotated, ['recreated']);
  const s = h.follower.status();
  assert.equal(s.present, false);
  assert.equal(s.missingSince, h.clock.now());
  assert.equal(s.lastError, null, 'a missing file is not an error');

  h.clock.advance(1000);
  writeFileSync(path, numbered('new', 0, 3));
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('new', 0, 3));
  assert.equal(h.follower.status().present, true);
  assert.equal(h.follower.status().missingSince, null);
  assert.deepEqual(h.rec.presence, [true, false, true]);
  assert.deepEqual(h.rec.rotated, ['recreated']);
});

test('delete + recreate at once (between two steps): old rest first, then the new file', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  const syslog = openSync(path, 'a');
  writeSync(syslog, numbered('old', 0, 3));
  unlinkSync(path);
  writeSync(syslog, numbered('old', 3, 4));
  closeSync(syslog);
  writeFileSync(path, numbered('new', 0, 3));
  await h.follower.step();
  assert.deepEqual(h.take(), [...numberedList('old', 0, 4), ...numberedList('new', 0, 3)]);
  assert.deepEqual(h.rec.rotated, ['recreated']);
});

test(`at most ${MAX_DRAINING_FILES} rotated files are kept draining; the oldest is finished early`, async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'first-unfinished');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  for (let i = 1; i <= MAX_DRAINING_FILES; i++) {
    renameSync(path, `${path}.${i}`);
    writeFileSync(path, ''); // each new file stays empty, so nothing ends the grace early
    await h.follower.step();
  }
  assert.deepEqual(h.take(), [], `${MAX_DRAINING_FILES} files in their grace period`);
  renameSync(path, `${path}.${MAX_DRAINING_FILES + 1}`);
  writeFileSync(path, '');
  await h.follower.step();
  assert.deepEqual(h.take(), ['first-unfinished'], 'the oldest was finished to make room');
  assert.equal(h.rec.rotated.length, MAX_DRAINING_FILES + 1);
});
