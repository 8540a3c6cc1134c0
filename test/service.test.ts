/**
 * The composed service: checkpoints restore counters and positions exactly, and a checkpoint that
 * does not match the files is detected and counted, never trusted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { defaultConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createService } from '../src/service.js';
import { manualTicker } from '../src/follow/ticker.js';
import { loadSenderSetup } from '../src/senders.js';
import type { RecipientCase, RecipientReason } from '../src/events/events.js';

const silent = new Writable({ write: (_c, _e, cb) => cb() });
const line = (i: number): string => `Nov 24 13:10:00 mail qmail: ${1700831400 + i}.000001 new msg ${1000 + i}\n`;

function makeService(dir: string, log: string) {
  const config = defaultConfig();
  config.qmail.logPaths = [log];
  config.qmail.readFromStart = true;
  config.storage.path = join(dir, 'state');
  config.storage.intervalMs = 3_600_000; // written by hand in these tests
  const logger = createLogger({ level: 'error', format: 'json', destination: silent });
  const svc = createService({ config, logger, hashKey: 'k'.repeat(32), tickerFor: () => manualTicker(), watch: false });
  return {
    svc,
    async step() {
      for (const f of svc.followers.values()) await f.step();
    },
    messages: () => svc.engine.metrics.queueMessages.value(),
    restores: (r: string) => svc.exporterMetrics.checkpointRestores.value(r),
  };
}

test('a file checkpointed before its first line, rotated while the exporter is down, is found and read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-svc-'));
  const log = join(dir, 'maillog');
  try {
    writeFileSync(log, '');
    const a = makeService(dir, log);
    await a.svc.start();
    await a.step();
    assert.equal(await a.svc.checkpoint(), true);
    // crash: no stop(), no further checkpoint
    for (let i = 0; i < 5; i++) appendFileSync(log, line(i));
    renameSync(log, join(dir, 'maillog-20261122'));
    writeFileSync(log, line(5) + line(6));
    const b = makeService(dir, log);
    await b.svc.start();
    await b.step();
    await b.step();
    assert.equal(b.restores('restored'), 1);
    assert.equal(b.messages(), 7);
    await b.svc.stop();
    await a.svc.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('restart from a checkpoint continues the counters without counting a line twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-svc-'));
  const log = join(dir, 'maillog');
  try {
    writeFileSync(log, line(0) + line(1) + line(2));
    const a = makeService(dir, log);
    await a.svc.start();
    await a.step();
    assert.equal(a.messages(), 3);
    appendFileSync(log, line(3));
    await a.step();
    await a.svc.stop(); // SIGTERM path: finishes reads, writes the checkpoint
    appendFileSync(log, line(4));
    const b = makeService(dir, log);
    await b.svc.start();
    await b.step();
    assert.equal(b.messages(), 5);
    assert.equal(b.restores('restored'), 1);
    await b.svc.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a checkpoint whose file was replaced and truncated below the offset is counted as a mismatch; the exporter starts clean', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-svc-'));
  const log = join(dir, 'maillog');
  try {
    writeFileSync(log, line(0) + line(1) + line(2));
    const a = makeService(dir, log);
    await a.svc.start();
    await a.step();
    await a.svc.stop();
    rmSync(log);
    writeFileSync(log, line(9));
    const b = makeService(dir, log);
    await b.svc.start();
    await b.step();
    assert.equal(b.restores('mismatch') + b.restores('restored'), 1);
    // whichever way the follower judged it, no line is counted twice and the new line is counted
    assert.ok(b.messages() === 1 || b.messages() === 4, `messages ${b.messages()}`);
    await b.svc.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a corrupt checkpoint is detected, counted and ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-svc-'));
  const log = join(dir, 'maillog');
  try {
    writeFileSync(log, line(0));
    const a = makeService(dir, log);
    await a.svc.start();
    await a.step();
    await a.svc.stop();
    writeFileSync(join(dir, 'state', 'checkpoint.json'), '{"version":1,"positions":');
    const b = makeService(dir, log);
    await b.svc.start();
    await b.step();
    assert.equal(b.restores('corrupt'), 1);
    assert.equal(b.messages(), 1);
    await b.svc.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--qmail.sender-aliases: a changed file decides the next recipients, without a restart; a malformed line is logged with its number', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-svc-'));
  const log = join(dir, 'maillog');
  const aliases = join(dir, 'sender-aliases');
  try {
    writeFileSync(log, '');
    writeFileSync(aliases, 'john@example.com info@example.com\n');
    const config = defaultConfig();
    config.qmail.logPaths = [log];
    config.qmail.readFromStart = true;
    config.qmail.senders = { ...config.qmail.senders, defaultDomain: 'example.com', aliasesFile: aliases };
    let logged = '';
    const sink = new Writable({
      write: (c, _e, cb) => {
        logged += String(c);
        cb();
      },
    });
    const logger = createLogger({ level: 'info', format: 'json', destination: sink });
    const { setup } = loadSenderSetup(config.qmail.senders, { controlDir: join(dir, 'no-control'), passwdFile: join(dir, 'no-passwd') });
    const svc = createService({ config, logger, hashKey: 'k'.repeat(32), tickerFor: () => manualTicker(), watch: false, senders: setup });
    const sales = (n: number): string =>
      `Nov 24 13:10:00 mail submission: ${1700831400 + n}.000001 CHKUSER relaying rcpt: from <sales@example.com:john:> remote <pc:unknown:192.0.2.21> rcpt <r${n}@example.net> : client allowed to relay\n`;
    const count = (kase: RecipientCase, reason: RecipientReason): number => svc.engine.metrics.smtpRecipients.value('submission', kase, reason);
    await svc.start();
    const step = async () => {
      for (const f of svc.followers.values()) await f.step();
    };
    appendFileSync(log, sales(1));
    await step();
    assert.equal(count('sent_auth_different_user', 'same_domain'), 1, 'john may send as info@, not sales@');
    writeFileSync(aliases, '# the sales desk too\njohn info@example.com sales@example.com\nnot-a-pair\n');
    utimesSync(aliases, new Date(), new Date(Date.now() + 10_000));
    svc.checkSenderAliases(); // what the service's one-second timer does
    appendFileSync(log, sales(2));
    await step();
    assert.equal(count('sent_auth_same_user', 'alias'), 1, 'the new pair counts at once');
    assert.equal(count('sent_auth_different_user', 'same_domain'), 1);
    assert.match(logged, /"line":3[^\n]*malformed line ignored|malformed line ignored[^\n]*"line":3/);
    await svc.stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--leaderboard.memory-budget reaches the leaderboards: 200 users × 200 IPs stay within 1 MiB', () => {
  const config = defaultConfig();
  config.qmail.logPaths = ['/nonexistent/maillog'];
  config.leaderboard.memoryBudgetMb = 1;
  const logger = createLogger({ level: 'error', format: 'json', destination: silent });
  const svc = createService({ config, logger, hashKey: 'k'.repeat(32), tickerFor: () => manualTicker(), watch: false });
  const lines: string[] = [];
  for (let i = 0; i < 200; i++) {
    for (let u = 0; u < 200; u++) {
      const user = `user${u}@example.com`;
      lines.push(`Nov 24 13:10:00 mail submission: 1700831400.${String(u).padStart(6, '0')} CHKUSER relaying rcpt: from <${user}:${user}:> remote <[h]:unknown:198.18.0.${i}> rcpt <to@example.net> : client allowed to relay`);
    }
  }
  svc.engine.pipeline.batch(lines, { referenceTime: 1700831400, listenerHint: null });
  assert.ok(svc.leaderboards.memoryUsed() <= 1024 * 1024, `${svc.leaderboards.memoryUsed()} bytes`);
  assert.ok(svc.leaderboards.stats().evictions.auth_user_source_ips > 0);
});
