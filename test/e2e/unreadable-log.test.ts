/**
 * A log the exporter may not read — CentOS' default `0600 root` maillog — against a real exporter
 * process running as 'nobody' (root reads any file whatever its mode, so the refusal must come
 * from a real unprivileged process; the test says why it skips where that cannot be arranged).
 *
 * The exporter must say why once (EACCES, naming the file), not once per retry; never call the
 * file missing; answer /healthz 503 with the file's state `unreadable` and its errno; retry with
 * backoff; and, once the file is made readable, read it, say so once, and be healthy again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries } from '../helpers/exposition.js';
import { pollUntil } from '../helpers/ports.js';
import { startExporter } from '../../bench/lib.js';
import { NOBODY, whyNobodyCannotRunExporter } from '../helpers/nobody.js';


interface FileHealth {
  path: string;
  state: string;
  errno: string | null;
  present: boolean;
}

test('a 0600 root log: said once with its errno, unreadable (not missing) in /healthz, read once permitted', { timeout: 120_000 }, async (t) => {
  const why = whyNobodyCannotRunExporter();
  if (why !== null) {
    t.skip(`root reads files whatever their mode, and ${why}`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'qx-unreadable-'));
  chmodSync(dir, 0o755);
  const log = join(dir, 'maillog');
  let body = '';
  for (let i = 0; i < 5; i++) body += `Nov 24 13:10:00 mail qmail: ${1_700_000_000 + i}.000001 status: local 0/10 remote 0/20\n`;
  writeFileSync(log, body, { mode: 0o600 });
  chmodSync(log, 0o600);
  const x = await startExporter({
    fromSource: true,
    args: [`--qmail.log-path=${log}`, '--qmail.read-from-start', '--qmail.missing-grace=1s', '--log.level=info'],
    uid: NOBODY,
    gid: NOBODY,
  });
  try {
    let files: FileHealth[] = [];
    let status = 0;
    await pollUntil(
      async () => {
        const r = await fetch(`${x.url}/healthz`, { signal: AbortSignal.timeout(5000) });
        status = r.status;
        files = ((await r.json()) as { files?: FileHealth[] }).files ?? [];
        return status === 503 && files[0]?.state === 'unreadable' ? true : undefined;
      },
      { what: '/healthz 503 with the file unreadable', timeoutMs: 30_000, abort: () => (x.proc.exitCode !== null ? x.stderr() : null) },
    ).catch((err: Error) => {
      throw new Error(`${err.message}: last ${status} ${JSON.stringify(files)}\n${x.stderr().slice(-2000)}`);
    });
    assert.equal(files[0]!.errno, 'EACCES');
    assert.equal(files[0]!.path, log);

    // Retries go on (the counter counts each) while the journal gets the cause once.
    await pollUntil(
      async () => {
        const m = readSeries(await (await fetch(`${x.url}/metrics`)).text());
        return (m.get(seriesKey('qmail_exporter_log_read_errors_total', { path: log })) ?? 0) >= 4 ? true : undefined;
      },
      { what: 'four failed attempts', timeoutMs: 30_000 },
    );
    const said = x.stderr().split('\n').filter((l) => l.includes('read failed'));
    assert.equal(said.length, 1, said.join('\n'));
    assert.match(said[0]!, /EACCES/);
    assert.ok(said[0]!.includes(log));
    assert.ok(!/missing/.test(x.stderr()), `called missing:\n${x.stderr()}`);

    chmodSync(log, 0o644);
    await pollUntil(
      async () => {
        const m = readSeries(await (await fetch(`${x.url}/metrics`)).text());
        const r = await fetch(`${x.url}/healthz`);
        await r.arrayBuffer();
        return r.status === 200 && m.get(seriesKey('qmail_exporter_log_lines_total', { result: 'counted' })) === 5 ? true : undefined;
      },
      { what: 'the log read once it is readable', timeoutMs: 30_000 },
    );
    assert.equal(x.stderr().split('\n').filter((l) => l.includes('read again after errors')).length, 1);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
