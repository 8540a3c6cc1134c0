import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RELAY_TRUST, parseRelayTrust } from '../../src/events/relay-trust.js';

test('trusted relay IPs: the loopback by default; CIDR lists of both families; IPv4-mapped IPv6 is its IPv4', () => {
  for (const ip of ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1']) assert.equal(DEFAULT_RELAY_TRUST.sourceOf(ip), 'trusted', ip);
  for (const ip of ['192.0.2.1', '::2', '', 'not an ip', '127.0.0.1.evil']) assert.equal(DEFAULT_RELAY_TRUST.sourceOf(ip), 'untrusted', ip);
  const t = parseRelayTrust(' 192.0.2.0/24 ,2001:db8::/32, 198.51.100.7 ');
  assert.deepEqual(t.ranges, ['192.0.2.0/24', '2001:db8::/32', '198.51.100.7']);
  assert.equal(t.sourceOf('192.0.2.200'), 'trusted');
  assert.equal(t.sourceOf('::ffff:192.0.2.200'), 'trusted');
  assert.equal(t.sourceOf('2001:DB8::25'), 'trusted');
  assert.equal(t.sourceOf('198.51.100.7'), 'trusted');
  assert.equal(t.sourceOf('198.51.100.8'), 'untrusted');
  assert.equal(t.sourceOf('127.0.0.1'), 'untrusted', 'a list replaces the default');
  assert.equal(parseRelayTrust('').sourceOf('127.0.0.1'), 'untrusted', 'empty: nothing is trusted');
  for (const bad of ['10.0.0.0/33', '10.0.0.0/x', 'example.com', '2001:db8::/129', '10.0.0.0/-1']) assert.throws(() => parseRelayTrust(bad), RangeError, bad);
});
