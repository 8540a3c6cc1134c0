// The contract checkpoints rely on (each batch's position is the byte offset right after its
// last line), the triggers (fs.watch on the directory, the poll ticker, no two steps at once),
// over-long lines, and stop().
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createFollower, intervalTicker, manualTicker, type Follower, type LineBatch } from '../../src/follow/index.js';
import { append, harness, makeTempDir, numbered, numberedList, record } from './helpers.js';

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

test('every batch position is the byte offset right after its last line (CRLF, multi-byte, split writes)', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const seen: string[] = [];
  let checked = 0;
  const onLines = (batch: LineBatch): void => {
    seen.push(...batch.lines);
    const bytes = readFileSync(batch.file);
    const { offset } = batch.position;
    assert.equal(bytes[offset - 1], 10, 'offset follows a newline');
    const expected = bytes.toString('utf8', 0, offset - 1).split('\n').map((l) => l.replace(/\r$/, ''));
    assert.deepEqual(seen, expected, 'everything before the offset has been handed out, nothing after');
    checked += 1;
  };
  const h = harness(t, { path, startAt: 'start', onLines });
  await h.follower.start();
  const pieces = ['plain\n', 'crlf\r\n', 'caf', 'é 😀\n', 'x'.repeat(300_000), '\nlast', ' one\n'];
  for (const p of pieces) {
    append(path, p);
    await h.follower.step();
  }
  assert.equal(seen.length, 5);
  assert.ok(checked >= 5);
  assert.equal(h.rec.bytesRead, readFileSync(path).length);
  assert.equal(h.rec.lag.at(-1), 0);
});

test('a line longer than maxLineBytes is cut, counted, and the offsets stay exact', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  const long = 'L'.repeat(1000);
  writeFileSync(path, `short\n${long}\nafter\n`);
  const h = harness(t, { path, startAt: 'start', maxLineBytes: 100 });
  await h.follower.start();
  assert.deepEqual(h.take(), ['short', 'L'.repeat(100), 'after']);
  assert.equal(h.rec.oversized, 1);
  assert.equal(h.follower.position()?.offset, readFileSync(path).length);
});

test('a 1 MB line is handed out whole with the default cap', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, `${'m'.repeat(1024 * 1024)}\nnext\n`);
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  const lines = h.take();
  assert.equal(lines.length, 2);
  assert.equal(lines[0]!.length, 1024 * 1024);
  assert.equal(h.rec.oversized, 0);
});

test('steps never overlap: steps asked for while one runs are merged into one that runs after it', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, numbered('n', 0, 50_000));
  const queued: Promise<void>[] = [];
  const lines: string[] = [];
  let follower: Follower | null = null;
  const onLines = (batch: LineBatch): void => {
    lines.push(...batch.lines);
    if (queued.length === 0) {
      append(path, numbered('n', 50_000, 50_010));
      queued.push(follower!.step(), follower!.step());
    }
  };
  const h = harness(t, { path, startAt: 'start', onLines });
  follower = h.follower;
  const running = h.follower.step();
  await running;
  assert.equal(queued.length, 2);
  assert.equal(queued[0], queued[1], 'asked twice while busy: one step');
  assert.notEqual(queued[0], running);
  await queued[0];
  assert.deepEqual(lines, numberedList('n', 0, 50_010));
});

test('fs.watch on the directory triggers a step (the poll ticker never ticks here)', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const rec = record();
  const ticker = manualTicker();
  const follower = createFollower({ path, startAt: 'end', onLines: rec.onLines, observer: rec.observer, ticker, watch: true });
  t.after(() => follower.stop());
  await follower.start();
  assert.ok(ticker.running);
  append(path, 'by watch\n');
  await until(() => rec.lines.length === 1, 'the watched line');
  // a rename is seen through the directory watch as well
  renameSync(path, `${path}.1`);
  writeFileSync(path, 'after rename\n');
  await until(() => rec.lines.length === 2, 'the line after the rename');
  assert.deepEqual(rec.lines, ['by watch', 'after rename']);
  assert.deepEqual(rec.rotated, ['renamed']);
});

test('the interval ticker drives steps without fs.watch', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  const rec = record();
  const follower = createFollower({
    path,
    startAt: 'end',
    onLines: rec.onLines,
    observer: rec.observer,
    ticker: intervalTicker(10),
    watch: false,
  });
  t.after(() => follower.stop());
  await follower.start();
  writeFileSync(path, 'polled\n');
  await until(() => rec.lines.length === 1, 'the polled line');
  assert.deepEqual(rec.lines, ['polled']);
});

test('the manual ticker triggers a step', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');
  const rec = record();
  const ticker = manualTicker();
  const follower = createFollower({ path, startAt: 'end', onLines: rec.onLines, observer: rec.observer, ticker, watch: false });
  await follower.start();
  append(path, 'ticked\n');
  ticker.tick();
  await follower.step(); // shares the step the tick queued, or runs right after it
  assert.deepEqual(rec.lines, ['ticked']);
  await follower.stop();
  assert.equal(ticker.running, false);
});

test('an exception thrown by onLines is reported, not thrown out of step()', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\n');
  const h = harness(t, {
    path,
    startAt: 'start',
    onLines: () => {
      throw new Error('caller bug');
    },
  });
  await h.follower.start();
  assert.match(h.follower.status().lastError ?? '', /caller bug/);
  assert.equal(h.rec.errors.length, 1);
});

test('stop(): closes files, later steps do nothing, status says stopped', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, 'a\n');
  const h = harness(t, { path, startAt: 'start' });
  await h.follower.start();
  await h.follower.stop();
  append(path, 'b\n');
  await h.follower.step();
  assert.deepEqual(h.take(), ['a']);
  const s = h.follower.status();
  assert.equal(s.stopped, true);
  assert.equal(s.offset, 2);
  await h.follower.stop(); // twice is fine
});
