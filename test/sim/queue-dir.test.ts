/**
 * The demo's queue directory follows the simulated host: one file per queued message in
 * mess/0–22, dated when it was queued; it grows while a provider blocklists the host and the
 * exporter's queue reader counts exactly what the log says is queued.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLiveWriter } from '../../src/sim/writer.js';
import { createQueueReader } from '../../src/queue/queue-reader.js';

const START = 1_700_831_700;

test('the simulated queue directory holds exactly the messages the log has queued and not ended', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-simq-'));
  try {
    let clock = START * 1000;
    const queue = join(dir, 'queue');
    const writer = startLiveWriter({ dir, startTime: START, seed: 5, now: () => clock, hijackAfterSeconds: 60, linesPerSecond: 40, queueDir: queue });
    const sizes: number[] = [];
    const queued = new Map<string, number>();
    const reader = createQueueReader({ path: queue, now: () => clock, cacheMs: 0 });
    for (let minute = 0; minute < 20; minute++) {
      for (let s = 0; s < 60; s++) {
        clock += 1000;
        await writer.tick();
      }
      sizes.push((await reader.sample()).reading!.messages);
    }
    await writer.stop();
    for (const line of readFileSync(join(dir, 'maillog'), 'latin1').split('\n')) {
      const m = /qmail: (\d+)\.\d{6} (new|end) msg (\d+)$/.exec(line);
      if (m === null) continue;
      if (m[2] === 'new') queued.set(m[3]!, Number(m[1]));
      else queued.delete(m[3]!);
    }
    const files = new Map<string, number>();
    for (const split of readdirSync(join(queue, 'mess'))) {
      assert.ok(Number(split) >= 0 && Number(split) < 23, split);
      for (const f of readdirSync(join(queue, 'mess', split))) {
        assert.equal(Number(f) % 23, Number(split), `${f} in mess/${split}`);
        files.set(f, Math.round(statSync(join(queue, 'mess', split, f)).mtimeMs / 1000));
      }
    }
    assert.deepEqual(new Map([...files].sort()), new Map([...queued].sort()), 'one file per queued message, dated when it was queued');
    assert.equal(readdirSync(join(queue, 'todo')).length, 0);
    const reading = (await reader.sample()).reading!;
    assert.equal(reading.messages, queued.size);
    // the provider that blocklists the host after the spam burst keeps its messages queued: the queue grows
    assert.ok(sizes[sizes.length - 1]! > sizes[1]! + 20, `queue sizes by minute: ${sizes.join(' ')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
