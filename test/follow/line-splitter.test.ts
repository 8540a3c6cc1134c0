import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLineSplitter } from '../../src/follow/line-splitter.js';

const MiB = 1024 * 1024;

test('complete lines come out, the unfinished tail is held and counted in pendingBytes', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(s.push(Buffer.from('one\ntwo\nthr')), { lines: ['one', 'two'], oversized: 0 });
  assert.equal(s.pendingBytes, 3);
  assert.deepEqual(s.push(Buffer.from('ee')).lines, []);
  assert.equal(s.pendingBytes, 5);
  assert.deepEqual(s.push(Buffer.from('\nfour\n')).lines, ['three', 'four']);
  assert.equal(s.pendingBytes, 0);
});

test('the held tail is a copy: reusing the read buffer does not change it', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  const buf = Buffer.from('abc');
  s.push(buf);
  buf.write('XYZ');
  assert.deepEqual(s.push(Buffer.from('def\n')).lines, ['abcdef']);
});

test('CRLF: exactly one trailing \\r is stripped, also when \\r and \\n arrive in different chunks', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(s.push(Buffer.from('a\r\nb\r\r\nc\r')).lines, ['a', 'b\r']);
  assert.deepEqual(s.push(Buffer.from('\n')).lines, ['c']);
  assert.deepEqual(s.push(Buffer.from('\r\n\n')).lines, ['', '']);
});

test('empty lines are lines', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(s.push(Buffer.from('\n\nx\n')).lines, ['', '', 'x']);
});

test('invalid UTF-8 becomes U+FFFD and never throws; valid multi-byte text split across chunks survives', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  const bad = Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3, 0x0a]); // a, two invalid bytes, b, a truncated sequence
  assert.deepEqual(s.push(bad).lines, ['a\uFFFD\uFFFDb\uFFFD']);
  const euro = Buffer.from('€ ok\n'); // e2 82 ac
  s.push(euro.subarray(0, 2));
  assert.deepEqual(s.push(euro.subarray(2)).lines, ['€ ok']);
});

test('NUL bytes are kept as characters', () => {
  const s = createLineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(s.push(Buffer.from([0x61, 0x00, 0x62, 0x0a, 0x00, 0x0a])).lines, ['a\u0000b', '\u0000']);
});

test('a 1 MB line fed in 64 KiB chunks comes out whole under the default-sized cap', () => {
  const s = createLineSplitter({ maxLineBytes: MiB + 1024 });
  const line = Buffer.alloc(MiB, 'x');
  const data = Buffer.concat([line, Buffer.from('\nnext\n')]);
  const out: string[] = [];
  for (let i = 0; i < data.length; i += 64 * 1024) out.push(...s.push(data.subarray(i, i + 64 * 1024)).lines);
  assert.equal(out.length, 2);
  assert.equal(out[0]!.length, MiB);
  assert.equal(out[1], 'next');
});

test('a line longer than the cap is cut to the cap, counted, and its rest is dropped (memory stays bounded)', () => {
  const s = createLineSplitter({ maxLineBytes: 10 });
  // in one chunk
  assert.deepEqual(s.push(Buffer.from('0123456789ABCDEF\nshort\n')), { lines: ['0123456789', 'short'], oversized: 1 });
  // spread over chunks: the held part never exceeds the cap + 1
  s.push(Buffer.from('abcdefgh'));
  s.push(Buffer.from('ijklmnopqrstuvwxyz'.repeat(1000)));
  assert.equal(s.pendingBytes, 8 + 18 * 1000, 'pendingBytes counts dropped bytes too (offsets stay exact)');
  assert.deepEqual(s.push(Buffer.from('!\n')), { lines: ['abcdefghij'], oversized: 1 });
  assert.equal(s.pendingBytes, 0);
});

test('a line of exactly the cap, with CRLF, is not oversized', () => {
  const s = createLineSplitter({ maxLineBytes: 4 });
  assert.deepEqual(s.push(Buffer.from('abcd\r\n')), { lines: ['abcd'], oversized: 0 });
  s.push(Buffer.from('wxyz\r'));
  assert.deepEqual(s.push(Buffer.from('\n')), { lines: ['wxyz'], oversized: 0 });
  assert.deepEqual(s.push(Buffer.from('abcde\n')), { lines: ['abcd'], oversized: 1 });
});

test('flush hands out the held tail once; reset forgets it', () => {
  const s = createLineSplitter({ maxLineBytes: 5 });
  assert.equal(s.flush(), null);
  s.push(Buffer.from('tail\r'));
  assert.deepEqual(s.flush(), { line: 'tail', oversized: false });
  assert.equal(s.flush(), null);
  s.push(Buffer.from('much too long'));
  assert.deepEqual(s.flush(), { line: 'much ', oversized: true });
  s.push(Buffer.from('gone'));
  s.reset();
  assert.equal(s.pendingBytes, 0);
  assert.deepEqual(s.push(Buffer.from('new\n')).lines, ['new']);
});

test('every byte value decodes as UTF-8 decoding would, in ASCII chunks and in chunks with other bytes', () => {
  // Each of the 256 byte values in a line of its own, framed by ASCII; then the same lines with one
  // Latin-1 byte in the chunk, so that both decoding paths see every byte value below 0x80.
  const lineOf = (b: number): Buffer => Buffer.from([0x78, b, 0x79, 0x0a]);
  const asciiChunk = Buffer.concat(Array.from({ length: 128 }, (_, b) => (b === 0x0a ? Buffer.alloc(0) : lineOf(b))));
  const mixedChunk = Buffer.concat([asciiChunk, Buffer.from([0x61, 0xe9, 0x0a]), Buffer.from('d\u00e9j\u00e0 vu\n'), lineOf(0xff)]);
  for (const chunk of [asciiChunk, mixedChunk]) {
    const expected = chunk.toString('utf8').split('\n').slice(0, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    const s = createLineSplitter({ maxLineBytes: 100 });
    const { lines } = s.push(chunk);
    assert.deepEqual(lines, expected);
    assert.equal(s.pendingBytes, 0);
  }
  const s = createLineSplitter({ maxLineBytes: 100 });
  assert.deepEqual(s.push(Buffer.from([0x61, 0xe9, 0x0a])).lines, ['a\uFFFD'], 'a lone Latin-1 byte is invalid UTF-8');
});
