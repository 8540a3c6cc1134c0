import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MailEvent } from '../../src/events/events.js';
import { parseTcpserver } from '../../src/parse/tcpserver.js';

const ctx = { time: 100, listener: 'smtpd' };

const cases: { name: string; message: string; want: MailEvent | null }[] = [
  {
    name: 'status n/limit',
    message: 'tcpserver: status: 1/200',
    want: { event: 'connection.status', time: 100, listener: 'smtpd', active: 1, limit: 200 },
  },
  {
    name: 'ucspi-tcp6 status n/limit/x',
    message: 'tcpserver: status: 0/200/0',
    want: { event: 'connection.status', time: 100, listener: 'smtpd', active: 0, limit: 200 },
  },
  {
    name: 'indimail status with sql',
    message: 'tcpserver: status: 3/40 sql: 1',
    want: { event: 'connection.status', time: 100, listener: 'smtpd', active: 3, limit: 40 },
  },
  {
    name: 'pid from',
    message: 'tcpserver: pid 210485 from 198.51.100.4',
    want: { event: 'connection.open', time: 100, listener: 'smtpd', pid: 210485, remote_ip: '198.51.100.4' },
  },
  {
    name: 'pid from IPv6',
    message: 'tcpserver: pid 7 from 2001:db8::25',
    want: { event: 'connection.open', time: 100, listener: 'smtpd', pid: 7, remote_ip: '2001:db8::25' },
  },
  {
    name: 'ok with -H (empty remote host)',
    message: 'tcpserver: ok 210485 mail.example.com:192.0.2.10:25 :198.51.100.4::56124',
    want: { event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 210485, remote_ip: '198.51.100.4', local_port: '25' },
  },
  {
    name: 'ok with a remote host name',
    message: 'tcpserver: ok 23904 vulcan.everthink.net:192.168.1.13:25 fritzlap6:192.168.1.165::53346',
    want: { event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 23904, remote_ip: '192.168.1.165', local_port: '25' },
  },
  {
    name: 'ok with -l0 (localhost 0)',
    message: 'tcpserver: ok 9848 0:127.0.0.1:2023 :127.0.0.1::43424',
    want: { event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 9848, remote_ip: '127.0.0.1', local_port: '2023' },
  },
  {
    name: 'ok with IPv6 addresses and an ident reply',
    message: 'tcpserver: ok 12 mx:2001:db8::1:587 :2001:db8::25:joe:40000',
    want: { event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 12, remote_ip: '2001:db8::25', local_port: '587' },
  },
  {
    name: 'deny',
    message: 'tcpserver: deny 4242 mx:192.0.2.10:25 :203.0.113.9::5000',
    want: { event: 'connection.denied', time: 100, listener: 'smtpd', pid: 4242, remote_ip: '203.0.113.9', local_port: '25' },
  },
  {
    name: 'end with wait status 256 (exit 1)',
    message: 'tcpserver: end 23904 status 256',
    want: { event: 'connection.end', time: 100, listener: 'smtpd', pid: 23904, status: 256 },
  },
  {
    name: 'syslog tag tcpserver: no first word',
    message: 'end 1 status 0',
    want: { event: 'connection.end', time: 100, listener: 'smtpd', pid: 1, status: 0 },
  },
  {
    name: 'warning',
    message: 'tcpserver: warning: dropping connection, unable to fork: out of memory',
    want: { event: 'ignored', time: 100, program: 'tcpserver' },
  },
  { name: 'fatal', message: 'tcpserver: fatal: unable to bind: address already used', want: { event: 'ignored', time: 100, program: 'tcpserver' } },
  { name: 'status garbage', message: 'tcpserver: status: x/200', want: null },
  { name: 'ok truncated', message: 'tcpserver: ok 12 mx:192.0.2.1:25', want: null },
  { name: 'end without status', message: 'tcpserver: end 12', want: null },
  { name: 'unknown word', message: 'tcpserver: hello', want: null },
];

for (const c of cases) test(`tcpserver: ${c.name}`, () => assert.deepEqual(parseTcpserver(c.message, ctx), c.want));

test('indimail tcpserver: bracketed addresses and maxperip (observed, indimail README)', () => {
  assert.deepEqual(parseTcpserver('tcpserver: ok 68722 [::1]2025 [::1]:49105:maxperip=20', ctx), {
    event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 68722, remote_ip: '::1', local_port: '2025',
  });
  assert.deepEqual(parseTcpserver('tcpserver: ok 7 mail.example.com[192.0.2.10]25 host.example.org[198.51.100.4]ident:51234:maxperip=25', ctx), {
    event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 7, remote_ip: '198.51.100.4', local_port: '25',
  });
  assert.equal(parseTcpserver('tcpserver: deny 7 [::1]25 [::ffff:198.51.100.4]:51234:maxperip=25', ctx)?.event, 'connection.denied');
});

test('IPv4 mapped into IPv6 in the vanilla fields, kept as written', () => {
  assert.deepEqual(parseTcpserver('tcpserver: ok 1234 mail.example.com:::ffff:192.0.2.10:25 :::ffff:192.0.2.8::51234', ctx), {
    event: 'connection.accepted', time: 100, listener: 'smtpd', pid: 1234, remote_ip: '::ffff:192.0.2.8', local_port: '25',
  });
});

test('indimail tcpserver: a child killed by a signal ends with that status; stopped/continued are ignored', () => {
  assert.deepEqual(parseTcpserver('tcpserver: end 1234 killed by signal 9', ctx), {
    event: 'connection.end', time: 100, listener: 'smtpd', pid: 1234, status: 9,
  });
  assert.equal(parseTcpserver('tcpserver: end 1234 stopped by signal 19', ctx)?.event, 'ignored');
});
