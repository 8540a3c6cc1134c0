/**
 * `classify big.log | head -1` and `report big.log | head`: the reader goes away before the command
 * has written everything. The command must end quietly — no stack trace, exit status 0 — through a
 * real shell pipe, as an operator types it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../../src/sim/host.js';
import { REPO_ROOT } from '../helpers/exporter-process.js';

let dir = '';
let log = '';

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-epipe-'));
  log = join(dir, 'big.log');
  // Far more output than a pipe buffers (64 KiB): the writer is still writing when head exits.
  writeFileSync(log, createSimulation({ startTime: Math.floor(Date.now() / 1000) - 7200, seed: 2, profile: 'abuse', linesPerSecond: 50 }).takeText(30_000));
});

after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `qmail_exporter ARGS 2>ERR | READER` in bash; the command's own exit status and stderr. */
function piped(args: string, reader: string): { status: string; stderr: string; stdout: string } {
  const cli = `${JSON.stringify(process.execPath)} --import tsx src/cli.ts`;
  const r = spawnSync('bash', ['-c', `${cli} ${args} 2>"$ERR" | ${reader}; echo "status=\${PIPESTATUS[0]}"; cat "$ERR" >&2`], {
    cwd: REPO_ROOT,
    env: { ...process.env, ERR: join(dir, 'stderr') },
    encoding: 'utf8',
  });
  return { status: /status=(\d+)/.exec(r.stdout)?.[1] ?? '?', stderr: r.stderr, stdout: r.stdout.replace(/status=\d+\n$/, '') };
}

test('classify big.log | head -1: one line, no stack trace, status 0', () => {
  const r = piped(`classify ${JSON.stringify(log)}`, 'head -1');
  assert.equal(r.stderr, '');
  assert.equal(r.status, '0');
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 1);
  assert.match(r.stdout, /^\{"line":1,/);
});

test('report big.log | head: the table head, no stack trace, status 0', () => {
  const r = piped(`report ${JSON.stringify(log)}`, 'head -3');
  assert.equal(r.stderr, '');
  assert.equal(r.status, '0');
  assert.match(r.stdout, /^qmail log report: /);
  assert.ok(r.stdout.split('\n').length <= 4);
});

test('report big.log | a reader that reads nothing: no stack trace, status 0', () => {
  const r = piped(`report --format=prometheus ${JSON.stringify(log)}`, 'true');
  assert.equal(r.stderr, '');
  assert.equal(r.status, '0');
});
