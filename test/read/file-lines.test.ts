import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readLineBatches, MAX_LINE_BYTES, READ_CHUNK_BYTES, referenceTimeForFile, listenerHintForPath } from '../../src/read/file-lines.js';

async function all(path: string, chunkBytes?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const b of readLineBatches(path, chunkBytes === undefined ? {} : { chunkBytes })) out.push(...b);
  return out;
}

test('plain and gzip files give the same lines; CRLF stripped; a last line without newline kept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-read-'));
  try {
    const text = 'one\r\ntwo\n\nthree';
    writeFileSync(join(dir, 'a'), text);
    writeFileSync(join(dir, 'a.gz'), gzipSync(text));
    writeFileSync(join(dir, 'renamed-archive'), gzipSync(text)); // gzip recognised by its magic bytes
    for (const f of ['a', 'a.gz', 'renamed-archive']) assert.deepEqual(await all(join(dir, f)), ['one', 'two', '', 'three'], f);
    writeFileSync(join(dir, 'empty'), '');
    assert.deepEqual(await all(join(dir, 'empty')), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the read size changes batches, never lines: every chunk size gives the same lines, none lost or doubled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-read-'));
  try {
    // CRLF pairs, multi-byte characters and empty lines land on every chunk boundary for some size;
    // a line longer than the default read size spans several reads.
    const lines = ['first', 'crlf\r', '', 'ünïcødé ✓ €', 'x'.repeat(READ_CHUNK_BYTES + 17), '\r', 'last'];
    const text = `${lines.join('\n')}\n${'tail without newline\r'}`;
    const want = ['first', 'crlf', '', 'ünïcødé ✓ €', 'x'.repeat(READ_CHUNK_BYTES + 17), '', 'last', 'tail without newline'];
    writeFileSync(join(dir, 'f'), text);
    writeFileSync(join(dir, 'f.gz'), gzipSync(text));
    for (const size of [1, 2, 3, 7, 64, 4096, READ_CHUNK_BYTES, READ_CHUNK_BYTES * 4]) {
      assert.deepEqual(await all(join(dir, 'f'), size), want, `plain, ${size}-byte reads`);
      assert.deepEqual(await all(join(dir, 'f.gz'), size), want, `gzip, ${size}-byte reads`);
    }
    // Batches are at most one read long: a batch never holds more lines than one read can end.
    let batches = 0;
    for await (const b of readLineBatches(join(dir, 'f'), { chunkBytes: 8 })) {
      batches++;
      assert.ok(b.length <= 8, `batch of ${b.length} lines from an 8-byte read`);
    }
    assert.ok(batches > 1, `${batches} batches`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO is read as a stream', { skip: process.platform !== 'linux' ? 'mkfifo is Linux-only here' : false }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-read-'));
  try {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'a\nb\nc' > ${fifo}`]);
    const exited = once(writer, 'exit'); // listening before the writer can finish
    assert.deepEqual(await all(fifo), ['a', 'b', 'c']);
    await exited;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('invalid UTF-8 and NUL bytes do not throw; a line over the cap is cut and the next line survives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-read-'));
  try {
    const long = Buffer.alloc(MAX_LINE_BYTES + 5000, 0x41);
    writeFileSync(join(dir, 'b'), Buffer.concat([Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]), long, Buffer.from('\nafter\n')]));
    const lines = await all(join(dir, 'b'));
    assert.equal(lines.length, 3);
    assert.equal(lines[0], '\ufffd\ufffd\u0000A');
    assert.equal(lines[1]!.length, MAX_LINE_BYTES);
    assert.equal(lines[2], 'after');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reader that stops early leaves no file descriptor open', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-read-'));
  try {
    const body = `${'x'.repeat(100)}\n`.repeat(100_000);
    writeFileSync(join(dir, 'c'), body);
    writeFileSync(join(dir, 'c.gz'), gzipSync(body));
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 5; i++) {
      for (const f of ['c', 'c.gz']) {
        for await (const batch of readLineBatches(join(dir, f))) {
          assert.ok(batch.length > 0);
          break;
        }
      }
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(fds(), before);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the year reference comes from a maillog-YYYYMMDD name; multilog files name their listener', () => {
  const t = referenceTimeForFile('/var/log/maillog-20260104.gz', 0);
  const d = new Date(t * 1000);
  assert.deepEqual([d.getFullYear(), d.getMonth(), d.getDate()], [2026, 0, 4]);
  assert.equal(listenerHintForPath('/var/log/qmail/smtpd/current'), 'smtpd');
  assert.equal(listenerHintForPath('/var/log/qmail/submission/@400000006aa8e01718c73554.s'), 'submission');
  assert.equal(listenerHintForPath('/var/log/maillog'), null);
});
