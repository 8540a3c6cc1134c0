import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { createMetrics, reasonsForCase } from '../../src/metrics/catalogue.js';
import { createRecorder } from '../../src/metrics/record.js';
import type { MailEvent } from '../../src/events/events.js';

const build = { version: '0.0.0-test', nodejs: 'v20' };

function sample(text: string, series: string): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    if (line.slice(0, i) === series) return Number(line.slice(i + 1));
  }
  return undefined;
}

const events: MailEvent[] = [
  { event: 'smtp.recipient', time: 100, case: 'sent_auth_different_user', reason: 'same_domain', listener: 'submission', sender: 'a@example.com', auth_user: 'b@example.com', remote_ip: '192.0.2.1', recipient: 'x@example.net' },
  { event: 'smtp.recipient', time: 101, case: 'rejected_no_auth', reason: 'relay_denied', listener: 'smtp', sender: 'spam@example.org', auth_user: '', remote_ip: '198.51.100.7', recipient: 'victim@example.net' },
  { event: 'auth', time: 102, protocol: 'pop3', result: 'failure', reason: 'bad_password', user: 'u@example.com', remote_ip: '203.0.113.9' },
  { event: 'queue.new', time: 103, msg: 5 },
  { event: 'queue.info', time: 103, msg: 5, bytes: 2000, sender: 'a@example.com', qp: 1, uid: 89 },
  { event: 'delivery.start', time: 104, delivery: 1, msg: 5, channel: 'remote', recipient: 'x@example.net' },
  { event: 'delivery.result', time: 105, delivery: 1, result: 'deferral', reason: 'connection_failed', channel: 'remote', domain: 'example.org' },
  { event: 'queue.end', time: 110, msg: 5, duration_seconds: 7 },
  { event: 'queue.bounce', time: 110, kind: 'bounce', msg: 5 },
  { event: 'send.status', time: 111, local: 1, local_limit: 10, remote: 3, remote_limit: 20 },
  { event: 'connection.accepted', time: 112, listener: 'smtp', pid: 9, remote_ip: '192.0.2.2', local_port: '25' },
  { event: 'connection.status', time: 112, listener: 'smtp', active: 4, limit: 30 },
  { event: 'rbl.reject', time: 113, listener: 'smtp', remote_ip: '192.0.2.3', code: '451' },
  { event: 'scan', time: 114, scanner: 'simscan', result: 'clean' },
  { event: 'smtp.queued', time: 115, listener: 'smtp', sender: 'a@example.com', qp: 77 },
];

function recordAll(registry: Registry) {
  const m = createMetrics(registry, build);
  const r = createRecorder(m);
  for (const e of events) {
    r.line('counted', e.time);
    r.event(e);
  }
  r.line('foreign', null);
  return m;
}

test('every event kind lands in its metric with the labels of the event', async () => {
  const registry = new Registry();
  recordAll(registry);
  const text = await registry.metrics();
  assert.equal(sample(text, 'qmail_smtp_recipients_total{listener="submission",case="sent_auth_different_user",reason="same_domain"}'), 1);
  assert.equal(sample(text, 'qmail_smtp_recipients_total{listener="smtp",case="rejected_no_auth",reason="relay_denied"}'), 1);
  assert.equal(sample(text, 'qmail_auth_attempts_total{protocol="pop3",result="failure",reason="bad_password"}'), 1);
  assert.equal(sample(text, 'qmail_queue_messages_total'), 1);
  assert.equal(sample(text, 'qmail_queue_message_size_bytes_bucket{le="1024"}'), 0);
  assert.equal(sample(text, 'qmail_queue_message_size_bytes_bucket{le="4096"}'), 1);
  assert.equal(sample(text, 'qmail_queue_message_size_bytes_bucket{le="+Inf"}'), 1);
  assert.equal(sample(text, 'qmail_queue_message_size_bytes_sum'), 2000);
  assert.equal(sample(text, 'qmail_queue_message_duration_seconds_bucket{le="5"}'), 0);
  assert.equal(sample(text, 'qmail_queue_message_duration_seconds_bucket{le="15"}'), 1);
  assert.equal(sample(text, 'qmail_deliveries_started_total{channel="remote"}'), 1);
  assert.equal(sample(text, 'qmail_deliveries_total{channel="remote",result="deferral",reason="connection_failed"}'), 1);
  assert.equal(sample(text, 'qmail_bounces_total{kind="bounce"}'), 1);
  assert.equal(sample(text, 'qmail_send_concurrency{channel="remote"}'), 3);
  assert.equal(sample(text, 'qmail_send_concurrency_limit{channel="local"}'), 10);
  assert.equal(sample(text, 'qmail_connections_total{listener="smtp",result="accepted"}'), 1);
  assert.equal(sample(text, 'qmail_connections_active{listener="smtp"}'), 4);
  assert.equal(sample(text, 'qmail_connections_limit{listener="smtp"}'), 30);
  assert.equal(sample(text, 'qmail_rbl_rejections_total{listener="smtp",code="451"}'), 1);
  assert.equal(sample(text, 'qmail_scans_total{scanner="simscan",result="clean"}'), 1);
  assert.equal(sample(text, 'qmail_smtp_messages_queued_total{listener="smtp"}'), 1);
  assert.equal(sample(text, 'qmail_exporter_log_lines_total{result="counted"}'), events.length);
  assert.equal(sample(text, 'qmail_exporter_log_lines_total{result="foreign"}'), 1);
  assert.equal(sample(text, 'qmail_exporter_last_line_timestamp_seconds'), 115);
  assert.equal(sample(text, 'qmail_exporter_build_info{version="0.0.0-test",nodejs="v20"}'), 1);
});

test('a listener seen once has all its case/reason series pre-set to 0', async () => {
  const registry = new Registry();
  recordAll(registry);
  const text = await registry.metrics();
  for (const c of ['sent_no_auth', 'sent_auth_same_user', 'inbound_accepted'] as const) {
    assert.equal(sample(text, `qmail_smtp_recipients_total{listener="submission",case="${c}",reason="none"}`), 0, c);
  }
  for (const r of reasonsForCase('inbound_rejected')) {
    assert.equal(sample(text, `qmail_smtp_recipients_total{listener="smtp",case="inbound_rejected",reason="${r}"}`), 0, r);
  }
  assert.equal(sample(text, 'qmail_auth_attempts_total{protocol="imap",result="success",reason="none"}'), 0);
  assert.equal(sample(text, 'qmail_deliveries_total{channel="local",result="failure",reason="no_mailbox"}'), 0);
});

test('snapshot and restore carry every value, histograms included', async () => {
  const a = new Registry();
  const ma = recordAll(a);
  const snap = JSON.parse(JSON.stringify(ma.snapshot()));
  const b = new Registry();
  const mb = createMetrics(b, build);
  mb.restore(snap);
  assert.equal(await b.metrics(), await a.metrics());
  // malformed entries are skipped, not thrown
  mb.restore({ qmail_queue_messages_total: { type: 'gauge', series: [] }, nope: { type: 'counter', series: [[['x'], 1]] } } as never);
});

test('the exposition passes promtool check metrics', async () => {
  const registry = new Registry();
  recordAll(registry);
  const r = spawnSync('promtool', ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
  assert.equal(r.error, undefined, 'promtool must be installed (apt-get install prometheus)');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal((r.stdout + r.stderr).trim(), '');
});
