import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSyslogMessage } from '../../src/receive/syslog-message.js';

test('RFC 3164 from rsyslog and sysklogd forwarding: the line the log file holds, and the host', () => {
  assert.deepEqual(parseSyslogMessage('<22>Nov 14 22:13:20 mail smtp: 1700000020.000013 tcpserver: status: 1/60'), {
    hostname: 'mail',
    line: 'Nov 14 22:13:20 mail smtp: 1700000020.000013 tcpserver: status: 1/60',
  });
  assert.deepEqual(parseSyslogMessage('<30>Sep  4 07:21:42 iron vpopmail[939]: vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198'), {
    hostname: 'iron',
    line: 'Sep  4 07:21:42 iron vpopmail[939]: vchkpw-pop3: password fail keith1@xxxx.com:219.136.100.198',
  });
});

test('RFC 5424 becomes the RFC 3339 file layout; structured data and the BOM are dropped', () => {
  assert.deepEqual(parseSyslogMessage('<22>1 2023-11-14T22:13:20.000013+00:00 mail smtp 6392 - - tcpserver: status: 1/60'), {
    hostname: 'mail',
    line: '2023-11-14T22:13:20.000013+00:00 mail smtp[6392]: tcpserver: status: 1/60',
  });
  assert.deepEqual(parseSyslogMessage('<22>1 2023-11-14T22:13:20Z mail.example.com qmail - ID47 [ex@32473 a="x]\\"y" b="2"][z@1] \ufeffnew msg 12345'), {
    hostname: 'mail.example.com',
    line: '2023-11-14T22:13:20Z mail.example.com qmail: new msg 12345',
  });
  assert.deepEqual(parseSyslogMessage('<22>1 - - - - - -'), { hostname: null, line: '' });
  // what rsyslog's RSYSLOG_SyslogProtocol23Format sends for a message it received as RFC 3164
  assert.deepEqual(parseSyslogMessage('<22>1 2026-11-30T16:59:29+00:00 mail smtp - - -  1796057969.000000 tcpserver: status: 1/60'), {
    hostname: 'mail',
    line: '2026-11-30T16:59:29+00:00 mail smtp: 1796057969.000000 tcpserver: status: 1/60',
  });
});

test('no PRI, a bad PRI, RFC 3339 stamps and garbage', () => {
  assert.equal(parseSyslogMessage('Nov 14 22:13:20 mail qmail: x').hostname, 'mail');
  assert.equal(parseSyslogMessage('<9999>Nov 14 22:13:20 mail qmail: x').line, '<9999>Nov 14 22:13:20 mail qmail: x');
  assert.equal(parseSyslogMessage('<22>2024-12-31T06:56:17.784598+01:00 mail dovecot: x').hostname, 'mail');
  assert.deepEqual(parseSyslogMessage('\u0000\uffff<>'), { hostname: null, line: '\u0000\uffff<>' });
});
