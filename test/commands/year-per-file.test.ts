/**
 * One year per file, through the commands: a year-old week of log (splogger-stamped qmail lines,
 * unstamped vpopmail and dovecot lines) in a file whose name carries no date, or on standard input,
 * gives every event within that week, and its backfill stays small; a December→January file without
 * stamps crosses into the new year; a history that would jump absurdly is refused before it is written.
 * The lines are the real shapes of the fixtures (fail2ban's splogger qmail line, ossec's vpopmail
 * lines, dovecot's login summary), re-timed into one week of November 2025.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runClassify } from '../../src/commands/classify.js';
import { runBackfill } from '../../src/commands/backfill.js';

const cli = join(import.meta.dirname, '../../src/cli.ts');
const utc = (y: number, m: number, d: number, h = 0, mi = 0, s = 0): number => Date.UTC(y, m - 1, d, h, mi, s) / 1000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEK_START = utc(2025, 11, 10);
const WEEK_END = utc(2025, 11, 17);
const READ_AT = utc(2026, 12, 2, 12); // a year later

function syslogStamp(t: number): string {
  const d = new Date(t * 1000);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  const hms = d.toISOString().slice(11, 19);
  return `${MONTHS[d.getUTCMonth()]} ${day} ${hms}`;
}

/** A week, an unstamped line first: dovecot and vpopmail without stamps, qmail through splogger. */
function yearOldWeek(): string[] {
  const lines: string[] = [];
  let msg = 161214;
  for (let t = WEEK_START + 60; t < WEEK_END - 3600; t += 1800) {
    lines.push(`${syslogStamp(t)} mail dovecot: imap-login: Disconnected (auth failed, 1 attempts): user=<info>, method=PLAIN, rip=198.51.100.87, lip=192.0.2.10, TLS`);
    lines.push(`${syslogStamp(t + 1)} mail qmail: ${t + 1}.123136 new msg ${msg}`);
    lines.push(`${syslogStamp(t + 2)} mail vpopmail[939]: vchkpw-pop3: password fail info@example.com:198.51.100.198`);
    lines.push(`${syslogStamp(t + 3)} mail qmail: ${t + 3}.374332 end msg ${msg}`);
    msg++;
  }
  return lines;
}

function times(objects: Array<Record<string, unknown>>): number[] {
  return objects.map((o) => o.time).filter((t): t is number => typeof t === 'number');
}

async function classifyFile(path: string, nowSeconds: number): Promise<Array<Record<string, unknown>>> {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  await runClassify({ files: [path], nowSeconds, out });
  return text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function withDir(fn: (dir: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qx-year-'));
    try {
      await fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'a year-old week in a file without a date in its name: every event within that week',
  withDir(async (dir) => {
    const f = join(dir, 'plain.log');
    const week = yearOldWeek();
    writeFileSync(f, week.join('\n') + '\n');
    utimesSync(f, READ_AT, READ_AT); // copied today: the mtime says nothing about the lines
    const objects = await classifyFile(f, READ_AT);
    assert.equal(objects.length, week.length);
    const ts = times(objects);
    assert.equal(ts.length, week.length, 'every line has a time');
    for (const t of ts) assert.ok(t >= WEEK_START && t <= WEEK_END, `time ${new Date(t * 1000).toISOString()} outside the week`);
  }),
);

test('the same week on standard input: every event within that week', () => {
  const week = yearOldWeek();
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'classify', '-'], {
    input: week.join('\n') + '\n',
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  assert.equal(r.status, 0, r.stderr);
  const ts = times(r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>));
  assert.equal(ts.length, week.length);
  for (const t of ts) assert.ok(t >= WEEK_START && t <= WEEK_END, `time ${new Date(t * 1000).toISOString()} outside the week`);
});

test(
  'December to January in an undated file without stamps: the new year starts at midnight',
  withDir(async (dir) => {
    const f = join(dir, 'maillog');
    writeFileSync(
      f,
      [
        'Dec 31 23:59:58 mail vpopmail[939]: vchkpw-pop3: password fail info@example.com:198.51.100.198',
        'Jan  1 00:00:03 mail vpopmail[940]: vchkpw-pop3: password fail info@example.com:198.51.100.198',
        'Jan  1 08:00:00 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts): user=<info>, method=PLAIN, rip=198.51.100.87, lip=192.0.2.10, TLS',
      ].join('\n') + '\n',
    );
    const rotated = utc(2026, 1, 2, 6);
    utimesSync(f, rotated, rotated);
    const ts = times(await classifyFile(f, READ_AT));
    assert.deepEqual(ts, [utc(2025, 12, 31, 23, 59, 58), utc(2026, 1, 1, 0, 0, 3), utc(2026, 1, 1, 8)]);
  }),
);

test(
  "the year-old week's backfill stays small: one week of samples",
  withDir(async (dir) => {
    const f = join(dir, 'plain.log');
    writeFileSync(f, yearOldWeek().join('\n') + '\n');
    utimesSync(f, READ_AT, READ_AT);
    const output = join(dir, 'out.om');
    const summary = await runBackfill({ files: [f], output, step: '60s', labels: [], listenerMap: {}, nowSeconds: READ_AT });
    assert.ok(summary.firstSampleMs >= WEEK_START * 1000 && summary.lastSampleMs <= (WEEK_END + 60) * 1000, 'samples within the week');
    assert.ok(summary.steps <= 7 * 1440 + 1, `steps ${summary.steps}`);
    assert.equal(statSync(output).size, summary.bytes);
  }),
);

test(
  'backfill refuses a history that jumps a year after a few lines (exit 2), and writes nothing',
  withDir((dir) => {
    const f = join(dir, 'plain.log');
    // the first lines of the week, then a stamped line a year later: the shape the year bug made
    const lines = yearOldWeek().slice(0, 40);
    lines.push(`Nov 12 08:00:00 mail qmail: ${utc(2026, 11, 12, 8)}.000001 new msg 999`);
    writeFileSync(f, lines.join('\n') + '\n');
    const output = join(dir, 'out.om');
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'backfill', '--step=60s', `--output=${output}`, f], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /would stretch the history .* over 36\d days/);
    assert.throws(() => statSync(output), /ENOENT/);
  }),
);
