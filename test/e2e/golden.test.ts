/**
 * Golden exposition: every real log fixture, read in name order through `report --format=prometheus`,
 * must give exactly test/fixtures/golden/real-lines.prom, and that file must pass
 * `promtool check metrics`. UPDATE_GOLDEN=1 rewrites it (then read the diff).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { runReport } from '../../src/commands/report.js';
import { filesUnder } from '../helpers/files.js';

const root = new URL('../fixtures/', import.meta.url).pathname;
const golden = join(root, 'golden', 'real-lines.prom');


/** The build line names the version and Node.js; neither belongs in a golden file. */
function normalise(text: string): string {
  return text.replace(/^qmail_exporter_build_info\{[^}]*\} 1$/m, 'qmail_exporter_build_info{version="X",nodejs="X"} 1');
}

test('report --format=prometheus over the real fixtures equals the golden file', async () => {
  const files = filesUnder(join(root, 'logs'), '.log');
  assert.ok(files.length >= 10, `${files.length} fixture files`);
  // A fixed reference time: syslog lines without a year land in the same year on every run.
  const text = normalise(await runReport({ files, format: 'prometheus', nowSeconds: Date.UTC(2026, 10, 25) / 1000 }));
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
  assert.equal(text, readFileSync(golden, 'utf8'));
});

test('the golden file passes promtool check metrics', () => {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: readFileSync(golden), encoding: 'utf8' });
  assert.equal(r.error, undefined, 'promtool must be installed');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal((r.stdout + r.stderr).trim(), '');
});
