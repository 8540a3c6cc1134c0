/** Courier-IMAP's pop3d/imapd lines (Plesk's mailbox servers). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { courierProtocol, parseCourier } from '../../src/parse/courier.js';

const ctx = { time: 100, listener: 'pop3d' };

test('courier: LOGIN is a success, LOGIN FAILED a failure, with the protocol of the program', () => {
  assert.deepEqual(parseCourier('pop3', 'LOGIN, user=meg@example.co.uk, ip=[::ffff:198.51.100.246], port=[51234]', ctx), {
    event: 'auth', time: 100, protocol: 'pop3', result: 'success', reason: 'none', user: 'meg@example.co.uk', remote_ip: '::ffff:198.51.100.246',
  });
  assert.deepEqual(parseCourier('imaps', 'LOGIN FAILED, method=PLAIN, user=x@example.com, ip=[198.51.100.9]', ctx), {
    event: 'auth', time: 100, protocol: 'imaps', result: 'failure', reason: 'auth_failed', user: 'x@example.com', remote_ip: '198.51.100.9',
  });
});

test('courier: the observed session ends and any other line are ignored', () => {
  for (const m of [
    'DISCONNECTED, user=meg@example.co.uk, ip=[198.51.100.246], top=0, retr=263787, time=485, rcvd=258, sent=269885, maildir=/var/qmail/mailna$',
    'TIMEOUT, user=meg@example.co.uk, ip=[198.51.100.246], top=0, retr=227668, time=666',
    'Connection, ip=[::ffff:198.51.100.246]',
    'LOGOUT, user=meg@example.co.uk, ip=[::ffff:198.51.100.246], top=0, retr=0',
  ]) {
    assert.deepEqual(parseCourier('pop3', m, ctx), { event: 'ignored', time: 100, program: 'courier' }, m);
  }
});

test('courier: a user name holding ", ip=[" does not move the IP', () => {
  const e = parseCourier('imap', 'LOGIN FAILED, user=a, ip=[6.6.6.6], ip=[198.51.100.9]', ctx);
  assert.equal(e.event === 'auth' ? e.remote_ip : '', '198.51.100.9');
});

test('courier: programs', () => {
  assert.equal(courierProtocol('pop3d'), 'pop3');
  assert.equal(courierProtocol('pop3d-ssl'), 'pop3s');
  assert.equal(courierProtocol('imapd'), 'imap');
  assert.equal(courierProtocol('imapd-ssl'), 'imaps');
  assert.equal(courierProtocol('sshd'), null);
});
