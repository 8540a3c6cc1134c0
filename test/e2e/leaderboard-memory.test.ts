/**
 * The leaderboards' memory budget against the shipped heap cap: a real exporter process under
 * `--max-old-space-size=128` (the systemd unit's and the Docker image's cap) reads 1,000 users
 * each relaying from the same 1,000 IPs — 1,000,000 distinct user × IP pairs, every one a new
 * entry of `auth_user_source_ips` in each of the three default windows. Without a budget that is
 * 3,000,000 remembered IPs and the process dies of heap exhaustion; with it, the least recently
 * updated keys are forgotten (and counted) and the process stays alive, healthy and counting.
 *
 * The test prints the highest heap it saw (nodejs_heap_size_used_bytes, sampled while reading);
 * docs/leaderboards.md quotes it. USERS and IPS change the shape (default 1000 × 1000).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries } from '../helpers/exposition.js';
import { pollUntil } from '../helpers/ports.js';
import { startExporter } from '../../bench/lib.js';

const USERS = Number(process.env.USERS ?? 1000);
const IPS = Number(process.env.IPS ?? 1000);

function linesRead(m: Map<string, number>): number {
  let n = 0;
  for (const r of ['counted', 'ignored', 'unrecognised', 'foreign']) n += m.get(seriesKey('qmail_exporter_log_lines_total', { result: r })) ?? 0;
  return n;
}

test(`${USERS} users × ${IPS} IPs under a 128 MB heap: alive, healthy, every line counted`, { timeout: 600_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-lb-memory-'));
  const log = join(dir, 'maillog');
  const out = createWriteStream(log);
  const stamp = 1_700_000_000;
  for (let i = 0; i < IPS; i++) {
    const ip = `198.18.${i >> 8}.${i & 255}`;
    let chunk = '';
    for (let u = 0; u < USERS; u++) {
      const user = `user${u}@example.com`;
      chunk += `Nov 24 13:10:00 mail submission: ${stamp + i}.${String(u).padStart(6, '0')} CHKUSER relaying rcpt: from <${user}:${user}:> remote <[${ip}]:unknown:${ip}> rcpt <to${u}@example.net> : client allowed to relay\n`;
    }
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');

  const x = await startExporter({
    fromSource: true,
    nodeArgs: ['--max-old-space-size=128'],
    args: [`--qmail.log-path=${log}`, '--qmail.read-from-start', '--log.level=warn'],
  });
  try {
    let peakHeap = 0;
    let m = new Map<string, number>();
    await pollUntil(
      async () => {
        const r = await fetch(`${x.url}/metrics`, { signal: AbortSignal.timeout(30_000) });
        m = readSeries(await r.text());
        peakHeap = Math.max(peakHeap, m.get('nodejs_heap_size_used_bytes') ?? 0);
        return linesRead(m) >= USERS * IPS ? true : undefined;
      },
      {
        what: 'every line read',
        timeoutMs: 500_000,
        intervalMs: 250,
        abort: () => (x.proc.exitCode !== null || x.proc.signalCode !== null ? `the exporter died (${x.proc.exitCode ?? x.proc.signalCode}):\n${x.stderr().slice(-3000)}` : null),
      },
    );
    t.diagnostic(`peak heap seen: ${(peakHeap / 1048576).toFixed(1)} MB`);
    assert.equal(m.get(seriesKey('qmail_exporter_log_lines_total', { result: 'counted' })), USERS * IPS);
    assert.equal(m.get(seriesKey('qmail_smtp_recipients_total', { listener: 'submission', case: 'sent_auth_same_user', reason: 'none' })), USERS * IPS);
    const health = await fetch(`${x.url}/healthz`);
    await health.arrayBuffer();
    assert.equal(health.status, 200);
    const top = [...m.entries()].filter(([k]) => k.startsWith('qmail_leaderboard_auth_user_source_ips{'));
    assert.ok(top.length > 0, 'the board still ranks users');
    for (const [, v] of top) assert.ok(v >= 1 && v <= IPS);
    assert.equal(x.proc.exitCode, null, 'still running');
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
