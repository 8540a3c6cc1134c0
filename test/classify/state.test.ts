import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClassifier } from '../../src/classify/classifier.js';
import { checkClassifierState, exportClassifierState, importClassifierState, STATE_VERSION } from '../../src/classify/state.js';

const ctx = { referenceTime: 1_060_000_000, listenerHint: 'smtpd' };

test('the state is one versioned object of every part, in the format earlier releases wrote', () => {
  const c = createClassifier();
  c.classify('Jun  3 11:35:23 mail qmail: 1054189746.123136 new msg 161214', ctx);
  c.classify('Jun  3 11:35:23 mail qmail: 1054189746.123958 starting delivery 119: msg 161214 to remote turbo@tripnet.se', ctx);
  const state = c.exportState() as Record<string, unknown>;
  assert.deepEqual(Object.keys(state).sort(), ['deliveries', 'held', 'hosts', 'listeners', 'messages', 'policy', 'version']);
  assert.equal(state.version, STATE_VERSION);
  assert.equal(checkClassifierState(state), null);
});

test('parts are imported in order, and a part that throws keeps what was restored before it', () => {
  const seen: string[] = [];
  const part = (name: string, fail = false) => ({
    exportState: () => ({ [name]: [name] }),
    importState: (s: Record<string, unknown>) => {
      if (fail) throw new Error('damaged');
      seen.push(String((s[name] as string[])[0]));
    },
  });
  const parts = [part('a'), part('b', true), part('c')];
  const state = exportClassifierState(parts);
  assert.deepEqual(state, { version: STATE_VERSION, a: ['a'], b: ['b'], c: ['c'] });
  importClassifierState(state, parts);
  assert.deepEqual(seen, ['a']);
  importClassifierState({ version: 99, a: ['x'] }, parts);
  importClassifierState('nonsense', parts);
  assert.deepEqual(seen, ['a'], 'another version or a non-object is ignored');
});

test('checkClassifierState refuses what exportState could not have written', () => {
  assert.equal(checkClassifierState(undefined), null);
  assert.equal(checkClassifierState({ version: 2 }), 'unknown version');
  assert.equal(checkClassifierState({ version: 1, deliveries: [['k', 'sideways', 1]] }), 'a delivery entry');
  assert.equal(checkClassifierState({ version: 1, listeners: ['b@d name'] }), 'a listener name');
});
