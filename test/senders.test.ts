/**
 * The host facts the sender rules are given (src/senders.ts): the default domain from qmail's control
 * files, the passwd database, --qmail.smtp-uids, and the aliases file re-read when it changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSenderSetup, openSenderAliasesFile, readDefaultDomain, readPasswd, resolveSmtpUids } from '../src/senders.js';
import { senderVerdict } from '../src/events/recipient-case.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'qx-senders-'));
}

test('default domain: control/defaultdomain first, else the domain part of control/me, else none', () => {
  const dir = tempDir();
  try {
    assert.deepEqual(readDefaultDomain(join(dir, 'missing')), { domain: null, from: 'none' });
    writeFileSync(join(dir, 'me'), 'example.org\n');
    assert.deepEqual(readDefaultDomain(dir), { domain: 'example.org', from: 'me' }, 'a two-label name is a domain already');
    writeFileSync(join(dir, 'me'), 'mail.Example.com\n');
    assert.deepEqual(readDefaultDomain(dir), { domain: 'example.com', from: 'me' });
    writeFileSync(join(dir, 'defaultdomain'), 'example.org\nsecond line\n');
    assert.deepEqual(readDefaultDomain(dir), { domain: 'example.org', from: 'defaultdomain' });
    // the flag wins over the files
    const flags = { defaultDomain: 'example.net', extensionDelimiters: '-+', aliasesFile: null, trustedRelayIps: ['127.0.0.0/8'], smtpUids: ['89'] };
    assert.equal(loadSenderSetup(flags, { controlDir: dir }).setup.identity.defaultDomain, 'example.net');
    assert.equal(loadSenderSetup({ ...flags, defaultDomain: null }, { controlDir: dir }).setup.identity.defaultDomain, 'example.org');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('passwd: names by uid and uids by name; --qmail.smtp-uids resolves names and keeps numbers', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'passwd');
    writeFileSync(file, 'root:x:0:0:root:/root:/bin/bash\napache:x:48:48::/usr/share/httpd:/sbin/nologin\nqmaild:x:7791:2108::/var/qmail:/sbin/nologin\nbroken line\n:x:1:1::\n');
    const p = readPasswd(file);
    assert.equal(p.byUid.get(48), 'apache');
    assert.equal(p.byName.get('qmaild'), 7791);
    assert.equal(p.byUid.size, 3);
    assert.deepEqual(resolveSmtpUids(['qmaild', 'vpopmail', '89'], p), { uids: new Set([7791, 89]), unknown: ['vpopmail'] });
    assert.equal(readPasswd(join(dir, 'missing')).byUid.size, 0);
    const { setup } = loadSenderSetup(
      { defaultDomain: null, extensionDelimiters: '-+', aliasesFile: null, trustedRelayIps: ['127.0.0.0/8'], smtpUids: ['qmaild'] },
      { controlDir: dir, passwdFile: file },
    );
    assert.equal(setup.localSenders.userOf(48), 'apache');
    assert.equal(setup.localSenders.userOf(12345), '');
    assert.deepEqual([...setup.localSenders.smtpUids], [7791]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('aliases file: read, re-read when it changes (no restart), malformed lines named, unreadable keeps the table', () => {
  const dir = tempDir();
  try {
    const file = join(dir, 'aliases');
    writeFileSync(file, 'john@example.com sales@example.com\n');
    const aliases = openSenderAliasesFile(file, 'example.com');
    const identity = { defaultDomain: 'example.com', extensionDelimiters: '-+', aliases: () => aliases.current() };
    assert.equal(senderVerdict('john', 'sales@example.com', identity), 'same_domain', 'nothing read yet');
    assert.deepEqual(aliases.check(), { kind: 'loaded', logins: 1, problems: [] });
    assert.equal(senderVerdict('john', 'sales@example.com', identity), 'alias');
    assert.deepEqual(aliases.check(), { kind: 'unchanged' });
    writeFileSync(file, '# now john may send as info@ only\njohn info@example.com\nmary\nbob *@\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a different mtime even within the same millisecond
    const r = aliases.check();
    assert.equal(r.kind, 'loaded');
    assert.deepEqual(r.kind === 'loaded' ? r.problems.map((p) => p.line) : [], [3, 4]);
    assert.equal(senderVerdict('john', 'sales@example.com', identity), 'same_domain');
    assert.equal(senderVerdict('john@example.com', 'info@example.com', identity), 'alias');
    rmSync(file);
    assert.equal(aliases.check().kind, 'unreadable');
    assert.equal(senderVerdict('john@example.com', 'info@example.com', identity), 'alias', 'the table in use stays');
    mkdirSync(file);
    assert.equal(aliases.check().kind, 'unreadable');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
