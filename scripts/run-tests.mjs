#!/usr/bin/env node
// Runs every test/**/*.test.ts under node:test with tsx. Node 20 neither finds .ts test files by
// itself nor expands globs, and a run that finds no file would still succeed: so list them here and
// fail when there are none. Extra arguments are passed to node (e.g. --test-name-pattern=chkuser).
import { readdirSync, statSync } from 'node:fs';
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

const filter = process.env.TEST_FILES_MATCH;
const files = find('test').filter((f) => !filter || f.includes(filter));
if (files.length === 0) {
  console.error('run-tests: no test files found under test/');
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...process.argv.slice(2), ...files];
// Syslog lines carry local time; golden files and expected times are written for UTC. Tests that
// are about time zones start their own processes with the TZ they need.
const r = spawnSync(process.execPath, args, { stdio: 'inherit', env: { ...process.env, TZ: 'UTC' } });
process.exit(r.status ?? 1);
