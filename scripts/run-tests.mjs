#!/usr/bin/env node
// Runs every test/**/*.test.ts under node:test with tsx. Node 20 neither finds .ts test files by
// itself nor expands globs, and a run that finds no file would still succeed: so list them here and
// fail when there are none. Extra arguments are passed to node (e.g. --test-name-pattern=chkuser).
//
// TEST_SUITE=unit (npm run test:unit) runs only the in-process tests of the pure and nearly pure
// rooms — the vocabulary, parsers, classifier, follower, line reader and metrics — and the import-graph
// test, which take
// seconds and need no promtool, prometheus or child exporter. TEST_FILES_MATCH=<substring> narrows
// either set further.
//
// Two phases: everything but the load test, two files at a time; then the load test alone, since
// it measures scrape latency and must not share the two cores with other heavy tests. The last
// line sums both phases: "N passed, N failed".
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const UNIT_FOLDERS = [...['events', 'parse', 'classify', 'follow', 'read', 'metrics'].map((d) => join('test', d) + '/'), join('test', 'architecture.test.ts')];

const filter = process.env.TEST_FILES_MATCH;
const suite = process.env.TEST_SUITE ?? 'all';
if (suite !== 'all' && suite !== 'unit') {
  console.error(`run-tests: TEST_SUITE must be 'all' or 'unit', not '${suite}'`);
  process.exit(2);
}
const files = find('test')
  .filter((f) => suite === 'all' || UNIT_FOLDERS.some((d) => f.startsWith(d)))
  .filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error('run-tests: no test files found under test/');
  process.exit(1);
}
const alone = (f) => f.startsWith(join('test', 'load'));
const phases = [
  { files: files.filter((f) => !alone(f)), concurrency: 2 },
  { files: files.filter(alone), concurrency: 1 },
].filter((p) => p.files.length > 0);

const tmp = mkdtempSync(join(tmpdir(), 'qx-tests-'));
let passed = 0;
let failed = 0;
let status = 0;
try {
  phases.forEach((phase, i) => {
    const tap = join(tmp, `phase-${i}.tap`);
    const args = [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${phase.concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...process.argv.slice(2),
      ...phase.files,
    ];
    // Syslog lines carry local time; golden files and expected times are written for UTC. Tests
    // that are about time zones start their own processes with the TZ they need.
    const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, TZ: 'UTC' } });
    if (r.status !== 0) status = r.status ?? 1;
    let text = '';
    try {
      text = readFileSync(tap, 'utf8');
    } catch {
      status ||= 1;
    }
    passed += Number(/^# pass (\d+)$/m.exec(text)?.[1] ?? 0);
    failed += Number(/^# fail (\d+)$/m.exec(text)?.[1] ?? 0);
  });
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
if (passed + failed === 0) {
  console.error('run-tests: no test ran');
  status ||= 1;
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status);
