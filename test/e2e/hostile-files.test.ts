/**
 * Hostile files, against a real exporter process (the sources through tsx, loopback port): the log
 * path is a FIFO, a directory, a symlink swapped to another file (and to nothing), a file whose
 * permissions are removed mid-run, and a checkpoint directory where writes fail (disk full, or a
 * parent that is a file).
 *
 * For each trouble the exporter must say so on stderr, count it (qmail_exporter_log_read_errors_total
 * or qmail_exporter_checkpoint_writes_total{result="failure"}), answer /healthz with 503 and a reason
 * naming the path, keep serving /metrics, and recover by itself when the trouble ends: /healthz 200
 * again and the lines counted.
 *
 * Root reads any file whatever its mode, and the tests run as root: the permission case runs the
 * exporter as 'nobody' so that mode 000 really refuses it. Where that cannot work (nobody cannot
 * reach the repository) an unreadable file is made another way — a directory where the file should
 * be — and the test prints why. The disk-full case mounts a 4 KiB tmpfs when mounting is allowed, and
 * otherwise (and in any case too) makes mkdir fail with ENOTDIR.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  rmdirSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seriesKey } from '../../src/metrics/series-key.js';
import { readSeries } from '../helpers/exposition.js';
import { pollUntil } from '../helpers/ports.js';
import { linesTotal, startExporter, type LiveExporter } from '../../bench/lib.js';
import { NOBODY, whyNobodyCannotRunExporter } from '../helpers/nobody.js';

const WAIT_MS = 20_000;

let stamp = 1_700_000_000;
/** n qmail-send status lines (each one counted), newline-terminated */
function lines(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += `Nov 24 13:10:00 mail qmail: ${++stamp}.000001 status: local ${i % 10}/10 remote 0/20\n`;
  return out;
}

async function start(args: string[], opts: { uid?: number; gid?: number } = {}): Promise<LiveExporter> {
  const x = await startExporter({ fromSource: true, args: ['--log.level=info', '--qmail.missing-grace=1s', ...args], ...opts });
  await pollUntil(
    async () => {
      const r = await fetch(`${x.url}/-/healthy`, { signal: AbortSignal.timeout(2000) });
      return r.status === 200 ? true : undefined;
    },
    { what: 'exporter listening', timeoutMs: 60_000, abort: () => (x.proc.exitCode !== null ? `exited ${x.proc.exitCode}: ${x.stderr().slice(-3000)}` : null) },
  );
  return x;
}

async function scrape(x: LiveExporter): Promise<Map<string, number>> {
  const r = await fetch(`${x.url}/metrics`, { signal: AbortSignal.timeout(5000) });
  assert.equal(r.status, 200, '/metrics keeps answering');
  return readSeries(await r.text());
}

async function health(x: LiveExporter): Promise<{ status: number; reasons: string[] }> {
  const r = await fetch(`${x.url}/healthz`, { signal: AbortSignal.timeout(5000) });
  const body = (await r.json()) as { reasons?: string[] };
  return { status: r.status, reasons: body.reasons ?? [] };
}

/** /healthz answers 503 with a reason that names `path` (and matches `why`). */
async function expectUnhealthy(x: LiveExporter, path: string, why: RegExp): Promise<void> {
  let last = { status: 0, reasons: [] as string[] };
  await pollUntil(
    async () => {
      last = await health(x);
      return last.status === 503 && last.reasons.some((r) => r.includes(path) && why.test(r)) ? true : undefined;
    },
    { what: `/healthz 503 naming ${path} (${why}); last answer ${JSON.stringify(last)}`, timeoutMs: WAIT_MS },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last /healthz: ${JSON.stringify(last)}`);
  });
}

async function expectHealthy(x: LiveExporter): Promise<void> {
  let last = { status: 0, reasons: [] as string[] };
  await pollUntil(
    async () => {
      last = await health(x);
      return last.status === 200 ? true : undefined;
    },
    { what: '/healthz 200', timeoutMs: WAIT_MS },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last /healthz: ${JSON.stringify(last)}`);
  });
}

async function expectLines(x: LiveExporter, want: number): Promise<void> {
  let got = -1;
  await pollUntil(
    async () => {
      got = linesTotal(await (await fetch(`${x.url}/metrics`)).text());
      return got === want ? true : undefined;
    },
    { what: `lines_total = ${want}`, timeoutMs: WAIT_MS },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (got ${got})`);
  });
  // and no more arrive later (nothing read twice)
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(linesTotal(await (await fetch(`${x.url}/metrics`)).text()), want, 'no line counted twice');
}

async function expectCounterAtLeast(x: LiveExporter, name: string, labels: Record<string, string>, min: number): Promise<number> {
  const key = seriesKey(name, labels);
  let got: number | undefined;
  await pollUntil(
    async () => {
      got = (await scrape(x)).get(key);
      return got !== undefined && got >= min ? got : undefined;
    },
    { what: `${key} >= ${min}`, timeoutMs: WAIT_MS },
  ).catch((err: Error) => {
    throw new Error(`${err.message} (got ${got})`);
  });
  return got!;
}

async function expectStderr(x: LiveExporter, what: string, ...parts: Array<string | RegExp>): Promise<void> {
  await pollUntil(
    () => {
      const err = x.stderr();
      return err.split('\n').some((line) => parts.every((p) => (typeof p === 'string' ? line.includes(p) : p.test(line)))) ? true : undefined;
    },
    { what: `a stderr line ${what}`, timeoutMs: WAIT_MS },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; stderr so far:\n${x.stderr().slice(-3000)}`);
  });
}

function readErrors(path: string): [string, Record<string, string>] {
  return ['qmail_exporter_log_read_errors_total', { path }];
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755); // reachable by 'nobody' in the permission case
  return dir;
}

async function withExporter(
  t: TestContext,
  prefix: string,
  body: (dir: string, run: (args: string[], opts?: { uid?: number; gid?: number }) => Promise<LiveExporter>) => Promise<void>,
): Promise<void> {
  const dir = tempDir(prefix);
  const running: LiveExporter[] = [];
  try {
    await body(dir, async (args, opts) => {
      const x = await start(args, opts);
      running.push(x);
      return x;
    });
  } catch (err) {
    for (const x of running) t.diagnostic(`exporter stderr (tail):\n${x.stderr().slice(-2000)}`);
    throw err;
  } finally {
    for (const x of running) await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the log path is a FIFO: refused without blocking, reported, and followed once a regular file replaces it', { timeout: 90_000 }, async (t) => {
  await withExporter(t, 'qx-hostile-fifo-', async (dir, run) => {
    const log = join(dir, 'maillog');
    const mk = spawnSync('mkfifo', [log]);
    assert.equal(mk.status, 0, `mkfifo: ${mk.stderr}`);
    const x = await run([`--qmail.log-path=${log}`, '--qmail.read-from-start']);
    await expectStderr(x, 'naming the FIFO', log, /FIFO/);
    await expectCounterAtLeast(x, ...readErrors(log), 1);
    await expectUnhealthy(x, log, /FIFO/);

    unlinkSync(log);
    writeFileSync(log, lines(3));
    await expectHealthy(x);
    await expectLines(x, 3);
  });
});

test('the log path is a directory (not a multilog one): reported, and followed once a file replaces it', { timeout: 90_000 }, async (t) => {
  await withExporter(t, 'qx-hostile-dir-', async (dir, run) => {
    const log = join(dir, 'maillog');
    mkdirSync(log);
    const x = await run([`--qmail.log-path=${log}`, '--qmail.read-from-start']);
    await expectStderr(x, 'naming the directory', log, /directory/);
    await expectCounterAtLeast(x, ...readErrors(log), 1);
    await expectUnhealthy(x, log, /directory/);

    rmdirSync(log);
    writeFileSync(log, lines(4));
    await expectHealthy(x);
    await expectLines(x, 4);
  });
});

test('the log path is a symlink swapped to another file, then to nothing, then to a file again', { timeout: 90_000 }, async (t) => {
  await withExporter(t, 'qx-hostile-link-', async (dir, run) => {
    const log = join(dir, 'maillog');
    const a = join(dir, 'maillog.a');
    const b = join(dir, 'maillog.b');
    const c = join(dir, 'maillog.c');
    const swapTo = (target: string): void => {
      const tmp = join(dir, 'maillog.swap');
      symlinkSync(target, tmp);
      renameSync(tmp, log); // atomic, as `ln -sfn` is not
    };
    writeFileSync(a, lines(2));
    symlinkSync(a, log);
    const x = await run([`--qmail.log-path=${log}`, '--qmail.read-from-start']);
    await expectLines(x, 2);
    await expectHealthy(x);

    appendFileSync(a, lines(1));
    writeFileSync(b, lines(3));
    swapTo(b);
    // A swap is a rotation: the old file is finished, the new one read from its start, nothing twice.
    await expectLines(x, 6);
    await expectCounterAtLeast(x, 'qmail_exporter_log_rotations_total', { path: log, kind: 'renamed' }, 1);
    await expectStderr(x, 'about the rotation', log, /rotated/);
    assert.equal((await health(x)).status, 200, 'a swapped symlink is a rotation, not a failure');
    appendFileSync(b, lines(1));
    await expectLines(x, 7);

    // Dangling: the file is missing; past the grace (1 s) the exporter is unhealthy.
    swapTo(c);
    await expectStderr(x, 'about the missing file', log, /missing/);
    await expectUnhealthy(x, log, /missing/);
    const present = (await scrape(x)).get(seriesKey('qmail_exporter_log_file_present', { path: log }));
    assert.equal(present, 0);

    writeFileSync(c, lines(2));
    await expectHealthy(x);
    await expectLines(x, 9);
  });
});


test('permissions removed mid-run: the open file stays readable, a rotated-in file that cannot be opened is reported until it can', { timeout: 120_000 }, async (t) => {
  const cannot = whyNobodyCannotRunExporter();
  if (cannot !== null) {
    const why = `permission case: root reads files whatever their mode and ${cannot}; an unreadable file is made as a directory at the log path instead`;
    t.diagnostic(why);
    console.log(why);
  }
  await withExporter(t, 'qx-hostile-perm-', async (dir, run) => {
    const log = join(dir, 'maillog');
    writeFileSync(log, lines(2), { mode: 0o644 });
    const x = await run([`--qmail.log-path=${log}`, '--qmail.read-from-start'], cannot === null ? { uid: NOBODY, gid: NOBODY } : {});
    await expectLines(x, 2);

    // Permissions are checked when a file is opened: the file the exporter holds open stays readable.
    chmodSync(log, 0o000);
    appendFileSync(log, lines(1));
    await expectLines(x, 3);
    assert.equal((await health(x)).status, 200);

    // Rotation brings a file the exporter cannot open.
    renameSync(log, `${log}.1`);
    if (cannot === null) {
      writeFileSync(log, lines(2), { mode: 0o000 });
      chmodSync(log, 0o000);
      await expectStderr(x, 'naming the unreadable file', log, /EACCES|permission denied/i);
      await expectCounterAtLeast(x, ...readErrors(log), 1);
      await expectUnhealthy(x, log, /EACCES|permission denied/i);
      chmodSync(log, 0o644);
    } else {
      mkdirSync(log);
      await expectStderr(x, 'naming the unreadable path', log, /directory/);
      await expectCounterAtLeast(x, ...readErrors(log), 1);
      await expectUnhealthy(x, log, /directory/);
      rmdirSync(log);
      writeFileSync(log, lines(2));
    }
    await expectHealthy(x);
    await expectLines(x, 5);
  });
});

/** Mounts a tmpfs of `size` at `dir` when this machine allows it. */
function mountTmpfs(dir: string, size: string): { ok: boolean; why: string } {
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? { ok: true, why: '' } : { ok: false, why: (r.stderr || r.error?.message || `exit ${r.status}`).trim() };
}

async function checkpointFailureCase(
  t: TestContext,
  label: string,
  setUp: (dir: string) => { storage: string; fix: () => void; cleanUp?: () => void },
): Promise<void> {
  await withExporter(t, `qx-hostile-ckpt-${label}-`, async (dir, run) => {
    const log = join(dir, 'maillog');
    writeFileSync(log, lines(200));
    const { storage, fix, cleanUp } = setUp(dir);
    try {
      await failThenRecover(await run([`--qmail.log-path=${log}`, '--qmail.read-from-start', `--storage.path=${storage}`, '--storage.interval=200ms']), log, storage, fix);
    } finally {
      cleanUp?.();
    }
  });
}

async function failThenRecover(x: LiveExporter, log: string, storage: string, fix: () => void): Promise<void> {
  await expectLines(x, 200);
  await expectCounterAtLeast(x, 'qmail_exporter_checkpoint_writes_total', { result: 'failure' }, 1);
  await expectStderr(x, 'about the failed checkpoint', /checkpoint/, storage);
  await expectUnhealthy(x, storage, /checkpoint/);

  fix();
  const before = (await scrape(x)).get(seriesKey('qmail_exporter_checkpoint_writes_total', { result: 'success' })) ?? 0;
  await expectCounterAtLeast(x, 'qmail_exporter_checkpoint_writes_total', { result: 'success' }, before + 1);
  await expectHealthy(x);
  appendFileSync(log, lines(3));
  await expectLines(x, 203);
}

test('checkpoint writes fail because the disk is full (a 4 KiB tmpfs), then succeed once there is room', { timeout: 90_000 }, async (t) => {
  const probe = tempDir('qx-hostile-mount-');
  const m = mountTmpfs(probe, '4k');
  if (m.ok) spawnSync('umount', [probe]);
  rmSync(probe, { recursive: true, force: true });
  if (!m.ok) {
    // The ENOTDIR case below covers the same behaviour; say plainly that this one could not run here.
    const why = `disk-full case: cannot mount a tmpfs here (${m.why}); the ENOTDIR case checks the same behaviour`;
    t.skip(why);
    return;
  }
  await checkpointFailureCase(t, 'enospc', (dir) => {
    const mountPoint = join(dir, 'small');
    mkdirSync(mountPoint);
    const r = mountTmpfs(mountPoint, '4k');
    assert.ok(r.ok, r.why);
    return {
      storage: join(mountPoint, 'state'),
      fix: () => {
        const re = spawnSync('mount', ['-o', 'remount,size=4m', mountPoint], { encoding: 'utf8' });
        assert.equal(re.status, 0, `remount: ${re.stderr}`);
      },
      cleanUp: () => void spawnSync('umount', ['-l', mountPoint]),
    };
  });
});

test('checkpoint writes fail because the storage path is under a file (ENOTDIR), then succeed once it is a directory', { timeout: 90_000 }, async (t) => {
  await checkpointFailureCase(t, 'enotdir', (dir) => {
    const blocker = join(dir, 'blocker');
    writeFileSync(blocker, 'not a directory\n');
    return { storage: join(blocker, 'state'), fix: () => unlinkSync(blocker) };
  });
});
