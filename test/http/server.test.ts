import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { test } from 'node:test';
import { createServer, subjectAltNames } from '../../src/http/server.js';

test('createServer gives plain HTTP without TLS options and HTTPS with them, without listening', () => {
  const app: http.RequestListener = (_req, res) => res.end();
  const plain = createServer(app, null);
  assert.ok(plain instanceof http.Server);
  assert.equal(plain instanceof https.Server, false);
  assert.equal(plain.listening, false);
  const secure = createServer(app, {});
  assert.ok(secure instanceof https.Server);
  assert.equal(secure.listening, false);
});

test('subjectAltNames reads plain and quoted values', () => {
  assert.deepEqual(subjectAltNames(undefined), []);
  assert.deepEqual(subjectAltNames('DNS:prometheus.example, IP Address:127.0.0.1, email:ops@example.org, URI:spiffe://x/y'), [
    'prometheus.example',
    '127.0.0.1',
    'ops@example.org',
    'spiffe://x/y',
  ]);
  assert.deepEqual(subjectAltNames('DNS:"a, b", DNS:c'), ['a, b', 'c']);
});
