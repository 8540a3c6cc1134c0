// Scenario: a line written in more than one write(). It is held until its newline arrives and
// never counted in the position; it is flushed as a line only when its file can no longer grow.
import assert from 'node:assert/strict';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { append, harness, makeTempDir } from './helpers.js';

test('a partial last line is held until its newline arrives; the position stops before it', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'one\nfirst-half-');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), ['one']);
  assert.equal(h.follower.position()?.offset, 4);
  assert.equal(h.follower.status().offset, 4);

  await h.follower.step();
  assert.deepEqual(h.take(), [], 'nothing new: still held');
  append(path, 'second-half\ntwo-');
  await h.follower.step();
  assert.deepEqual(h.take(), ['first-half-second-half']);
  assert.equal(h.follower.position()?.offset, Buffer.byteLength('one\nfirst-half-second-half\n'));
  assert.equal(h.rec.lag.at(-1), 4, 'the held bytes are not handed out yet: they count as lag');
});

test('startAt end with a line being written at start-up: it is read whole once finished', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'old\nold too\nbeing writ');
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  assert.deepEqual(h.follower.position()?.offset, Buffer.byteLength('old\nold too\n'));
  append(path, 'ten\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['being written']);
});

test('partial line of a file rotated away: flushed as a line when the grace period ends', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\nunfinished');
  const h = harness(t, { path, startAt: 'start', graceMs: 1000 });
  await h.follower.start();
  renameSync(path, `${path}-1`);
  await h.follower.step();
  assert.deepEqual(h.take(), ['a']);
  h.clock.advance(1000);
  await h.follower.step();
  assert.deepEqual(h.take(), ['unfinished']);
  const last = h.rec.batches.at(-1)!;
  assert.equal(last.position.offset, Buffer.byteLength('a\nunfinished'), 'the flushed line is covered by the position');
});

test('partial line of a rotated file: flushed as soon as the new file has data (the writer moved on)', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\nunfinished');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  renameSync(path, `${path}-1`);
  writeFileSync(path, 'b\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['a', 'unfinished', 'b']);
});

test('stop() hands out no partial line', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\npartial');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  await h.follower.stop();
  assert.deepEqual(h.take(), ['a']);
  assert.equal(h.follower.position()?.offset, 2);
  assert.equal(h.follower.status().stopped, true);
});
