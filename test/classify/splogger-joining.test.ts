import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSploggerJoining } from '../../src/classify/splogger-joining.js';
import type { MailEvent } from '../../src/events/events.js';
import type { LineContext } from '../../src/events/parsed-line.js';
import { createDispatcher, type ParsedLine } from '../../src/parse/dispatch.js';
import { readEnvelope, type EnvelopeDetail } from '../../src/parse/envelope/index.js';

const ctx: LineContext = { referenceTime: 928_500_000, listenerHint: null };
const STAMP = '928424123.963558';
const start = 'delivery 42: failure: 192.0.2.25_does_not_like_recipient./Remote_host_said:_550';
const HEAD = `Jun  3 11:35:23 sparge qmail: ${STAMP} ${start}_${'x'.repeat(799 - start.length - 1)}`;
const TAIL = `Jun  3 11:35:23 sparge qmail: ${STAMP}+_5.1.1_User_unknown/Giving_up_on_192.0.2.25./`;

/** The joining with a stand-in for the classifier's apply that records what was released. */
function setUp() {
  const dispatch = createDispatcher();
  const applied: string[] = [];
  const origins = new Map<MailEvent, number>();
  const j = createSploggerJoining({
    isKnownTag: () => false,
    dispatch,
    applyHeld: (parsed: ParsedLine, events: MailEvent[]) => {
      applied.push(parsed.envelope.message);
      events.push({ event: 'ignored', time: parsed.envelope.time, program: 'test' });
    },
    markOrigin: (e, line) => void origins.set(e, line),
  });
  const hold = (text: string, line: number): EnvelopeDetail => {
    const envelope = readEnvelope(text, ctx);
    assert.equal(j.mayBeContinued(envelope), true);
    j.hold(envelope, ctx, dispatch(envelope, ctx), line, []);
    return envelope;
  };
  return { j, applied, origins, hold };
}

test('a record of 799 characters may be continued; a short one may not', () => {
  const { j } = setUp();
  assert.equal(j.mayBeContinued(readEnvelope(HEAD, ctx)), true);
  assert.equal(j.mayBeContinued(readEnvelope(TAIL, ctx)), false);
});

test('its continuation is joined to it, and the joined record applied as the held line', () => {
  const { j, applied, origins, hold } = setUp();
  hold(HEAD, 1);
  const events: MailEvent[] = [];
  assert.equal(j.join(readEnvelope(TAIL, ctx), 2, events), true);
  assert.equal(applied.length, 1);
  assert.ok(applied[0]!.endsWith('_5.1.1_User_unknown/Giving_up_on_192.0.2.25./'));
  assert.equal(origins.get(events[0]!), 1);
  assert.deepEqual(j.stats(), { heldRecords: 0 });
});

test('another line of the same tag releases it alone; so do nine lines of other tags, and flush', () => {
  const a = setUp();
  a.hold(HEAD, 1);
  assert.equal(a.j.join(readEnvelope(`Jun  3 11:35:24 sparge qmail: 928424124.000001 end msg 7`, ctx), 2, []), false);
  assert.equal(a.applied.length, 1);
  const b = setUp();
  b.hold(HEAD, 1);
  for (let line = 2; line <= 10; line++) b.j.join(readEnvelope(`Jun  3 11:35:24 mx sshd[1]: line ${line}`, ctx), line, []);
  assert.equal(b.applied.length, 1);
  const c = setUp();
  c.hold(HEAD, 1);
  c.j.flush([]);
  assert.equal(c.applied.length, 1);
});

test('state: a held record survives a restart and is joined there', () => {
  const a = setUp();
  a.hold(HEAD, 1);
  const b = setUp();
  b.j.importState(JSON.parse(JSON.stringify(a.j.exportState())) as Record<string, unknown>);
  assert.deepEqual(b.j.stats(), { heldRecords: 1 });
  assert.equal(b.j.join(readEnvelope(TAIL, ctx), 1, []), true);
  assert.equal(b.applied.length, 1);
  b.j.importState({ held: [{ envelope: { message: 'x', time: null, format: 'nonsense' }, ctx: { referenceTime: 1 } }] });
  assert.deepEqual(b.j.stats(), { heldRecords: 0 }, 'an unusable record is skipped');
});
