// The acceptance test: 200,000 numbered lines written as fast as a child process can, while
// the file is rotated three times in each way (rename + create, copytruncate, delete +
// recreate). The follower runs as in production (fs.watch on the directory, the real 250 ms
// poll) and must hand out every number exactly once, in order. stress-writer.mjs explains the
// writer's rules.
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createFollower } from '../../src/follow/index.js';
import { makeTempDir, record } from './helpers.js';

const TOTAL = 200_000;
const LINE = /^seq=(\d{8}) x{40}$/;

test('stress: 200,000 lines through 3 renames, 3 copytruncates and 3 deletes: every line exactly once, in order', async (t) => {
  const dir = makeTempDir(t);
  const path = join(dir, 'maillog');
  writeFileSync(path, '');

  const rec = record();
  let next = 0;
  let received = 0;
  let garbage = 0;
  let firstProblem: string | null = null;
  const follower = createFollower({
    path,
    startAt: 'start',
    observer: rec.observer,
    onLines: (batch) => {
      for (const line of batch.lines) {
        const m = LINE.exec(line);
        if (!m) {
          garbage += 1;
          firstProblem ??= `garbage line ${JSON.stringify(line.slice(0, 80))}`;
          continue;
        }
        const n = Number(m[1]);
        if (n !== next) firstProblem ??= `got ${n}, expected ${next}`;
        next = n + 1;
        received += 1;
      }
    },
  });
  t.after(() => follower.stop());
  await follower.start();

  const started = Date.now();
  const writer = fork(fileURLToPath(new URL('./stress-writer.mjs', import.meta.url)), [path, String(TOTAL), '100'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  t.after(() => {
    if (writer.exitCode === null) writer.kill();
  });
  const writerExit = new Promise<number | null>((resolve) => writer.on('exit', (code) => resolve(code)));
  writer.on('message', (msg: { ready?: string }) => {
    if (!msg.ready) return;
    // go once the follower reads the current file (see stress-writer.mjs)
    const deadline = Date.now() + 15_000;
    const poll = (): void => {
      let ino = -1;
      try {
        ino = statSync(path).ino;
      } catch {
        // between a rotation and the reopen: look again
      }
      if (follower.position()?.ino === ino || Date.now() > deadline) writer.send('go');
      else setTimeout(poll, 2);
    };
    poll();
  });

  assert.equal(await writerExit, 0, 'the writer finished');
  const wrote = Date.now() - started;
  const deadline = Date.now() + 20_000;
  while (received < TOTAL && firstProblem === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const caughtUp = Date.now() - started;
  // give duplicates, if any, the chance to show up
  await new Promise((r) => setTimeout(r, 300));
  await follower.step();
  await follower.stop();

  t.diagnostic(`writer ${wrote} ms, follower caught up after ${caughtUp} ms, ${rec.bytesRead} bytes read`);
  assert.equal(firstProblem, null);
  assert.equal(garbage, 0);
  assert.equal(received, TOTAL);
  assert.equal(next, TOTAL);
  const count = (kind: string): number => rec.rotated.filter((k) => k === kind).length;
  assert.deepEqual({ renamed: count('renamed'), truncated: count('truncated'), recreated: count('recreated') }, {
    renamed: 3,
    truncated: 3,
    recreated: 3,
  });
  assert.deepEqual(rec.errors, []);
});
