/**
 * Hostile checkpoints, against a real exporter process. A real checkpoint is taken (the exporter
 * reads a simulated host's log, SIGTERM), then changed the way an attacker with write access to the
 * state directory, or a disk fault, would change it: an array as a label value (it rendered
 * unescaped and injected a metric family), {"toString":1} as a label value (it threw), a file
 * larger than any checkpoint, and 40 listeners (past the 32-listener cap). The positions still
 * match the log, so only the content can make the exporter refuse it.
 *
 * Each time the exporter must log the refusal, count it as
 * qmail_exporter_checkpoint_restores_total{result="corrupt"}, start clean and count every line of
 * the log as the simulator's truth says, with no injected series and at most 32 listeners + other.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedHost } from '../../src/sim/host.js';
import type { Truth } from '../../src/sim/truth.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth } from '../helpers/truth.js';
import { startExporter } from '../helpers/exporter-process.js';
import { pollUntil } from '../helpers/ports.js';

let dir = '';
let log = '';
let state = '';
let truth: Truth;
let base: Record<string, any>;

function linesRead(m: Map<string, number>): number {
  let n = 0;
  for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(seriesKey('qmail_exporter_log_lines_total', { result: r })) ?? 0;
  return n;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qx-ckpt-hostile-'));
  log = join(dir, 'maillog');
  state = join(dir, 'state');
  const host = createSimulatedHost({ startTime: Math.floor(Date.now() / 1000) - 3600, seed: 8, profile: 'abuse', linesPerSecond: 50 });
  writeFileSync(log, '');
  appendFileSync(log, `${host.take(3000).join('\n')}\n`);
  truth = host.truth();
  const x = await startExporter({ logPaths: [log], args: [`--storage.path=${state}`, '--storage.interval=1h'] });
  try {
    await pollUntil(async () => (linesRead(readSeries(await x.scrape())) >= truth.lines ? true : undefined), { what: 'the log read', abort: () => x.exited() });
  } finally {
    await x.stop();
  }
  base = JSON.parse(readFileSync(join(state, 'checkpoint.json'), 'utf8')) as Record<string, any>;
  assert.ok(base.positions[log], 'the real checkpoint holds the log position');
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function refusedAndClean(checkpoint: string): Promise<void> {
  writeFileSync(join(state, 'checkpoint.json'), checkpoint);
  const x = await startExporter({ logPaths: [log], args: [`--storage.path=${state}`, '--storage.interval=1h', '--log.level=info'] });
  try {
    let text = '';
    let m = new Map<string, number>();
    await pollUntil(
      async () => {
        text = await x.scrape();
        m = readSeries(text);
        return linesRead(m) >= truth.lines ? true : undefined;
      },
      { what: 'the log read again from the start', abort: () => x.exited() },
    );
    assert.equal(m.get(seriesKey('qmail_exporter_checkpoint_restores_total', { result: 'corrupt' })), 1, x.output().slice(-2000));
    assert.equal(m.get(seriesKey('qmail_exporter_checkpoint_restores_total', { result: 'restored' })), 0);
    assert.match(x.output(), /checkpoint (refused|ignored)/);
    assert.ok(!/^qmail_injected/m.test(text), 'an injected metric family');
    const listeners = new Set([...m.keys()].map((k) => /listener="([^"]*)"/.exec(k)?.[1]).filter((l) => l !== undefined));
    assert.ok(listeners.size <= 33, `${listeners.size} listeners`);
    const problems = diffAgainst(expectedFromTruth(truth), m);
    assert.deepEqual(problems, [], problems.slice(0, 10).join('\n'));
    assert.equal(linesRead(m), truth.lines);
  } finally {
    await x.stop();
  }
}

function changed(edit: (c: Record<string, any>) => void): string {
  const c = structuredClone(base);
  edit(c);
  return JSON.stringify(c);
}

test('an array as a label value (it rendered unescaped into /metrics)', { timeout: 60_000 }, async () => {
  await refusedAndClean(
    changed((c) => c.metrics.qmail_bounces_total.series.push([[['bounce"} 1\nqmail_injected_total{a="b']], 7])),
  );
});

test('{"toString":1} as a label value (it threw)', { timeout: 60_000 }, async () => {
  await refusedAndClean(changed((c) => c.metrics.qmail_bounces_total.series.push([[{ toString: 1 }], 1])));
});

test('a label value outside its vocabulary (a numbered service from an older version)', { timeout: 60_000 }, async () => {
  await refusedAndClean(changed((c) => c.metrics.qmail_auth_attempts_total.series.push([['12345', 'failure', 'bad_password'], 3])));
});

test('40 listeners (past the 32-listener cap)', { timeout: 60_000 }, async () => {
  await refusedAndClean(
    changed((c) => {
      for (let i = 0; i < 40; i++) c.metrics.qmail_smtp_messages_queued_total.series.push([[`listener${i}`], 1]);
    }),
  );
});

test('a checkpoint larger than any real one (65 MiB)', { timeout: 120_000 }, async () => {
  await refusedAndClean(changed((c) => (c.padding = 'x'.repeat(65 * 1024 * 1024))));
});

test('a negative counter', { timeout: 60_000 }, async () => {
  await refusedAndClean(changed((c) => c.metrics.qmail_bounces_total.series.push([['bounce'], -5])));
});
