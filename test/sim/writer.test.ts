import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createSimulatedHost } from '../../src/sim/host.js';
import { startLiveWriter, writeSimulatedLog } from '../../src/sim/writer.js';
import { readLog } from './read-log.js';

const START = 1_700_831_700;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qx-sim-'));
}

test('writeSimulatedLog writes exactly n lines; gzip holds the same lines and truth as plain', async () => {
  const dir = tempDir();
  try {
    const plain = join(dir, 'maillog');
    const gz = join(dir, 'maillog.gz');
    const truth = await writeSimulatedLog(plain, { startTime: START, lines: 80_001, seed: 4 });
    const truthGz = await writeSimulatedLog(gz, { startTime: START, lines: 80_001, seed: 4 });
    const text = readFileSync(plain, 'latin1');
    assert.ok(text.length > 2 * (4 << 20), 'the file spans more than two write buffers');
    assert.ok(text.endsWith('\n'));
    const lines = text.slice(0, -1).split('\n');
    assert.equal(lines.length, 80_001);
    assert.equal(truth.lines, 80_001);
    assert.equal(gunzipSync(readFileSync(gz)).toString('latin1'), text);
    assert.deepEqual(truthGz, truth);
    // the same lines and truth as the host hands out
    const host = createSimulatedHost({ startTime: START, seed: 4 });
    assert.deepEqual(host.take(80_001), lines);
    assert.deepEqual(host.truth(), truth);
    assert.deepEqual(readLog(lines, START).counters, truth.counters);

    const empty = join(dir, 'empty');
    assert.equal((await writeSimulatedLog(empty, { startTime: START, lines: 0 })).lines, 0);
    assert.equal(readFileSync(empty, 'latin1'), '');
    await assert.rejects(writeSimulatedLog(join(dir, 'x'), { startTime: START, lines: 1.5 }), RangeError);
    await assert.rejects(writeSimulatedLog(join(dir, 'missing', 'maillog'), { startTime: START, lines: 10 }), /ENOENT/);
    await assert.rejects(writeSimulatedLog(join(dir, 'missing', 'maillog.gz'), { startTime: START, lines: 100_000 }), /ENOENT/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live writer with a hand-driven clock: lines follow the clock, rotations keep every line', async () => {
  const dir = tempDir();
  try {
    let clock = START * 1000;
    const writer = startLiveWriter({ dir, startTime: START, seed: 6, now: () => clock, rotateEveryMs: 60_000 });
    await writer.tick();
    for (let i = 0; i < 300; i++) {
      clock += 1000;
      await writer.tick();
    }
    const truth = await writer.stop();
    assert.equal(writer.rotations(), 5);
    const names = readdirSync(dir).sort();
    const rotated = names.filter((n) => n !== 'maillog');
    assert.equal(rotated.length, 5);
    for (const n of rotated) assert.match(n, /^maillog-\d{14}$/);
    assert.ok(names.includes('maillog'));
    // rotated names sort in time order; the current file comes last
    const all: string[] = [];
    for (const n of [...rotated, 'maillog']) {
      const text = readFileSync(join(dir, n), 'latin1');
      if (text !== '') all.push(...text.slice(0, -1).split('\n'));
    }
    assert.equal(all.length, truth.lines);
    assert.ok(truth.lines > 4000, `${truth.lines} lines in 300 s`);
    assert.ok(truth.lastLineTime <= START + 300);
    const reference = createSimulatedHost({ startTime: START, seed: 6 });
    assert.deepEqual(all, reference.advanceTo(START + 300));
    assert.deepEqual(reference.truth(), truth);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live writer: a backlog from an earlier startTime is written at the first tick; rotations in one second do not collide', async () => {
  const dir = tempDir();
  try {
    let clock = (START + 600) * 1000;
    const writer = startLiveWriter({ dir, startTime: START, seed: 2, now: () => clock, rotateEveryMs: 100, fileName: 'mail.log' });
    writeFileSync(join(dir, 'unrelated'), 'x');
    await writer.tick();
    const backlog = writer.truth().lines;
    assert.ok(backlog > 8000, `${backlog} lines of backlog for 600 s`);
    for (let i = 0; i < 4; i++) {
      clock += 150;
      await writer.tick();
    }
    const truth = await writer.stop();
    // the first tick only writes the backlog; each later one is ≥ 100 ms after the previous rotation
    assert.equal(writer.rotations(), 4);
    const logs = readdirSync(dir).filter((n) => n.startsWith('mail.log'));
    assert.equal(logs.length, 5);
    let lines = 0;
    for (const n of logs) {
      const text = readFileSync(join(dir, n), 'latin1');
      lines += text === '' ? 0 : text.split('\n').length - 1;
    }
    assert.equal(lines, truth.lines);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('live writer start() writes on its own timer until stop()', async () => {
  const dir = tempDir();
  try {
    const began = Date.now();
    const writer = startLiveWriter({ dir, startTime: began / 1000 - 10, seed: 1, tickMs: 20, linesPerSecond: 200 });
    writer.start();
    writer.start();
    const deadline = Date.now() + 10_000;
    while (writer.truth().lines < 1000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const truth = await writer.stop();
    assert.ok(truth.lines >= 1000, `${truth.lines} lines`);
    const text = readFileSync(join(dir, 'maillog'), 'latin1');
    assert.equal(text.split('\n').length - 1, truth.lines);
    const after = truth.lines;
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(writer.truth().lines, after, 'nothing is written after stop()');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
