/**
 * contrib/systemd: without systemd-analyze on the build machine, check what it would: known
 * sections and directives, the hardening the unit promises, and that the command line and the
 * environment file are accepted by the exporter's own flag parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENV_FLAG_NAMES, envNameFor, parseConfig } from '../../src/config.js';
import { REPO_ROOT } from '../helpers/exporter-process.js';

const UNIT = readFileSync(join(REPO_ROOT, 'contrib', 'systemd', 'qmail_exporter.service'), 'utf8');
const DEFAULTS = readFileSync(join(REPO_ROOT, 'contrib', 'systemd', 'qmail_exporter.default'), 'utf8');

const DIRECTIVES: Record<string, string[]> = {
  Unit: ['Description', 'Documentation', 'After', 'Wants'],
  Service: [
    'Type', 'User', 'Group', 'SupplementaryGroups', 'Environment', 'EnvironmentFile', 'ExecStart', 'Restart', 'RestartSec', 'KillSignal',
    'TimeoutStopSec', 'StateDirectory', 'StateDirectoryMode', 'UMask', 'NoNewPrivileges', 'ProtectSystem', 'ProtectHome',
    'PrivateTmp', 'PrivateDevices', 'ReadOnlyPaths', 'ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs',
    'ProtectControlGroups', 'ProtectClock', 'ProtectHostname', 'ProtectProc', 'RestrictAddressFamilies', 'RestrictNamespaces',
    'RestrictRealtime', 'RestrictSUIDSGID', 'LockPersonality', 'SystemCallArchitectures', 'CapabilityBoundingSet', 'AmbientCapabilities',
  ],
  Install: ['WantedBy'],
};

function parseUnit(text: string): Map<string, Map<string, string>> {
  const sections = new Map<string, Map<string, string>>();
  let current: Map<string, string> | null = null;
  for (const [i, raw] of text.split('\n').entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(\w+)\]$/.exec(line);
    if (section) {
      current = new Map();
      sections.set(section[1]!, current);
      continue;
    }
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    assert.ok(kv && current, `line ${i + 1} is not Key=value inside a section: ${raw}`);
    // EnvironmentFile= may be given more than once (each file is read, in order); nothing else is
    if (kv[1] === 'EnvironmentFile' && current.has(kv[1])) {
      current.set(kv[1], `${current.get(kv[1])} ${kv[2]!}`);
      continue;
    }
    assert.ok(!current.has(kv[1]!), `line ${i + 1}: ${kv[1]} repeated`);
    current.set(kv[1]!, kv[2]!);
  }
  return sections;
}

/** Uncommented VAR=value lines of the environment file. */
function envFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

test('the unit has only known sections and directives', () => {
  const unit = parseUnit(UNIT);
  assert.deepEqual([...unit.keys()], ['Unit', 'Service', 'Install']);
  for (const [name, keys] of unit) for (const k of keys.keys()) assert.ok(DIRECTIVES[name]!.includes(k), `[${name}] ${k}`);
});

test('the unit runs unprivileged, hardened, with its state directory as --storage.path', () => {
  const s = parseUnit(UNIT).get('Service')!;
  assert.equal(s.get('User'), 'qmail_exporter');
  assert.equal(s.get('SupplementaryGroups'), 'adm qmail');
  assert.equal(s.get('StateDirectory'), 'qmail_exporter');
  assert.match(s.get('ExecStart')!, / --storage\.path=\/var\/lib\/qmail_exporter /);
  for (const [k, v] of [['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['ProtectHome', 'yes'], ['PrivateTmp', 'yes'], ['ReadOnlyPaths', '/var/log -/var/qmail/queue'], ['CapabilityBoundingSet', '']] as const) {
    assert.equal(s.get(k), v, k);
  }
  assert.equal(s.get('EnvironmentFile'), '-/etc/default/qmail_exporter -/etc/sysconfig/qmail_exporter');
});

test('the command line and the environment file are accepted by the exporter', () => {
  const exec = parseUnit(UNIT).get('Service')!.get('ExecStart')!.split(/\s+/);
  assert.equal(exec[0], '/usr/bin/node');
  assert.match(exec[1]!, /\/dist\/cli\.js$/);
  const env = envFile(DEFAULTS);
  assert.equal(env.ARGS, '');
  const flags = exec.slice(2).filter((a) => a !== '$ARGS');
  const config = parseConfig(flags, env);
  assert.deepEqual(config.warnings, []);
  assert.deepEqual(config.qmail.logPaths, ['/var/log/maillog']);
  assert.equal(config.storage.path, '/var/lib/qmail_exporter');
  assert.equal(config.qmail.queuePath, '/var/qmail/queue');
});

test('every QMAIL_EXPORTER_ variable the environment file mentions, commented or not, is a flag', () => {
  const known = new Set(ENV_FLAG_NAMES.map(envNameFor));
  const named = [...DEFAULTS.matchAll(/^#?(QMAIL_EXPORTER_[A-Z_]+)=/gm)].map((m) => m[1]!);
  assert.ok(named.length >= 8);
  for (const n of named) assert.ok(known.has(n), n);
  // the commented examples parse too (the hash key is an example and long enough)
  const all: Record<string, string> = {};
  for (const m of DEFAULTS.matchAll(/^#?(QMAIL_EXPORTER_[A-Z_]+)=(.*)$/gm)) all[m[1]!] = m[2]!;
  parseConfig([], all);
});

/** The unit's NODE_OPTIONS (systemd takes a double-quoted Environment= value as one assignment). */
function unitNodeOptions(): string {
  const raw = parseUnit(UNIT).get('Service')!.get('Environment')!;
  const m = /^"?NODE_OPTIONS=([^"]*)"?$/.exec(raw);
  assert.ok(m, raw);
  return m[1]!;
}

test('the unit caps the V8 heap so garbage cannot grow RSS unbounded, and keeps the young generation small', () => {
  assert.equal(unitNodeOptions(), '--max-old-space-size=128 --max-semi-space-size=4');
});

test('node takes the unit\'s NODE_OPTIONS: old generation capped near 128 MB, young generation at 2 × 4 MB', () => {
  // Allocate enough surviving strings that V8 would grow its semi-spaces to 16 MB without the flag.
  const probe = `
    const v8 = require('node:v8');
    const keep = [];
    for (let i = 0; i < 3e6; i++) { const s = 'x'.repeat(20) + i; if (i % 100 === 0) keep.push(s); }
    const ns = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(JSON.stringify({ newSpace: ns.space_size, limit: v8.getHeapStatistics().heap_size_limit, kept: keep.length }));`;
  const run = (nodeOptions: string): { newSpace: number; limit: number } => {
    const r = spawnSync(process.execPath, ['-e', probe], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: nodeOptions }, timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout) as { newSpace: number; limit: number };
  };
  const MiB = 1024 * 1024;
  const unit = run(unitNodeOptions());
  assert.equal(unit.newSpace, 8 * MiB);
  assert.ok(unit.limit > 128 * MiB && unit.limit < 160 * MiB, `heap limit ${unit.limit / MiB} MiB`);
  // the same probe without the flags grows past it: the flag is what keeps it small
  assert.ok(run('').newSpace > 8 * MiB);
});
