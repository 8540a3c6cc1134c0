// Scenarios: a file that does not exist yet, a directory that does not exist yet, things that
// are not regular files (FIFO, directory), and errors that must be reported and retried.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FollowError } from '../../src/errors.js';
import { harness, makeTempDir, numbered, numberedList } from './helpers.js';

test('missing at start: presence false, no error, and a file that appears later is read from 0 even with startAt end', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  const s = h.follower.status();
  assert.equal(s.present, false);
  assert.equal(s.missingSince, h.clock.now());
  assert.equal(s.lastError, null);
  assert.equal(s.file, null);
  assert.deepEqual(h.rec.presence, [false]);
  assert.equal(h.follower.position(), null);

  // never gives up: hours of steps while missing
  const since = h.clock.now();
  for (let i = 0; i < 50; i++) {
    h.clock.advance(3600_000);
    await h.follower.step();
  }
  assert.equal(h.follower.status().missingSince, since);
  assert.deepEqual(h.rec.errors, []);

  writeFileSync(path, numbered('l', 0, 3));
  await h.follower.step();
  assert.deepEqual(h.take(), numberedList('l', 0, 3));
  assert.equal(h.follower.status().present, true);
  assert.equal(h.follower.status().missingSince, null);
  assert.deepEqual(h.rec.presence, [false, true]);
  assert.deepEqual(h.rec.opened, [{ file: path, offset: 0 }]);
});

test('the directory itself missing at start: waits the same way, then reads the file from 0', async (t) => {
  const base = makeTempDir(t);
  const dir = join(base, 'log', 'mail');
  const path = join(dir, 'maillog');
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  await h.follower.step();
  assert.equal(h.follower.status().present, false);
  assert.deepEqual(h.rec.errors, []);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path, 'hello\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['hello']);
});

test('a FIFO where a file was expected: a clear error in status, no hang; a regular file later is read', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  execFileSync('mkfifo', [path]);
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start(); // would hang forever if the FIFO were opened for reading
  const s = h.follower.status();
  assert.equal(s.present, false);
  assert.match(s.lastError ?? '', /is a FIFO, not a regular file/);
  assert.equal(s.lastErrorAt, h.clock.now());
  assert.equal(h.rec.errors.length, 1);
  assert.ok(h.rec.errors[0] instanceof FollowError);
  assert.equal((h.rec.errors[0] as FollowError).code, 'QX_FOLLOW_READ');

  await h.follower.step();
  assert.equal(h.rec.errors.length, 2, 'reported again on every step while it lasts');

  unlinkSync(path);
  writeFileSync(path, 'x\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['x'], 'a file that appears after start-up is read from 0');
  assert.equal(h.follower.status().lastError, null, 'cleared by the next good step');
  assert.equal(h.follower.status().lastErrorAt, null);
});

test('a directory that is not a multilog directory: a clear error, no crash', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  mkdirSync(path);
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  assert.match(h.follower.status().lastError ?? '', /is a directory without a 'current' file/);
  assert.equal(h.follower.status().present, false);
});

test("a multilog directory whose 'current' is a directory: a clear error, no crash", async (t) => {
  const dir = makeTempDir(t);
  mkdirSync(join(dir, 'current'));
  const h = harness(t, { path: dir, startAt: 'end' });
  await h.follower.start();
  assert.match(h.follower.status().lastError ?? '', /current is a directory, not a regular file/);
});

test('a path that cannot be looked at (symlink loop): reported and retried every step, cleared once it works', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  symlinkSync(path, path); // stat gives ELOOP
  // startAt applies at the first look that succeeds: until then nothing is known about the file
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  await h.follower.step();
  assert.equal(h.rec.errors.length, 2);
  assert.match(h.follower.status().lastError ?? '', /ELOOP|too many symbolic links/i);
  rmSync(path);
  writeFileSync(path, 'fine\n');
  await h.follower.step();
  assert.equal(h.follower.status().lastError, null);
  assert.deepEqual(h.take(), ['fine']);
  assert.equal(h.follower.status().present, true);
});

test('a path below a regular file (ENOTDIR): reported, never thrown out of step()', async (t) => {
  const dir = makeTempDir(t);
  writeFileSync(join(dir, 'notadir'), '');
  const path = join(dir, 'notadir', 'maillog');
  const h = harness(t, { path, startAt: 'end' });
  await h.follower.start();
  await h.follower.step();
  assert.equal(h.rec.errors.length, 2);
  assert.match(h.follower.status().lastError ?? '', /ENOTDIR/);
});
