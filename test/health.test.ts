import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHealth, type FollowStatusLike } from '../src/health.js';

const MAILLOG = '/var/log/maillog';

function status(over: Partial<FollowStatusLike> = {}): FollowStatusLike {
  return { path: MAILLOG, present: true, missingSince: null, lastError: null, lastErrorAt: null, stopped: false, ...over };
}

/** A health whose clock only moves when the test says so. */
function manualHealth(missingGraceMs = 60_000) {
  let t = 1_700_000_000_000;
  const health = createHealth({ missingGraceMs, now: () => t });
  return {
    health,
    now: () => t,
    advance(ms: number) {
      t += ms;
    },
  };
}

test('no file reported yet is healthy, and not ready until told', () => {
  const { health } = manualHealth();
  assert.deepEqual(health.snapshot(), { healthy: true, status: 'ok', reasons: [], files: [], listeners: [] });
  assert.equal(health.ready(), false);
  health.setReady(true);
  assert.equal(health.ready(), true);
  health.setReady(false);
  assert.equal(health.ready(), false);
});

test('a file missing within the grace is healthy; past the grace it is not; back when present', () => {
  const m = manualHealth(60_000);
  m.health.report(status({ present: false, missingSince: m.now() }));
  m.advance(60_000);
  let s = m.health.snapshot();
  assert.equal(s.healthy, true, 'exactly at the grace is still healthy');
  assert.deepEqual(s.files, [{ path: MAILLOG, state: 'missing', errno: null, present: false, missing_for_seconds: 60, last_error: null, stopped: false }]);

  m.advance(1_500);
  s = m.health.snapshot();
  assert.equal(s.healthy, false);
  assert.equal(s.status, 'unhealthy');
  assert.deepEqual(s.reasons, ['/var/log/maillog: missing for 61.5s (grace 60s)']);
  assert.equal(s.files[0]?.missing_for_seconds, 61.5);

  m.health.report(status());
  s = m.health.snapshot();
  assert.equal(s.healthy, true);
  assert.deepEqual(s.reasons, []);
  assert.equal(s.files[0]?.missing_for_seconds, null);
});

test('a quiet log stays healthy however long nothing is written', () => {
  const m = manualHealth();
  m.health.report(status());
  m.advance(7 * 24 * 3600 * 1000);
  assert.equal(m.health.snapshot().healthy, true);
});

test('a read error is unhealthy until the follower reads again', () => {
  const m = manualHealth();
  m.health.report(status({ lastError: 'EACCES: permission denied', lastErrorAt: m.now() }));
  let s = m.health.snapshot();
  assert.equal(s.healthy, false);
  assert.deepEqual(s.reasons, ['/var/log/maillog: read error: EACCES: permission denied']);
  assert.equal(s.files[0]?.last_error, 'EACCES: permission denied');

  m.advance(5_000);
  m.health.report(status({ lastError: null, lastErrorAt: m.now() - 5_000 }));
  s = m.health.snapshot();
  assert.equal(s.healthy, true);
  assert.equal(s.files[0]?.last_error, null);
});

test('a stopped follower is unhealthy; each file is judged on its own', () => {
  const m = manualHealth(10_000);
  m.health.report(status({ path: '/a', stopped: true }));
  m.health.report(status({ path: '/b', present: false, missingSince: m.now() }));
  m.health.report(status({ path: '/c' }));
  m.advance(20_000);
  const s = m.health.snapshot();
  assert.deepEqual(s.reasons, ['/a: follower stopped', '/b: missing for 20s (grace 10s)']);
  assert.deepEqual(
    s.files.map((f) => f.path),
    ['/a', '/b', '/c'],
  );
});

test('a report is copied: mutating the reported object later changes nothing', () => {
  const m = manualHealth();
  const st = status();
  m.health.report(st);
  st.stopped = true;
  assert.equal(m.health.snapshot().healthy, true);
});

test('a missing file reported without missingSince is timed from its first report', () => {
  const m = manualHealth(10_000);
  m.health.report(status({ present: false, missingSince: null }));
  assert.equal(m.health.snapshot().files[0]?.missing_for_seconds, 0);
  m.advance(6_000);
  m.health.report(status({ present: false, missingSince: null }));
  m.advance(6_000);
  assert.equal(m.health.snapshot().files[0]?.missing_for_seconds, 12);
  assert.equal(m.health.snapshot().healthy, false);
});

test('a missingSince in the future counts as 0, never negative', () => {
  const m = manualHealth(0);
  m.health.report(status({ present: false, missingSince: m.now() + 5_000 }));
  assert.equal(m.health.snapshot().files[0]?.missing_for_seconds, 0);
  assert.equal(m.health.snapshot().healthy, true);
});

test('a failing checkpoint write makes the exporter unhealthy until a write succeeds', () => {
  const h = createHealth({ missingGraceMs: 1000, now: () => 0 });
  h.reportCheckpoint('/var/lib/qmail_exporter', null);
  assert.equal(h.snapshot().healthy, true);
  h.reportCheckpoint('/var/lib/qmail_exporter', 'ENOSPC: no space left on device');
  const bad = h.snapshot();
  assert.equal(bad.healthy, false);
  assert.match(bad.reasons.join('\n'), /\/var\/lib\/qmail_exporter: checkpoint write failed: ENOSPC/);
  h.reportCheckpoint('/var/lib/qmail_exporter', null);
  assert.equal(h.snapshot().healthy, true);
});

test('an unreadable qmail queue makes the exporter unhealthy, naming it, until a read succeeds', () => {
  const h = createHealth({ missingGraceMs: 1000, now: () => 0 });
  h.reportQueue('/var/qmail/queue', null);
  assert.equal(h.snapshot().healthy, true);
  h.reportQueue('/var/qmail/queue', "EACCES: permission denied, scandir '/var/qmail/queue/mess'");
  const bad = h.snapshot();
  assert.equal(bad.healthy, false);
  assert.deepEqual(bad.reasons, ["/var/qmail/queue: queue unreadable: EACCES: permission denied, scandir '/var/qmail/queue/mess'"]);
  h.reportQueue('/var/qmail/queue', null);
  assert.equal(h.snapshot().healthy, true);
});

test('a syslog listener: healthy while listening however quiet, unhealthy once it stopped listening', () => {
  let t = 1_000_000;
  const health = createHealth({ missingGraceMs: 60_000, now: () => t });
  health.reportListener({ address: 'tcp://:5514', listening: true, lastError: null, openConnections: 1, lastMessageAt: null });
  assert.equal(health.snapshot().healthy, true);
  assert.deepEqual(health.snapshot().listeners, [{ address: 'tcp://:5514', listening: true, last_error: null, open_connections: 1, last_message_seconds_ago: null }]);
  health.reportListener({ address: 'tcp://:5514', listening: true, lastError: null, openConnections: 1, lastMessageAt: t });
  t += 86_400_000;
  assert.equal(health.snapshot().healthy, true, 'a quiet mail host is not an unhealthy exporter');
  assert.equal(health.snapshot().listeners[0]!.last_message_seconds_ago, 86_400);
  health.reportListener({ address: 'tcp://:5514', listening: false, lastError: 'EMFILE', openConnections: 0, lastMessageAt: t });
  assert.deepEqual(health.snapshot().reasons, ['tcp://:5514: not listening: EMFILE']);
});

test('a file there but refused (EACCES) is unreadable with its errno, not missing; another error is an error', () => {
  const m = manualHealth(60_000);
  const message = "cannot open /var/log/maillog: EACCES: permission denied, open '/var/log/maillog'";
  m.health.report(status({ present: false, lastError: message, lastErrorAt: m.now(), lastErrorCode: 'EACCES' }));
  let s = m.health.snapshot();
  assert.equal(s.healthy, false);
  assert.equal(s.files[0]?.state, 'unreadable');
  assert.equal(s.files[0]?.errno, 'EACCES');
  assert.equal(s.files[0]?.missing_for_seconds, null);
  assert.deepEqual(s.reasons, [`/var/log/maillog: unreadable (EACCES): ${message}`]);
  m.health.report(status({ lastError: 'EIO: i/o error, read', lastErrorAt: m.now(), lastErrorCode: 'EIO' }));
  s = m.health.snapshot();
  assert.equal(s.files[0]?.state, 'error');
  assert.equal(s.files[0]?.errno, 'EIO');
  m.health.report(status());
  s = m.health.snapshot();
  assert.equal(s.files[0]?.state, 'ok');
  assert.equal(s.files[0]?.errno, null);
});
