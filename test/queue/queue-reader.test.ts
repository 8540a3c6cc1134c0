/**
 * The queue reader on real directories laid out like qmail's queue (mess/0–22, todo/), with the
 * clock and the scrape budget driven by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createQueueReader, type QueueFs } from '../../src/queue/queue-reader.js';
import { registerQueueMetrics } from '../../src/queue/queue-metrics.js';

const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const HOUR = 3600_000;

/** A queue like qmail's: mess/0–22 and todo/ (and the other split directories), `perSplit` messages in each mess/N. */
function makeQueue(perSplit: (n: number) => number, todo: number): { dir: string; inodes: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'qx-queue-'));
  const inodes: string[] = [];
  for (const sub of ['mess', 'info', 'local', 'remote', 'intd', 'bounce', 'todo', 'pid', 'lock']) mkdirSync(join(dir, sub));
  let inode = 4_000_000;
  for (let n = 0; n < 23; n++) {
    for (const sub of ['mess', 'info', 'local', 'remote']) mkdirSync(join(dir, sub, String(n)));
    for (let i = 0; i < perSplit(n); i++) {
      const f = join(dir, 'mess', String(n), String(inode + n));
      writeFileSync(f, 'Received: (qmail 1 invoked by uid 89); 2 Dec 2026 11:00:00 -0000\n\nhello\n');
      utimesSync(f, new Date(NOW - 60_000), new Date(NOW - 60_000));
      inodes.push(f);
      inode += 23;
    }
  }
  for (let i = 0; i < todo; i++) writeFileSync(join(dir, 'todo', String(5_000_000 + i)), '');
  return { dir, inodes };
}

test('a queue laid out like qmail\'s reads back exactly: messages, todo, the 3-hour-old message', async () => {
  // 0..22 messages per split directory: 253 messages; 7 in todo
  const { dir, inodes } = makeQueue((n) => n, 7);
  try {
    utimesSync(inodes[100]!, new Date(NOW - 3 * HOUR), new Date(NOW - 3 * HOUR));
    const registry = new Registry();
    const reader = createQueueReader({ path: dir, now: () => NOW });
    registerQueueMetrics(registry, reader, () => NOW);
    const text = await registry.metrics();
    assert.match(text, /^qmail_queue_length 253$/m);
    assert.match(text, /^qmail_queue_todo_length 7$/m);
    assert.match(text, /^qmail_queue_oldest_message_age_seconds 10800$/m);
    assert.match(text, /^qmail_exporter_queue_read_errors_total 0$/m);
    assert.deepEqual(reader.status().reading, { messages: 253, todo: 7, oldestMtimeMs: NOW - 3 * HOUR, readAtMs: NOW });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('big-todo: todo/N/ subdirectories are counted by their files', async () => {
  const { dir } = makeQueue(() => 1, 2);
  try {
    for (let n = 0; n < 3; n++) {
      mkdirSync(join(dir, 'todo', String(n)));
      writeFileSync(join(dir, 'todo', String(n), String(6_000_000 + n)), '');
    }
    const s = await createQueueReader({ path: dir, now: () => NOW }).sample();
    assert.equal(s.reading?.messages, 23);
    assert.equal(s.reading?.todo, 5);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an empty queue: zero messages and an oldest age of 0', async () => {
  const { dir } = makeQueue(() => 0, 0);
  try {
    const registry = new Registry();
    const reader = createQueueReader({ path: dir, now: () => NOW });
    registerQueueMetrics(registry, reader, () => NOW);
    const text = await registry.metrics();
    assert.match(text, /^qmail_queue_length 0$/m);
    assert.match(text, /^qmail_queue_oldest_message_age_seconds 0$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the reading is cached: the queue is read again only when the cache is older than cacheMs', async () => {
  const { dir } = makeQueue(() => 1, 0);
  try {
    let now = NOW;
    const reader = createQueueReader({ path: dir, now: () => now, cacheMs: 15_000 });
    assert.equal((await reader.sample()).reading?.messages, 23);
    writeFileSync(join(dir, 'mess', '0', '42'), 'x');
    now += 10_000;
    assert.equal((await reader.sample()).reading?.messages, 23, 'cached');
    now += 5_000;
    assert.equal((await reader.sample()).reading?.messages, 24, 'read again');
    assert.equal(reader.status().reads, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a scrape never waits longer than the budget: it gets the previous reading while a read is slow', async () => {
  const { dir } = makeQueue(() => 2, 1);
  try {
    const real: QueueFs = { readdir: (p, o) => import('node:fs/promises').then((f) => f.readdir(p, o)), stat: (p) => import('node:fs/promises').then((f) => f.stat(p)) };
    let hold: (() => void) | null = null;
    const slow: QueueFs = {
      readdir: async (p, o) => {
        if (hold === null && p.endsWith('todo')) await new Promise<void>((resolve) => (hold = resolve));
        return real.readdir(p, o);
      },
      stat: real.stat,
    };
    let now = NOW;
    let budgetOver: (() => void) | null = null;
    const reader = createQueueReader({
      path: dir,
      now: () => now,
      fs: { readdir: real.readdir, stat: real.stat },
    });
    assert.equal((await reader.sample()).reading?.messages, 46);

    // the same queue behind a file system that stalls on todo/, with a budget we end by hand
    let readDone: (() => void) | null = null;
    const done = new Promise<void>((resolve) => (readDone = resolve));
    const stalled = createQueueReader({
      path: dir,
      now: () => now,
      fs: slow,
      wait: () => new Promise<void>((resolve) => (budgetOver = resolve)),
      onRead: () => readDone!(),
    });
    const first = stalled.sample();
    await new Promise((r) => setImmediate(r));
    budgetOver!();
    assert.equal((await first).reading, null, 'nothing read yet: the scrape answers without waiting');
    hold!();
    await done;
    assert.equal(stalled.status().reading?.messages, 46, 'the read finished in the background');
    // a second scrape within the cache time reads nothing and does not wait
    now += 1000;
    const second = await stalled.sample();
    assert.equal(second.reading?.messages, 46);
    assert.equal(second.reads, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing queue is an error and a counter, not a crash; the gauges are absent, not zero', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-queue-'));
  try {
    const results: Array<string | null> = [];
    const registry = new Registry();
    let now = NOW;
    const reader = createQueueReader({ path: join(dir, 'nope'), now: () => now, cacheMs: 1000, onRead: (e) => results.push(e?.code ?? null) });
    registerQueueMetrics(registry, reader, () => now);
    let text = await registry.metrics();
    assert.doesNotMatch(text, /^qmail_queue_length /m);
    now += 1000;
    text = await registry.metrics();
    assert.match(text, /^qmail_exporter_queue_read_errors_total 2$/m);
    assert.deepEqual(results, ['ENOENT', 'ENOENT']);
    assert.equal(reader.status().error?.code, 'ENOENT');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unreadable queue (mess 0750 qmailq:qmail, exporter not in the group) is EACCES', async (t) => {
  if (process.getuid?.() === 0) return t.skip('running as root: permissions do not refuse root');
  const { dir } = makeQueue(() => 1, 0);
  try {
    chmodSync(join(dir, 'mess'), 0o000);
    const s = await createQueueReader({ path: dir, now: () => NOW }).sample();
    assert.equal(s.reading, null);
    assert.equal(s.error?.code, 'EACCES');
    assert.equal(s.errors, 1);
  } finally {
    chmodSync(join(dir, 'mess'), 0o750);
    rmSync(dir, { recursive: true, force: true });
  }
});
