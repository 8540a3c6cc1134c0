/**
 * contrib/el: the RPM's units and /etc/sysconfig file. EL8 runs systemd 239, so the units may use
 * only directives 239 knows; systemd-analyze (of whatever systemd this machine has) checks them
 * for anything else, and the exporter's own flag parser checks the sysconfig file.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ENV_FLAG_NAMES, envNameFor, parseConfig } from '../../src/config.js';
import { REPO_ROOT } from '../helpers/exporter-process.js';

const EL = join(REPO_ROOT, 'contrib', 'el');
const UNITS = ['qmail_exporter.service', 'qmail_exporter@.service'];

/** Hardening directives newer than systemd 239 (the version that added each), per systemd's NEWS. */
const NEWER_THAN_239: Record<string, number> = {
  ProtectHostname: 242,
  RestrictSUIDSGID: 242,
  ProtectKernelLogs: 244,
  ProtectClock: 245,
  ProtectProc: 247,
  ProcSubset: 247,
  PrivateIPC: 248,
  RestrictFileSystems: 249,
};

function directives(text: string): Array<[string, string]> {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('['))
    .map((l) => {
      const eq = l.indexOf('=');
      return [l.slice(0, eq), l.slice(eq + 1)];
    });
}

test('the EL units use no directive that systemd 239 (EL8) does not know', () => {
  for (const unit of UNITS) {
    for (const [key] of directives(readFileSync(join(EL, unit), 'utf8'))) {
      assert.equal(NEWER_THAN_239[key], undefined, `${unit}: ${key} needs systemd ${NEWER_THAN_239[key]}`);
    }
  }
});

test('the EL unit reads /etc/sysconfig and runs the bundle the RPM installs', () => {
  const d = new Map(directives(readFileSync(join(EL, 'qmail_exporter.service'), 'utf8')));
  assert.equal(d.get('EnvironmentFile'), '-/etc/sysconfig/qmail_exporter');
  // the heap flags of the generic unit and the image (docs/benchmarks.md, for packagers)
  assert.equal(d.get('Environment'), '"NODE_OPTIONS=--max-old-space-size=128 --max-semi-space-size=4"');
  assert.match(d.get('ExecStart')!, /^\/usr\/bin\/node \/usr\/libexec\/qmail_exporter\/qmail_exporter\.mjs --storage\.path=\/var\/lib\/qmail_exporter \$ARGS$/);
  // log access is by ACL, not by a group (adm) that opens other logs too; qmail opens the queue
  assert.equal(d.get('SupplementaryGroups'), 'qmail');
  const spec = readFileSync(join(EL, 'qmail_exporter.spec'), 'utf8');
  assert.match(spec, /_libexecdir\}\/qmail_exporter\/qmail_exporter\.mjs/);
});

test('systemd-analyze verify finds nothing to say about the EL units (nor the generic ones)', (t) => {
  if (spawnSync('systemd-analyze', ['--version']).status !== 0) return t.skip('systemd-analyze not installed');
  if (spawnSync('test', ['-x', '/usr/bin/node']).status !== 0) return t.skip('no /usr/bin/node for ExecStart to point at');
  const dir = mkdtempSync(join(tmpdir(), 'qx-units-'));
  try {
    copyFileSync(join(EL, 'qmail_exporter.service'), join(dir, 'qmail_exporter.service'));
    // a template is verified through an instance of it
    copyFileSync(join(EL, 'qmail_exporter@.service'), join(dir, 'qmail_exporter@mail1.service'));
    // and the generic units of contrib/systemd (for the systemd of this machine)
    copyFileSync(join(REPO_ROOT, 'contrib', 'systemd', 'qmail_exporter.service'), join(dir, 'generic.service'));
    copyFileSync(join(REPO_ROOT, 'contrib', 'systemd', 'qmail_exporter@.service'), join(dir, 'generic@mail1.service'));
    for (const unit of ['qmail_exporter.service', 'qmail_exporter@mail1.service', 'generic.service', 'generic@mail1.service']) {
      const r = spawnSync('systemd-analyze', ['verify', '--man=no', join(dir, unit)], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', `${unit}: ${r.stderr}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sysconfig files name only real flags, and the exporter accepts them as they are', () => {
  const known = new Set(ENV_FLAG_NAMES.map(envNameFor));
  for (const f of ['qmail_exporter.sysconfig', 'sysconfig.remote']) {
    const text = readFileSync(join(EL, f), 'utf8');
    for (const m of text.matchAll(/^#?(QMAIL_EXPORTER_[A-Z_]+)=/gm)) assert.ok(known.has(m[1]!), `${f}: ${m[1]}`);
    const env: Record<string, string> = {};
    for (const m of text.matchAll(/^(QMAIL_EXPORTER_[A-Z_]+)=(.*)$/gm)) env[m[1]!] = m[2]!;
    const config = parseConfig(['--storage.path=/var/lib/qmail_exporter'], env);
    assert.deepEqual(config.warnings, [], f);
  }
  const main = parseConfig([], { QMAIL_EXPORTER_QMAIL_LOG_PATH: '/var/log/maillog' });
  assert.deepEqual(main.qmail.logPaths, ['/var/log/maillog']);
});
