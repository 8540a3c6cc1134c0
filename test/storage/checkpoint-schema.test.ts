/**
 * The checkpoint check: a real checkpoint passes it, and each kind of bad value is refused with a
 * message saying what is wrong. (test/e2e/checkpoint-hostile.test.ts drives a real process.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { createEngine } from '../../src/engine.js';
import { checkClassifierState } from '../../src/classify/classifier.js';
import { LABEL_DOMAINS } from '../../src/metrics/catalogue.js';
import { checkCheckpoint, positionProblem } from '../../src/storage/checkpoint-schema.js';
import { createSimulatedHost } from '../../src/sim/host.js';

function realCheckpoint() {
  const engine = createEngine({ registry: new Registry() });
  const host = createSimulatedHost({ startTime: 1_764_000_000, seed: 4, profile: 'abuse', linesPerSecond: 50 });
  engine.pipeline.batch(host.take(5000), { referenceTime: 1_764_000_000 + 200, listenerHint: null });
  const data = {
    version: 1,
    written_at: 1_764_000_300,
    positions: { '/var/log/maillog': { dev: 2049, ino: 131, head: 'a'.repeat(64), offset: 123456, file: '/var/log/maillog' } },
    metrics: engine.metrics.snapshot(),
    classifier: engine.classifier.exportState(),
  };
  const parts = { checkMetrics: (m: unknown) => engine.metrics.check(m), checkClassifier: (c: unknown) => checkClassifierState(c) };
  return { data: JSON.parse(JSON.stringify(data)) as Record<string, any>, parts, engine };
}

test('every label of every catalogue family has a known bound', () => {
  const { engine } = realCheckpoint();
  for (const [name, s] of Object.entries(engine.metrics.snapshot())) {
    const series = s.series.length > 0 ? s.series.map(([l]) => l) : (s.buckets ?? []).map(([l]) => l);
    for (const labels of series) assert.ok(labels.length === 0 || engine.metrics.check({ [name]: s }) === null, name);
  }
  for (const label of ['listener', 'case', 'reason', 'result', 'protocol', 'channel', 'kind', 'code', 'scanner']) assert.ok(LABEL_DOMAINS[label], label);
});

test('a real checkpoint passes, and the classifier state exported after 5,000 lines', () => {
  const { data, parts } = realCheckpoint();
  const r = checkCheckpoint(data, parts);
  assert.equal(r.ok, true, r.ok ? '' : r.problem);
});

const refusals: Array<[string, (d: Record<string, any>) => void, RegExp]> = [
  ['version', (d) => (d.version = 2), /version/],
  ['positions as a list', (d) => (d.positions = []), /positions/],
  ['a negative offset', (d) => (d.positions['/var/log/maillog'].offset = -1), /offset/],
  ['a head that is no digest', (d) => (d.positions['/var/log/maillog'].head = '<script>'), /head/],
  ['an array label value', (d) => d.metrics.qmail_bounces_total.series.push([[['bounce']], 1]), /not a string/],
  ['{"toString":1}', (d) => d.metrics.qmail_bounces_total.series.push([[{ toString: 1 }], 1]), /not a string/],
  ['a value outside the vocabulary', (d) => d.metrics.qmail_auth_attempts_total.series.push([['2110', 'failure', 'bad_password'], 1]), /vocabulary/],
  ['a listener name with a quote', (d) => d.metrics.qmail_smtp_messages_queued_total.series.push([['a"b'], 1]), /listener/],
  ['NaN as a value', (d) => d.metrics.qmail_bounces_total.series.push([['bounce'], 'NaN']), /value/],
  ['a histogram with too few buckets', (d) => d.metrics.qmail_queue_message_size_bytes.buckets.push([[], [1], 1, 1]), /bucket/],
  ['a family of another type', (d) => (d.metrics.qmail_bounces_total.type = 'gauge'), /not a counter/],
  [
    '33 listeners besides other',
    (d) => {
      for (let i = 0; i < 40; i++) d.metrics.qmail_smtp_messages_queued_total.series.push([[`l${i}`], 1]);
    },
    /listeners/,
  ],
  ['classifier: 10,001 deliveries', (d) => (d.classifier.deliveries = Array.from({ length: 10_001 }, (_, i) => [i, 'local', i])), /deliveries/],
  ['classifier: a host id out of range', (d) => (d.classifier.hosts = [['mail', 64]]), /host/],
  ['classifier: a listener name with a newline', (d) => (d.classifier.listeners = ['smtp\nx']), /listener/],
];
for (const [name, edit, message] of refusals) {
  test(`refused: ${name}`, () => {
    const { data, parts } = realCheckpoint();
    edit(data);
    const r = checkCheckpoint(data, parts);
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.problem, message);
  });
}

test('positionProblem accepts what the follower writes', () => {
  assert.equal(positionProblem({ dev: 1, ino: 2, head: '', offset: 0, file: '/x' }), null);
});
