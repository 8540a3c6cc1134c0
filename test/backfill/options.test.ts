import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExtraLabels, parseStep } from '../../src/backfill/options.js';
import { ConfigError } from '../../src/errors.js';

const isConfigError = (flag: string, text: RegExp) => (err: unknown) =>
  err instanceof ConfigError && err.code === 'QX_CONFIG_INVALID' && err.flag === flag && text.test(err.message);

test('parseStep accepts Prometheus durations from 1s to 5m', () => {
  assert.equal(parseStep('60s'), 60_000);
  assert.equal(parseStep('1m30s'), 90_000);
  assert.equal(parseStep('1s'), 1000);
  assert.equal(parseStep('5m'), 300_000);
  assert.equal(parseStep('1500ms'), 1500);
});

test('parseStep refuses non-durations and steps out of range', () => {
  for (const bad of ['', 'abc', '60', '-1m', '1.5m', '0', '999ms', '5m1s', '1h']) {
    assert.throws(() => parseStep(bad), isConfigError('--step', /--step/), bad);
  }
});

const RESERVED = new Set(['listener', 'result', 'le']);

test('parseExtraLabels keeps order and values with =', () => {
  assert.deepEqual(parseExtraLabels(['job=qmail', 'instance=mail.example.org:9399', 'x=a=b'], RESERVED), [
    ['job', 'qmail'],
    ['instance', 'mail.example.org:9399'],
    ['x', 'a=b'],
  ]);
  assert.deepEqual(parseExtraLabels([], RESERVED), []);
});

test('parseExtraLabels refuses bad, reserved, clashing, repeated and empty labels', () => {
  const cases: Array<[string[], RegExp]> = [
    [['job'], /not key=value/],
    [['1job=x'], /invalid label name/],
    [['jo-b=x'], /invalid label name/],
    [['=x'], /invalid label name/],
    [['__name__=x'], /reserved/],
    [['listener=x'], /clashes/],
    [['le=1'], /clashes/],
    [['job=a', 'job=b'], /repeats/],
    [['job='], /empty value/],
  ];
  for (const [specs, why] of cases) assert.throws(() => parseExtraLabels(specs, RESERVED), isConfigError('--label', why), specs.join(' '));
});
