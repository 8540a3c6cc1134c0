import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRange, rangeAlerts } from '../../src/nagios/range.js';

// [range, values that must alert, values that must not] — the examples of the Monitoring
// Plugins Development Guidelines, endpoints included.
const cases: Array<[string, number[], number[]]> = [
  ['10', [-1, 10.5, 11, 1e9], [0, 5, 10]],
  ['10:', [-5, 0, 9.99], [10, 11, 1e9]],
  ['~:10', [10.01, 11, 1e9], [-1e9, -1, 0, 10]],
  ['10:20', [-1, 9, 20.5, 21], [10, 15, 20]],
  ['@10:20', [10, 15, 20], [9.99, 20.01, 0, -3]],
  ['@10', [0, 5, 10], [-0.5, 10.5]],
  ['-5:5', [-6, 6], [-5, 0, 5]],
  ['0.5:1.5', [0.4, 1.6], [0.5, 1, 1.5]],
  ['~:', [], [-1e9, 0, 1e9]],
  ['1e2', [101], [100, 0]],
];

for (const [text, alerting, quiet] of cases) {
  test(`range ${text}`, () => {
    const range = parseRange(text);
    assert.notEqual(range, null);
    for (const v of alerting) assert.equal(rangeAlerts(range!, v), true, `${text} must alert on ${v}`);
    for (const v of quiet) assert.equal(rangeAlerts(range!, v), false, `${text} must not alert on ${v}`);
  });
}

test('range bounds as parsed', () => {
  assert.deepEqual(parseRange('10'), { start: 0, end: 10, alertInside: false, text: '10' });
  assert.deepEqual(parseRange('10:'), { start: 10, end: Infinity, alertInside: false, text: '10:' });
  assert.deepEqual(parseRange('~:10'), { start: -Infinity, end: 10, alertInside: false, text: '~:10' });
  assert.deepEqual(parseRange('@10:20'), { start: 10, end: 20, alertInside: true, text: '@10:20' });
  assert.deepEqual(parseRange(':5'), { start: 0, end: 5, alertInside: false, text: ':5' });
});

test('NaN always alerts', () => {
  assert.equal(rangeAlerts(parseRange('10')!, Number.NaN), true);
  assert.equal(rangeAlerts(parseRange('@10:20')!, Number.NaN), true);
});

test('texts that are not ranges are refused', () => {
  for (const bad of ['', ' ', 'abc', '10:5', '@', '~', '10:20:30', '1O', '--1', '10:abc', '~10', '@~', '5:~']) {
    assert.equal(parseRange(bad), null, `'${bad}' must be refused`);
  }
});
