/**
 * Lines copied from web pages, relayed by some syslog daemons or saved by Windows editors end in
 * spaces, tabs or CRs. Every real fixture line must be classified the same with such a tail as
 * without it: the envelope drops it once for every parser, and no parser depends on it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../../src/classify/classifier.js';
import { readEnvelope } from '../../../src/parse/envelope/index.js';
import { SPLOGGER_RECORD_LENGTH } from '../../../src/parse/envelope/splogger.js';
import { filesUnder } from '../../helpers/files.js';

const logs = fileURLToPath(new URL('../../fixtures/logs/', import.meta.url));
const ctx = { referenceTime: 1777636800, listenerHint: 'smtpd' };


function classifyAll(lines: readonly string[]): unknown[] {
  const c = createClassifier();
  const out: unknown[] = lines.map((l) => c.classify(l, ctx));
  out.push(c.flush());
  return out;
}

test('the issue example: "end msg 4711   " is "end msg 4711"', () => {
  const c = createClassifier();
  const r = c.classify('end msg 4711   ', ctx);
  assert.equal(r.result, 'counted');
  assert.equal(r.events[0]?.event, 'queue.end');
});

for (const tail of ['   ', '\t', '\r', ' \t \r']) {
  test(`every fixture line classifies the same with ${JSON.stringify(tail)} appended`, () => {
    const files = filesUnder(logs, '.log');
    assert.ok(files.length > 10, 'fixtures found');
    for (const file of files) {
      const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
      const plain = lines.map((l) => l.trimEnd());
      assert.deepEqual(classifyAll(plain.map((l) => l + tail)), classifyAll(plain), file);
    }
  });
}

test('a full-length splogger record keeps the trailing space its continuation needs', () => {
  const body = 'x'.repeat(SPLOGGER_RECORD_LENGTH - 1) + ' ';
  const e = readEnvelope(`Sep  6 07:33:33 sd6 qmail: 1157520813.485077 ${body}`, ctx);
  assert.equal(e.message, body);
  const short = readEnvelope('Sep  6 07:33:33 sd6 qmail: 1157520813.485077 end msg 1 \r', ctx);
  assert.equal(short.message, 'end msg 1');
});

test('every fixture line classifies the same indented by a web page or a quote', () => {
  for (const file of filesUnder(logs, '.log')) {
    const lines = readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
    assert.deepEqual(classifyAll(lines.map((l) => `  \t${l}`)), classifyAll(lines.map((l) => l.trimStart())), file);
  }
});
