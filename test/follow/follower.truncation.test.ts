// Scenarios: copytruncate (logrotate copies the file, then truncates it in place; the writer
// keeps appending through its O_APPEND fd) and plain truncation (": > maillog").
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, openSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { append, harness, makeTempDir, numbered, numberedList } from './helpers.js';

test('copytruncate with the copy next to the file: the unread rest comes from the copy, then the file from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 3));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), numberedList('a', 0, 3));

  append(path, numbered('a', 3, 6)); // written, not yet read when the rotation happens
  copyFileSync(path, `${path}-20240107`);
  truncateSync(path, 0);
  append(path, numbered('b', 0, 2));
  await h.follower.step();
  assert.deepEqual(h.take(), [...numberedList('a', 3, 6), ...numberedList('b', 0, 2)]);
  assert.deepEqual(h.rec.rotated, ['truncated']);
  assert.deepEqual(
    h.rec.batches.map((b) => b.file),
    [path, `${path}-20240107`, path],
  );
  assert.equal(h.follower.position()?.offset, Buffer.byteLength(numbered('b', 0, 2)));
  assert.equal(h.follower.status().file, path);
});

test('copytruncate twice before the follower looks: both copies are read, oldest first', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 2));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  h.take();
  append(path, numbered('a', 2, 4));
  copyFileSync(path, `${path}-1`);
  truncateSync(path, 0);
  append(path, numbered('b', 0, 3));
  // make sure the two copies' modification times differ
  await new Promise((r) => setTimeout(r, 20));
  copyFileSync(path, `${path}-2`);
  truncateSync(path, 0);
  append(path, numbered('c', 0, 1));
  await h.follower.step();
  assert.deepEqual(h.take(), [...numberedList('a', 2, 4), ...numberedList('b', 0, 3), 'c-0']);
});

test('plain truncation with no copy: start again from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 5));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  h.take();
  truncateSync(path, 0);
  append(path, numbered('b', 0, 2));
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('b', 0, 2));
  assert.deepEqual(h.rec.rotated, ['truncated']);
});

test('truncated and regrown past the old offset before the step: the changed first line gives it away', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  // Same-length lines: the byte before the old offset is a newline again after regrowing,
  // and the size is larger; only the first line tells.
  writeFileSync(path, numbered('x', 0, 10));
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  h.take();
  truncateSync(path, 0);
  append(path, numbered('y', 0, 20));
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('y', 0, 20));
  assert.deepEqual(h.rec.rotated, ['truncated']);
});

test('truncated and rewritten with the same first line: the byte before the offset gives it away', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'same first line\nshort\n');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  h.take();
  writeFileSync(path, 'same first line\nmuch longer second line\n'); // O_TRUNC, same inode
  await h.follower.step();
  assert.deepEqual(h.take(), ['same first line', 'much longer second line']);
  assert.deepEqual(h.rec.rotated, ['truncated']);
});

test('copytruncate while the writer holds its O_APPEND fd: its next lines land at the new start and are read', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  const syslog = openSync(path, 'a');
  t.after(() => closeSync(syslog));
  writeSync(syslog, numbered('a', 0, 3));
  await h.follower.step();
  writeSync(syslog, numbered('a', 3, 4));
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  writeSync(syslog, numbered('b', 0, 2));
  await h.follower.step();
  assert.deepEqual(h.take(), [...numberedList('a', 0, 4), ...numberedList('b', 0, 2)]);
  writeSync(syslog, 'b-2\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['b-2']);
  assert.deepEqual(h.rec.rotated, ['truncated']);
});
