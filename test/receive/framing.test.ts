import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createFrameDecoder, type FramingError } from '../../src/receive/framing.js';

function decode(chunks: Array<string | Buffer>, maxFrameBytes = 64): { frames: string[]; errors: FramingError[] } {
  const frames: string[] = [];
  const errors: FramingError[] = [];
  const d = createFrameDecoder({ maxFrameBytes, onFrame: (f) => frames.push(f.toString('latin1')), onError: (e) => errors.push(e) });
  for (const c of chunks) d.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c);
  d.end();
  return { frames, errors };
}

test('LF framing, CRLF and blank lines between frames', () => {
  assert.deepEqual(decode(['<22>a b\n<22>c\r\n\n\n<13>d\n']), { frames: ['<22>a b', '<22>c', '<13>d'], errors: [] });
});

test('octet counting, also mixed with LF frames on one stream (chosen per frame, as rsyslog does)', () => {
  assert.deepEqual(decode(['7 <22>a b7 <22>c d<13>e\n3 xyz']), { frames: ['<22>a b', '<22>c d', '<13>e', 'xyz'], errors: [] });
});

test('every split of the stream into chunks gives the same frames', () => {
  const stream = '11 <22>hello w\n<13>plain line\n5 <1>ab2024-01-01T00:00:00Z host x: y\n';
  const whole = decode([stream]);
  assert.deepEqual(whole.frames, ['<22>hello w', '<13>plain line', '<1>ab', '2024-01-01T00:00:00Z host x: y']);
  for (let i = 1; i < stream.length; i++) {
    for (let j = i; j < stream.length; j += 7) {
      assert.deepEqual(decode([stream.slice(0, i), stream.slice(i, j), stream.slice(j)]), whole, `split at ${i}, ${j}`);
    }
  }
});

test('a message without PRI that starts with digits is read to LF, not taken for a length', () => {
  assert.deepEqual(decode(['1700000000.000001 status: local 0/10\n']).frames, ['1700000000.000001 status: local 0/10']);
  assert.deepEqual(decode(['12345678901234 digits\n']).frames, ['12345678901234 digits']);
});

test('oversized frames are cut to the cap and counted; what follows is intact', () => {
  const big = 'x'.repeat(1 << 20);
  const r = decode([`<1>${big.slice(0, 1000)}`, big, '\n<2>after\n'], 100);
  assert.deepEqual(r.errors, ['oversized']);
  assert.equal(r.frames.length, 2);
  assert.equal(r.frames[0]!.length, 100);
  assert.equal(r.frames[1], '<2>after');
  const o = decode([`${big.length} ${big}`, '5 <3>ok'], 100);
  assert.deepEqual(o.errors, ['oversized']);
  assert.deepEqual(o.frames.map((f) => f.length), [100, 5]);
  // exactly at the cap is not oversized
  assert.deepEqual(decode(['x'.repeat(100) + '\n'], 100).errors, []);
});

test('a half octet-counted frame at the end is truncated; a last LF frame without LF is kept', () => {
  assert.deepEqual(decode(['20 <22>only part']), { frames: [], errors: ['truncated'] });
  assert.deepEqual(decode(['<22>no newline at the end']), { frames: ['<22>no newline at the end'], errors: [] });
  assert.deepEqual(decode(['0 <22>x\n']).errors[0], 'invalid_length');
});

test('garbage bytes make frames, never an exception', () => {
  const garbage = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256));
  const r = decode([garbage, garbage], 256);
  assert.ok(r.frames.length > 0);
  for (const f of r.frames) assert.ok(f.length <= 256);
});
