/**
 * Label values from hostile log text, against a real exporter process: any local user can write
 * any line to the mail log with `logger -t vpopmail` or `logger -t <anything>`. The exporter is fed
 * a simulated host's valid traffic interleaved with hostile lines (HOSTILE_LINES, default 15,000):
 *
 * - vchkpw lines naming a different numbered service each ('vchkpw-12345:'),
 * - vchkpw lines with a password typed after the address ('u@d:hunter2:192.0.2.1'),
 * - tcpserver lines under thousands of different syslog tags (each tag a would-be listener).
 *
 * The number of series must stay bounded (the numbers become `other`, the tags past the listener
 * cap `other`), no password fragment may appear anywhere in /metrics, and every valid line must
 * still be counted exactly as the simulator's truth says.
 *
 * `HOSTILE_LINES=100000 node --import tsx --test test/e2e/hostile-labels.test.ts` prints the
 * series count after 100,000 hostile lines of each kind (docs/metrics.md quotes it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatedHost } from '../../src/sim/host.js';
import { AUTH_PROTOCOLS } from '../../src/events/events.js';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth } from '../helpers/truth.js';
import { startExporter } from '../helpers/exporter-process.js';
import { pollUntil } from '../helpers/ports.js';

const HOSTILE = Number(process.env.HOSTILE_LINES ?? 15_000);
/** Far above what a clean host exports (about 600 series), far below one series per hostile line. */
const MAX_SERIES = 1500;

function linesRead(m: Map<string, number>): number {
  let n = 0;
  for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(seriesKey('qmail_exporter_log_lines_total', { result: r })) ?? 0;
  return n;
}

test(`${HOSTILE} hostile lines: series bounded, no password fragment, valid lines counted`, { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-hostile-labels-'));
  const log = join(dir, 'maillog');
  const host = createSimulatedHost({ startTime: Math.floor(Date.now() / 1000) - 3600, seed: 5, profile: 'abuse', linesPerSecond: 50 });
  const valid = host.take(6000);
  const truth = host.truth();
  // The syslog date of the valid lines, so hostile lines sit among them in time too.
  const date = valid.at(-1)!.slice(0, 15);
  const hostile: string[] = [];
  for (let i = 0; i < HOSTILE; i++) {
    const ip = `198.51.100.${i % 250}`;
    switch (i % 3) {
      case 0:
        hostile.push(`${date} mail vpopmail[${1000 + (i % 9000)}]: vchkpw-${1000 + (i % 99_000)}: password fail u${i}@example.com:${ip}`);
        break;
      case 1:
        hostile.push(`${date} mail vpopmail[${1000 + (i % 9000)}]: vchkpw-${1000 + ((i * 7) % 99_000)}: password fail u@example.com:hunter2:${ip}`);
        break;
      default:
        hostile.push(`${date} mail evil${i}[42]: tcpserver: status: ${i % 7}/20`);
    }
  }
  // The first 1000 valid lines come first: a host's own listeners are in use long before anyone
  // writes hostile lines; after that the two kinds are interleaved.
  const out: string[] = valid.slice(0, 1000);
  let h = 0;
  for (let v = 1000; v < valid.length; v++) {
    out.push(valid[v]!);
    const share = Math.ceil(((v - 999) * hostile.length) / (valid.length - 1000));
    while (h < share && h < hostile.length) out.push(hostile[h++]!);
  }
  while (h < hostile.length) out.push(hostile[h++]!);
  writeFileSync(log, `${out.join('\n')}\n`);

  // With user names hashed too: the IP field is not hashed, so it must never carry a password.
  const x = await startExporter({ logPaths: [log], args: ['--qmail.missing-grace=60s', '--leaderboard.hash-users'] });
  try {
    let m = new Map<string, number>();
    let text = '';
    await pollUntil(
      async () => {
        text = await x.scrape();
        m = readSeries(text);
        return linesRead(m) >= out.length ? true : undefined;
      },
      { what: 'every line read', timeoutMs: 240_000, intervalMs: 200, abort: () => x.exited() },
    );
    const series = [...m.keys()];
    t.diagnostic(`series after ${HOSTILE} hostile lines: ${series.length}`);
    assert.ok(series.length < MAX_SERIES, `${series.length} series`);

    const protocols = new Set(series.filter((k) => k.startsWith('qmail_auth_attempts_total{')).map((k) => /protocol="([^"]*)"/.exec(k)![1]!));
    for (const p of protocols) assert.ok((AUTH_PROTOCOLS as readonly string[]).includes(p), `protocol ${p}`);
    const listeners = new Set(series.map((k) => /listener="([^"]*)"/.exec(k)?.[1]).filter((l) => l !== undefined));
    assert.ok(listeners.size <= 33, `${listeners.size} listeners: ${[...listeners].slice(0, 40).join(' ')}`);
    assert.ok(listeners.has('other'), 'tags past the listener cap are counted as other');

    assert.ok(!text.includes('hunter2'), 'a password fragment reached /metrics');

    // The hostile vchkpw lines are counted, under protocol="other".
    const numbered = hostile.filter((l) => l.includes('vchkpw-')).length;
    assert.equal(m.get(seriesKey('qmail_auth_attempts_total', { protocol: 'other', result: 'failure', reason: 'bad_password' })), numbered);
    // Every valid line is counted as the truth says (line totals include the hostile lines).
    const want = expectedFromTruth(truth);
    for (const key of Object.keys(want)) if (key.startsWith('qmail_exporter_')) delete want[key];
    const problems = diffAgainst(want, m);
    assert.deepEqual(problems, [], problems.slice(0, 20).join('\n'));
    assert.equal(linesRead(m), out.length);
    assert.equal(m.get(seriesKey('qmail_exporter_log_lines_total', { result: 'counted' })), truth.lineResults.counted! + hostile.length);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
