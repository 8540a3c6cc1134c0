// Scenarios: restarting from a checkpointed position. The rules: the same file (inode + first
// line) that still reaches the offset → continue there ('exact'); else the rotated file with
// that identity next to it → finish it from the offset, then everything newer ('rotated');
// else nothing is known about the file at the path, so all of it is new → read it from 0
// ('mismatch').
import assert from 'node:assert/strict';
import { copyFileSync, renameSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { FollowPosition } from '../../src/follow/index.js';
import { append, harness, makeTempDir, numbered, numberedList } from './helpers.js';

type T = Parameters<typeof harness>[0];

/** run a follower over what is there now, stop it, and return its position */
async function firstRun(t: T, path: string): Promise<{ position: FollowPosition; lines: string[] }> {
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  await h.follower.stop();
  const position = h.follower.position();
  assert.ok(position);
  return { position, lines: h.take() };
}

test('resume exact: same file, continue from the offset', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 5));
  const { position, lines } = await firstRun(t, path);
  assert.deepEqual(lines, numberedList('a', 0, 5));
  append(path, numbered('a', 5, 8));

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'exact');
  assert.deepEqual(h.take(), numberedList('a', 5, 8));
  assert.deepEqual(h.rec.opened, [{ file: path, offset: position.offset }]);
});

test('resume exact from the position of a middle batch: lines before it never again, after it exactly once', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  const total = 100_000; // ≈ 790 KB: several 256 KiB reads, so several batches
  writeFileSync(path, numbered('n', 0, total));
  const h1 = harness(t, { path, startAt: 'start' });
  await h1.follower.start();
  await h1.follower.stop();
  assert.ok(h1.rec.batches.length >= 3);
  const cut = h1.rec.batches[1]!; // a "crash" right after the second batch was processed and checkpointed
  const before = h1.rec.batches.slice(0, 2).flatMap((b) => b.lines);

  const h2 = harness(t, { path, startAt: 'end', resume: cut.position });
  await h2.follower.start();
  assert.equal(h2.follower.resumed(), 'exact');
  assert.deepEqual([...before, ...h2.take()], numberedList('n', 0, total));
});

test('resume after a rename while stopped: finish the rotated file from the offset, then the new file from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('old', 0, 3));
  const { position } = await firstRun(t, path);
  append(path, numbered('old', 3, 5));
  renameSync(path, `${path}-20240107`);
  writeFileSync(path, numbered('new', 0, 2));

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'rotated');
  assert.deepEqual(h.take(), [...numberedList('old', 3, 5), ...numberedList('new', 0, 2)]);
  assert.deepEqual(h.rec.opened, [
    { file: `${path}-20240107`, offset: position.offset },
    { file: path, offset: 0 },
  ]);
});

test('resume after two renames while stopped: the file in between is read whole', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('w1', 0, 2));
  const { position } = await firstRun(t, path);
  append(path, 'w1-2\n');
  renameSync(path, `${path}-20240107`);
  writeFileSync(path, numbered('w2', 0, 2));
  await new Promise((r) => setTimeout(r, 20)); // distinct modification times
  renameSync(path, `${path}-20240114`);
  writeFileSync(path, numbered('w3', 0, 1));

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'rotated');
  assert.deepEqual(h.take(), ['w1-2', ...numberedList('w2', 0, 2), 'w3-0']);
});

test('resume after copytruncate while stopped: the copy is found by its first line', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 3));
  const { position } = await firstRun(t, path);
  append(path, numbered('a', 3, 4));
  copyFileSync(path, `${path}.1`);
  truncateSync(path, 0);
  append(path, numbered('b', 0, 2));

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'rotated');
  assert.deepEqual(h.take(), ['a-3', ...numberedList('b', 0, 2)]);
});

test('resume when the file was rotated away and not recreated yet', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\n');
  const { position } = await firstRun(t, path);
  append(path, 'b\n');
  renameSync(path, `${path}.1`);

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'rotated');
  assert.deepEqual(h.take(), ['b']);
  writeFileSync(path, 'c\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['c']);
});

test('resume mismatch (file replaced, old one gone): everything at the path is new, read from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 3));
  const { position } = await firstRun(t, path);
  unlinkSync(path);
  writeFileSync(path, numbered('b', 0, 2));

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'mismatch');
  assert.deepEqual(h.take(), numberedList('b', 0, 2));
  assert.deepEqual(h.rec.errors, [], 'a mismatch is reported through resumed(), not as a read error');
});

test('resume mismatch (same file truncated below the offset, no copy): read from 0', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('a', 0, 10));
  const { position } = await firstRun(t, path);
  truncateSync(path, 0);
  append(path, 'b-0\n');

  const h = harness(t, { path, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'mismatch');
  assert.deepEqual(h.take(), ['b-0']);
});

test('resume mismatch: an inode reused by a new file is told apart by its first line', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'first line\nsecond\n');
  const { position } = await firstRun(t, path);
  writeFileSync(path, 'other first\nline two\nline three\n'); // same inode, bigger, different first line

  const h = harness(t, { path, startAt: 'end', resume: { ...position } });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'mismatch');
  assert.deepEqual(h.take(), ['other first', 'line two', 'line three']);
});

test('a garbage resume position (from a damaged checkpoint) is a mismatch, never a crash', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'x\n');
  const garbage = { dev: 'nope', offset: -3 } as unknown as FollowPosition;
  const h = harness(t, { path, startAt: 'end', resume: garbage });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'mismatch');
  assert.deepEqual(h.take(), ['x']);
});

test('no resume: resumed() is none and startAt decides', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'x\n');
  const h = harness(t, { path, startAt: 'end', resume: null });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'none');
  assert.deepEqual(h.take(), []);
  assert.deepEqual(h.follower.position(), { ...h.follower.position()!, offset: 2, file: path });
});

test('multilog resume after several rotations while stopped: the archive from the offset, the newer ones whole, then current', async (t) => {
  const dir = makeTempDir(t);
  const current = join(dir, 'current');
  writeFileSync(current, 'g0-0\n');
  const { position } = await firstRun(t, dir);
  append(current, 'g0-1\n');
  renameSync(current, join(dir, '@400000006600000000000000.s'));
  writeFileSync(current, 'g1-0\n');
  renameSync(current, join(dir, '@400000006600000100000000.s'));
  writeFileSync(current, 'g2-0\n');

  const h = harness(t, { path: dir, startAt: 'end', resume: position });
  await h.follower.start();
  assert.equal(h.follower.resumed(), 'rotated');
  assert.deepEqual(h.take(), ['g0-1', 'g1-0', 'g2-0']);
});
