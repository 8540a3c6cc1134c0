import assert from 'node:assert/strict';
import { mkdtempSync, openSync, closeSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { FollowError } from '../src/errors.js';
import { createLogger, jsonLineToLogfmt } from '../src/log.js';

/** A logger writing into memory; `lines()` returns what was written so far. */
function captured(format: 'logfmt' | 'json', level: 'debug' | 'info' | 'warn' | 'error' = 'info') {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString('utf8')));
  const logger = createLogger({ level, format, destination: stream });
  return { logger, lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

/** Parses one logfmt line into key → value (values unquoted), failing on anything malformed. */
function parseLogfmt(line: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z0-9_.-]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)(?:\s+|$)/y;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(line)) !== null) {
    const raw = m[2]!;
    out[m[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    consumed = re.lastIndex;
    if (consumed === line.length) break;
  }
  assert.equal(consumed, line.length, `not logfmt: ${line}`);
  return out;
}

test('logfmt: ts, level, component and msg first, then the fields, quoted where needed', () => {
  const { logger, lines } = captured('logfmt');
  logger.child({ component: 'follow' }).info({ path: '/var/log/maillog', inode: 1234 }, 'log rotated');
  const [line] = lines();
  assert.ok(line);
  assert.match(line, /^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=info component=follow msg="log rotated" path=\/var\/log\/maillog inode=1234$/);
  const f = parseLogfmt(line);
  assert.equal(f['msg'], 'log rotated');
  assert.ok(Math.abs(Date.parse(f['ts']!) - Date.now()) < 60_000);
});

test('logfmt: quotes, backslashes, newlines, equals signs and empty values survive a round trip', () => {
  const { logger, lines } = captured('logfmt');
  const tricky = 'say "hi"\\ now\nnext=line';
  logger.warn({ text: tricky, empty: '', flag: true, list: ['a', 'b'], nested: { a: 1, b: 'x y' } }, 'odd values');
  const [line] = lines();
  assert.ok(line);
  assert.equal(line.includes('\n'), false);
  const f = parseLogfmt(line);
  assert.equal(f['level'], 'warn');
  assert.equal(f['text'], tricky);
  assert.equal(f['empty'], '');
  assert.equal(f['flag'], 'true');
  assert.equal(f['list'], '["a","b"]');
  assert.equal(f['nested.a'], '1');
  assert.equal(f['nested.b'], 'x y');
});

test('logfmt: an error is its message plus type and code, without the stack', () => {
  const { logger, lines } = captured('logfmt');
  const err = new FollowError('QX_FOLLOW_READ', 'read failed, retrying', { details: { path: '/var/log/maillog' } });
  logger.child({ component: 'follow' }).error({ err, attempt: 3 }, 'read failed, retrying');
  const [line] = lines();
  assert.ok(line);
  const f = parseLogfmt(line);
  assert.equal(f['err'], 'read failed, retrying');
  assert.equal(f['err.type'], 'FollowError');
  assert.equal(f['err.code'], 'QX_FOLLOW_READ');
  assert.equal(f['attempt'], '3');
  assert.equal(line.includes('at '), false, 'no stack frames');
});

test('json: one object per line with the same field names', () => {
  const { logger, lines } = captured('json');
  logger.child({ component: 'http' }).info({ address: '127.0.0.1:9025' }, 'listening');
  logger.error({ err: new Error('boom') }, 'scrape failed');
  const [first, second] = lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.ok(first && second);
  assert.equal(first['level'], 'info');
  assert.equal(first['component'], 'http');
  assert.equal(first['msg'], 'listening');
  assert.equal(first['address'], '127.0.0.1:9025');
  assert.equal(typeof first['ts'], 'string');
  assert.equal(Object.hasOwn(first, 'pid'), false);
  assert.equal(Object.hasOwn(first, 'hostname'), false);
  assert.equal((second['err'] as { message?: string }).message, 'boom');
});

test('the level filters: debug is dropped at info, kept at debug', () => {
  const info = captured('json', 'info');
  info.logger.debug('hidden');
  info.logger.info('shown');
  assert.deepEqual(
    info.lines().map((l) => (JSON.parse(l) as { msg: string }).msg),
    ['shown'],
  );
  const debug = captured('logfmt', 'debug');
  debug.logger.debug('shown');
  assert.equal(parseLogfmt(debug.lines()[0]!)['level'], 'debug');
});

test('a file descriptor destination is written synchronously', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-log-'));
  try {
    const file = join(dir, 'out.log');
    const fd = openSync(file, 'w');
    const logger = createLogger({ level: 'info', format: 'logfmt', destination: fd });
    logger.info({ n: 1 }, 'started');
    // No flush and no await: the line must already be in the file.
    const text = readFileSync(file, 'utf8');
    closeSync(fd);
    assert.match(text, /^ts=\S+ level=info msg=started n=1\n$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('jsonLineToLogfmt passes non-JSON through as msg', () => {
  assert.equal(jsonLineToLogfmt('not json'), 'msg="not json"');
  assert.equal(jsonLineToLogfmt('[1]'), 'msg=[1]');
});
