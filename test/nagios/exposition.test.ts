import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExposition, parseSampleLine, sumSamples } from '../../src/nagios/exposition.js';

test('samples with and without labels, timestamps and special values', () => {
  const text = [
    '# HELP qmail_auth_attempts_total Authentication attempts.',
    '# TYPE qmail_auth_attempts_total counter',
    'qmail_auth_attempts_total{protocol="imap",result="failure",reason="bad_password"} 7',
    'qmail_auth_attempts_total{protocol="pop3",result="failure",reason="unknown_user"} 3 1700000000000',
    'qmail_auth_attempts_total{protocol="pop3",result="success",reason="none"} 1e3',
    '# TYPE qmail_leaderboard_auth_failure_ips gauge',
    '# TYPE qmail_exporter_build_info gauge',
    'qmail_exporter_build_info{version="0.1.0",nodejs="v20.20.2"} 1',
    'qmail_queue_message_size_bytes_bucket{le="+Inf"} 12',
    'weird_value NaN',
    'minus_inf -Inf',
    '',
  ].join('\n');
  const e = parseExposition(text);
  assert.equal(e.unreadable, 0);
  assert.equal(e.samples.length, 7);
  assert.equal(e.types.get('qmail_auth_attempts_total'), 'counter');
  assert.equal(e.types.get('qmail_leaderboard_auth_failure_ips'), 'gauge');
  assert.equal(sumSamples(e.samples, 'qmail_auth_attempts_total', { result: 'failure' }), 10);
  assert.equal(sumSamples(e.samples, 'qmail_auth_attempts_total'), 1010);
  assert.equal(sumSamples(e.samples, 'qmail_auth_attempts_total', { result: 'nothing' }), 0);
  assert.deepEqual(e.samples[4], { name: 'qmail_queue_message_size_bytes_bucket', labels: { le: '+Inf' }, value: 12 });
  assert.ok(Number.isNaN(e.samples[5]!.value));
  assert.equal(e.samples[6]!.value, -Infinity);
});

test("prom-client's 'Nan' (the event-loop lag before its first sample) reads as NaN, as Prometheus reads it", () => {
  const e = parseExposition('nodejs_eventloop_lag_mean_seconds Nan\nx +inf\n');
  assert.equal(e.unreadable, 0);
  assert.ok(Number.isNaN(e.samples[0]!.value));
  assert.equal(e.samples[1]!.value, Infinity);
});

test('escaped label values: backslash, quote, newline; commas and braces inside quotes', () => {
  const s = parseSampleLine('qmail_leaderboard_auth_failure_users{window="5m",user="a\\\\b\\"c\\nd,{e}"} 4');
  assert.deepEqual(s, { name: 'qmail_leaderboard_auth_failure_users', labels: { window: '5m', user: 'a\\b"c\nd,{e}' }, value: 4 });
});

test('a trailing comma and spaces between labels are accepted', () => {
  assert.deepEqual(parseSampleLine('m{a="1", b="2",} 3'), { name: 'm', labels: { a: '1', b: '2' }, value: 3 });
});

test('unreadable lines are counted, never thrown', () => {
  const bad = [
    'm{a="1" 3',
    'm{a=1} 3',
    'm{a="1} 3',
    'm{a="\\x"} 3',
    'm 3 4 5',
    'm abc',
    '{a="1"} 3',
    'm',
    '\u0000\u0001garbage',
    'm{="1"} 2',
  ];
  for (const line of bad) assert.equal(parseSampleLine(line), null, JSON.stringify(line));
  const e = parseExposition(bad.join('\n') + '\nok 1\n');
  assert.equal(e.unreadable, bad.length);
  assert.deepEqual(e.samples, [{ name: 'ok', labels: {}, value: 1 }]);
});

test('a large exposition parses quickly', () => {
  const lines: string[] = [];
  for (let i = 0; i < 50_000; i++) lines.push(`qmail_leaderboard_auth_user_recipients{window="24h",user="user${i}@example.org"} ${i}`);
  const started = Date.now();
  const e = parseExposition(lines.join('\n'));
  assert.equal(e.samples.length, 50_000);
  assert.ok(Date.now() - started < 2000, 'under 2 s for 50,000 lines');
});
