/**
 * Start-up and shutdown of a real exporter process:
 *
 * - a start-up failure (the second of two listen addresses taken) ends the process with a non-zero
 *   status, instead of leaving it half-started (one port answering, no log read);
 * - SIGTERM in the middle of the first catch-up of a large backlog checkpoints what was counted and
 *   exits 0, and the restart goes on from there: every counter ends equal to the simulator's truth;
 * - periodic checkpoints run during that first catch-up too (SIGKILL mid-way loses at most one
 *   interval), and the read-bytes counter and the lag gauge move while it runs.
 *
 * CATCHUP_LINES (default 500,000) sets the backlog; the check uses 1,500,000.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulation } from '../../src/sim/host.js';
import type { Truth } from '../../src/sim/truth.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth } from '../helpers/truth.js';
import { spawnCli, type CliProcess } from '../helpers/exporter-process.js';
import { freePort, pollUntil } from '../helpers/ports.js';
import { REPO_ROOT } from '../helpers/exporter-process.js';

const CATCHUP_LINES = Number(process.env.CATCHUP_LINES ?? 500_000);

let dir = '';
let backlog = '';
let truth: Truth;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'qx-startup-'));
  backlog = join(dir, 'backlog');
  const sim = createSimulation({ startTime: Math.floor(Date.now() / 1000) - 4 * 3600 - CATCHUP_LINES / 50, seed: 21, profile: 'abuse', linesPerSecond: 50 });
  writeFileSync(backlog, sim.takeText(CATCHUP_LINES));
  truth = sim.host.truth();
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function metrics(url: string): Promise<Map<string, number>> {
  return readSeries(await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text());
}

function linesRead(m: Map<string, number>): number {
  let n = 0;
  for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(seriesKey('qmail_exporter_log_lines_total', { result: r })) ?? 0;
  return n;
}

function exitOf(p: CliProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return Promise.resolve({ code: p.proc.exitCode, signal: p.proc.signalCode });
  return new Promise((res) => p.proc.once('exit', (code, signal) => res({ code, signal })));
}

/** Waits until the exporter has counted some lines of the backlog but not all; returns that scrape. */
async function midCatchUp(url: string, total: number, stderr: () => string): Promise<Map<string, number>> {
  return pollUntil(
    async () => {
      const m = await metrics(url);
      const n = linesRead(m);
      if (n >= total) throw new Error(`the catch-up ended before the test saw it in progress (${n} lines): raise CATCHUP_LINES`);
      return n > 0 ? m : undefined;
    },
    { what: 'the catch-up under way', intervalMs: 10, timeoutMs: 60_000, abort: () => (stderr().includes('exited') ? stderr() : null) },
  );
}

/** Restarts on the same log and state, waits for every line and compares with the truth. */
async function restartAndCompare(args: string[], log: string): Promise<void> {
  const second = spawnCli(args);
  try {
    const url = await second.url;
    let seen = 0;
    await pollUntil(
      async () => {
        seen = linesRead(await metrics(url));
        return seen >= truth.lines ? true : undefined;
      },
      { what: 'every line counted after the restart', intervalMs: 100, timeoutMs: 240_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${seen} of ${truth.lines}\n${second.stderr().slice(-3000)}`);
    });
    const actual = await metrics(url);
    const problems = diffAgainst(expectedFromTruth(truth), actual);
    assert.deepEqual(problems, [], `${problems.slice(0, 20).join('\n')}\n${second.stderr().slice(-3000)}`);
    assert.equal(linesRead(actual), truth.lines, 'no line counted twice');
    assert.equal(actual.get(seriesKey('qmail_exporter_checkpoint_restores_total', { result: 'restored' })), 1);
  } finally {
    await second.stop('SIGKILL');
  }
}

test('the second of two listen addresses taken: the process exits non-zero', { timeout: 60_000 }, async () => {
  const taken: Server = createServer();
  await new Promise<void>((res) => taken.listen(0, '127.0.0.1', () => res()));
  const takenPort = (taken.address() as { port: number }).port;
  const log = join(dir, 'two-addresses.log');
  writeFileSync(log, '');
  const freeOne = await freePort();
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', `--qmail.log-path=${log}`, `--web.listen-address=127.0.0.1:${freeOne}`, `--web.listen-address=127.0.0.1:${takenPort}`],
    { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    const exit = await Promise.race([
      new Promise<number | null>((res) => proc.once('exit', (code) => res(code))),
      new Promise<'running'>((res) => setTimeout(() => res('running'), 20_000).unref()),
    ]);
    assert.notEqual(exit, 'running', `still running 20 s after its second address failed (half-started):\n${stderr}`);
    assert.notEqual(exit, 0);
    assert.match(stderr, /EADDRINUSE/);
    assert.match(stderr, new RegExp(String(takenPort)));
  } finally {
    proc.kill('SIGKILL');
    await new Promise<void>((res) => taken.close(() => res()));
  }
});

test('SIGTERM mid catch-up: exit 0 with a checkpoint; the restart ends equal to the truth', { timeout: 300_000 }, async () => {
  const log = join(dir, 'sigterm.log');
  const state = join(dir, 'sigterm-state');
  copyFileSync(backlog, log);
  // No periodic checkpoint in the way: only the one SIGTERM writes.
  const args = [`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${state}`, '--storage.interval=1h'];
  const first = spawnCli(args);
  try {
    const url = await first.url;
    const m = await midCatchUp(url, truth.lines, first.stderr);
    // Progress is visible during the catch-up, not only at its end.
    const read = m.get(seriesKey('qmail_exporter_log_read_bytes_total', { path: log })) ?? 0;
    const lag = m.get(seriesKey('qmail_exporter_log_lag_bytes', { path: log })) ?? 0;
    const size = statSync(log).size;
    assert.ok(read > 0 && read < size, `read bytes ${read} of ${size} during the catch-up`);
    assert.ok(lag > 0, `lag ${lag} during the catch-up`);
    const exited = exitOf(first);
    first.proc.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, first.stderr().slice(-3000));
    assert.ok(existsSync(join(state, 'checkpoint.json')), 'a checkpoint was written');
  } finally {
    await first.stop('SIGKILL');
  }
  await restartAndCompare(args, log);
});

test('periodic checkpoints during the first catch-up: SIGKILL mid-way, the restart ends equal to the truth', { timeout: 300_000 }, async () => {
  const log = join(dir, 'sigkill.log');
  const state = join(dir, 'sigkill-state');
  copyFileSync(backlog, log);
  const args = [`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${state}`, '--storage.interval=100ms'];
  const first = spawnCli(args);
  try {
    const url = await first.url;
    await pollUntil(
      async () => {
        const m = await metrics(url);
        if (linesRead(m) >= truth.lines) throw new Error('the catch-up ended before a checkpoint was seen during it: raise CATCHUP_LINES');
        return (m.get(seriesKey('qmail_exporter_checkpoint_writes_total', { result: 'success' })) ?? 0) > 0 ? true : undefined;
      },
      { what: 'a checkpoint during the catch-up', intervalMs: 10, timeoutMs: 60_000 },
    );
    await first.stop('SIGKILL');
  } finally {
    await first.stop('SIGKILL');
  }
  await restartAndCompare(args, log);
});

test('a final checkpoint that cannot be written: SIGTERM exits 1 and says so', { timeout: 60_000 }, async () => {
  const log = join(dir, 'final.log');
  const state = join(dir, 'final-state');
  writeFileSync(log, 'Nov 24 13:10:00 mail qmail: 1700000000.000001 new msg 1\n');
  const p = spawnCli([`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${state}`, '--storage.interval=1h']);
  try {
    const url = await p.url;
    await pollUntil(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), { what: 'ready', timeoutMs: 30_000 });
    // The state directory becomes a file: the last checkpoint has nowhere to go.
    rmSync(state, { recursive: true, force: true });
    writeFileSync(state, 'not a directory');
    const exited = exitOf(p);
    p.proc.kill('SIGTERM');
    const { code, signal } = await exited;
    assert.deepEqual({ code, signal }, { code: 1, signal: null }, p.stderr().slice(-2000));
    assert.match(p.stderr(), /final checkpoint failed/);
  } finally {
    await p.stop('SIGKILL');
  }
});
