/**
 * Exactly-once across a crash: a real exporter process follows a log that is being written, is
 * killed with SIGKILL mid-stream, the log is rotated (weekly rename) while it is down, and a new
 * process resumes from the checkpoint. At the end every counter equals the generator's truth:
 * nothing lost, nothing counted twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedHost } from '../../src/sim/host.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth } from '../helpers/truth.js';
import { spawnCli } from '../helpers/exporter-process.js';
import { pollUntil } from '../helpers/ports.js';

async function linesCounted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const m = readSeries(text);
  let n = 0;
  for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(`qmail_exporter_log_lines_total{result="${r}"}`) ?? 0;
  return n;
}

test('kill -9 mid-stream, rotation while down, restart: counters equal the truth', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-restart-'));
  const log = join(dir, 'maillog');
  const state = join(dir, 'state');
  const host = createSimulatedHost({ startTime: Math.floor(Date.now() / 1000) - 3600, seed: 11, profile: 'abuse', linesPerSecond: 50 });
  const all = host.take(40_000);
  const truth = host.truth();
  const chunks: string[][] = [];
  for (let i = 0; i < all.length; i += 500) chunks.push(all.slice(i, i + 500));
  let next = 0;
  const write = (n: number): void => {
    for (let k = 0; k < n && next < chunks.length; k++) appendFileSync(log, `${chunks[next++]!.join('\n')}\n`);
  };
  writeFileSync(log, '');
  const args = [`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${state}`, '--storage.interval=100ms'];
  const first = spawnCli(args);
  let second: ReturnType<typeof spawnCli> | null = null;
  const stderr = (): string => first.stderr() + (second?.stderr() ?? '');
  try {
    let url = await first.url;
    await pollUntil(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), { what: 'the first exporter', intervalMs: 50, timeoutMs: 30_000 });
    // Write a third while it runs, let a checkpoint or two pass, then kill it mid-stream.
    for (let i = 0; i < 26; i++) {
      write(1);
      await new Promise((r) => setTimeout(r, 10));
    }
    await pollUntil(async () => ((await linesCounted(url)) > 5000 ? true : undefined), { what: 'some lines counted', intervalMs: 50, timeoutMs: 30_000 });
    // ...and a checkpoint taken after them, so the restart has something to resume from.
    const countedAt = Date.now() / 1000;
    await pollUntil(
      async () => {
        const m = readSeries(await (await fetch(`${url}/metrics`)).text());
        return (m.get('qmail_exporter_checkpoint_last_success_timestamp_seconds') ?? 0) > countedAt ? true : undefined;
      },
      { what: 'a checkpoint after those lines', intervalMs: 50, timeoutMs: 30_000 },
    );
    write(2);
    await first.stop('SIGKILL');

    // While it is down: more lines, the weekly rename, a new file, more lines.
    write(10);
    renameSync(log, join(dir, 'maillog-20261122'));
    writeFileSync(log, '');
    write(12);

    second = spawnCli(args);
    url = await second.url;
    await pollUntil(async () => ((await fetch(`${url}/-/ready`)).status === 200 ? true : undefined), { what: 'the second exporter', intervalMs: 50, timeoutMs: 30_000 });
    write(chunks.length);
    let seen = 0;
    await pollUntil(
      async () => {
        seen = await linesCounted(url);
        return seen >= truth.lines ? true : undefined;
      },
      { what: 'every line counted', intervalMs: 50, timeoutMs: 60_000 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: ${seen} of ${truth.lines} lines counted\n${stderr()}`);
    });
    const text = await (await fetch(`${url}/metrics`)).text();
    const actual = readSeries(text);
    const problems = diffAgainst(expectedFromTruth(truth), actual);
    assert.deepEqual(problems, [], `${problems.slice(0, 20).join('\n')}\n${stderr()}`);
    assert.equal(actual.get('qmail_exporter_checkpoint_restores_total{result="restored"}'), 1);
  } finally {
    await first.stop('SIGKILL');
    await second?.stop('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
