// Scenarios: a daemontools multilog directory. multilog writes `current`; when it is full it
// renames it to @<tai64n>.s (or .u after a crash) and starts a new `current`. At the default
// s99999 a busy server rotates every few seconds, so several rotations can fall between two
// steps: every archive newer than the last one accounted for must be read, in order.
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { append, harness, makeTempDir, numbered, numberedList } from './helpers.js';

let stamp = 0x65a00000;
/** a TAI64N archive name later than every one made before */
function archiveName(suffix: 's' | 'u' = 's'): string {
  stamp += 1;
  return `@40000000${stamp.toString(16)}0000abcd.${suffix}`;
}

/** what multilog does when `current` is full */
function rotateCurrent(dir: string, suffix: 's' | 'u' = 's'): string {
  const name = archiveName(suffix);
  renameSync(join(dir, 'current'), join(dir, name));
  writeFileSync(join(dir, 'current'), '');
  return name;
}

test('multilog: current renamed to @….s is finished, then the new current is read from 0', async (t) => {
  const dir = makeTempDir(t);
  writeFileSync(join(dir, 'current'), numbered('c0', 0, 2));
  const h = harness(t, { path: dir, startAt: 'start' });
  await h.follower.start();
  assert.deepEqual(h.take(), numberedList('c0', 0, 2));
  assert.equal(h.follower.status().file, join(dir, 'current'));

  append(join(dir, 'current'), numbered('c0', 2, 3));
  const archived = rotateCurrent(dir);
  append(join(dir, 'current'), numbered('c1', 0, 2));
  await h.follower.step();
  assert.deepEqual(h.take(), ['c0-2', ...numberedList('c1', 0, 2)]);
  assert.deepEqual(h.rec.rotated, ['renamed']);
  assert.deepEqual(
    h.rec.batches.map((b) => b.file),
    [join(dir, 'current'), join(dir, archived), join(dir, 'current')],
  );
});

test('multilog: several rotations between two steps: every archive is read, in order, nothing skipped', async (t) => {
  const dir = makeTempDir(t);
  writeFileSync(join(dir, archiveName()), 'from before start-up: not read\n');
  writeFileSync(join(dir, 'current'), 'seen at start\n');
  const h = harness(t, { path: dir, startAt: 'end' });
  await h.follower.start();
  assert.deepEqual(h.take(), []);

  const expected: string[] = [];
  for (let r = 0; r < 6; r++) {
    append(join(dir, 'current'), numbered(`gen${r}`, 0, 3));
    expected.push(...numberedList(`gen${r}`, 0, 3));
    rotateCurrent(dir, r === 3 ? 'u' : 's');
  }
  append(join(dir, 'current'), 'now\n');
  expected.push('now');
  await h.follower.step();
  assert.deepEqual(h.take(), expected);
  assert.deepEqual(h.rec.rotated, ['renamed']);

  // and the steady state after it
  append(join(dir, 'current'), 'later\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['later']);
});

test('multilog: the path may name <dir>/current itself', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'current');
  writeFileSync(path, '');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  append(path, 'a\n');
  rotateCurrent(dir);
  append(path, 'b\n');
  rotateCurrent(dir);
  append(path, 'c\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['a', 'b', 'c']);
});

test('multilog: the directory missing at start; once multilog starts, everything it wrote is read', async (t) => {
  const base = makeTempDir(t);
  const dir = join(base, 'smtpd');
  const h = harness(t, { path: dir, startAt: 'end' });
  await h.follower.start();
  assert.equal(h.follower.status().present, false);
  assert.equal(h.follower.status().lastError, null);
  mkdirSync(dir);
  writeFileSync(join(dir, 'current'), 'first\n');
  rotateCurrent(dir);
  append(join(dir, 'current'), 'second\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['first', 'second']);
});

test('multilog: current missing for a moment between rename and create', async (t) => {
  const dir = makeTempDir(t);
  writeFileSync(join(dir, 'current'), '');
  const h = harness(t, { path: dir, startAt: 'start' });
  await h.follower.start();
  append(join(dir, 'current'), 'a\n');
  renameSync(join(dir, 'current'), join(dir, archiveName()));
  await h.follower.step();
  assert.deepEqual(h.take(), ['a']);
  assert.equal(h.follower.status().present, false);
  writeFileSync(join(dir, 'current'), 'b\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['b']);
});
