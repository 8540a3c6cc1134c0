/**
 * `npm run package`, built once, then each artefact used the way an operator would: the npm
 * tarball installed with --omit=dev into an empty folder (no TypeScript pulled in), the single-file
 * bundle run with plain node on the demo, and the RPM read by rpm itself (files, requirements,
 * scriptlets). Slow (a full build, npm pack, esbuild, rpmbuild, npm install): one file, one build.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { REPO_ROOT, startExporter } from '../helpers/exporter-process.js';

const execFileAsync = promisify(execFile);
const haveRpmbuild = spawnSync('rpmbuild', ['--version']).status === 0;
const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const release = join(REPO_ROOT, 'release');

describe('npm run package', { skip: !haveRpmbuild && 'rpmbuild not installed (Debian: apt-get install rpm)' }, () => {
  let files: string[] = [];
  before(async () => {
    await execFileAsync('npm', ['run', '--silent', 'package'], { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 300_000 });
    files = readdirSync(release).sort();
  });

  test('writes the tarball, the bundle and the noarch RPM into release/', () => {
    assert.deepEqual(files, [`qmail_exporter-${version}-1.noarch.rpm`, `qmail_exporter-${version}.mjs`, `qmail_exporter-${version}.tgz`]);
  });

  test('the tarball holds LICENSE, README, CHANGELOG, docs/, dist/, examples and the units', () => {
    const listed = execFileSync('tar', ['-tzf', join(release, `qmail_exporter-${version}.tgz`)], { encoding: 'utf8' }).split('\n');
    for (const f of ['LICENSE', 'README.md', 'CHANGELOG.md', 'docs/install.md', 'docs/syslog.md', 'dist/cli.js', 'examples/web-config.yml', 'contrib/systemd/qmail_exporter.service', 'contrib/el/qmail_exporter.service', 'prometheus/rules/qmail.alerts.yml', 'grafana/dashboards/qmail-overview.json']) {
      assert.ok(listed.includes(`package/${f}`), f);
    }
    assert.ok(!listed.some((f) => f.startsWith('package/src/') || f.startsWith('package/test/')), 'sources and tests stay out');
  });

  test('the tarball installs with --omit=dev into an empty folder, without TypeScript, and runs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qx-install-'));
    try {
      // the registry gives the runtime dependencies (from npm's cache when it has them)
      await execFileAsync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', join(release, `qmail_exporter-${version}.tgz`)], { cwd: dir, timeout: 240_000 });
      const modules = join(dir, 'node_modules');
      assert.ok(existsSync(join(modules, 'qmail_exporter', 'dist', 'cli.js')));
      for (const dev of ['typescript', 'tsx', 'esbuild', '@types/node']) assert.ok(!existsSync(join(modules, dev)), `${dev} was installed`);
      const { stdout } = await execFileAsync(join(modules, '.bin', 'qmail_exporter'), ['--version'], { cwd: dir });
      assert.match(stdout, new RegExp(`^qmail_exporter ${version.replace(/\./g, '\\.')} \\(node v\\d+`));
      const help = await execFileAsync(join(modules, '.bin', 'qmail_exporter'), ['--help'], { cwd: dir });
      assert.match(help.stdout, /--syslog\.listen-address/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the bundle runs with plain node: --version, and /metrics on the demo', async () => {
    const bundle = join(release, `qmail_exporter-${version}.mjs`);
    const { stdout } = await execFileAsync(process.execPath, [bundle, '--version']);
    assert.match(stdout, new RegExp(`^qmail_exporter ${version.replace(/\./g, '\\.')} `));
    // the subcommands are inlined too (cli.ts loads them with dynamic imports)
    const report = await execFileAsync(process.execPath, [bundle, 'report', '--format=json', join(REPO_ROOT, 'test', 'fixtures', 'logs', 'qmail-send', 'lwq.log')]);
    assert.ok((JSON.parse(report.stdout) as { lines: { counted: number } }).lines.counted > 0, report.stdout.slice(0, 300));
    // copied nowhere near node_modules: it must need nothing beside itself
    const alone = mkdtempSync(join(tmpdir(), 'qx-bundle-'));
    try {
      execFileSync('cp', [bundle, join(alone, 'qmail_exporter.mjs')]);
      const x = await startExporter({ logPaths: [], args: ['--demo'], entry: join(alone, 'qmail_exporter.mjs') });
      try {
        const text = await x.scrape();
        assert.match(text, /^qmail_exporter_log_lines_total\{result="counted"\} [1-9]/m);
        assert.match(text, new RegExp(`^qmail_exporter_build_info\\{version="${version.replace(/\./g, '\\.')}"`, 'm'));
      } finally {
        await x.stop();
      }
    } finally {
      rmSync(alone, { recursive: true, force: true });
    }
  });

  test('the RPM: the units, /etc/sysconfig, rules and dashboards; requires nodejs >= 20; %pre creates the user', () => {
    const rpm = join(release, `qmail_exporter-${version}-1.noarch.rpm`);
    const list = execFileSync('rpm', ['-qpl', rpm], { encoding: 'utf8' }).split('\n');
    for (const f of [
      '/usr/lib/systemd/system/qmail_exporter.service',
      '/usr/lib/systemd/system/qmail_exporter@.service',
      '/etc/sysconfig/qmail_exporter',
      '/usr/libexec/qmail_exporter/qmail_exporter.mjs',
      '/usr/bin/qmail_exporter',
      '/usr/bin/check_qmail_exporter',
      '/usr/libexec/qmail_exporter/check_qmail_exporter.mjs',
      '/usr/share/qmail_exporter/nagios/qmail_exporter.cfg',
      '/usr/share/qmail_exporter/prometheus/rules/qmail.alerts.yml',
      '/usr/share/qmail_exporter/grafana/dashboards/qmail-overview.json',
      '/usr/share/licenses/qmail_exporter/LICENSE',
      '/usr/share/doc/qmail_exporter/install.md',
    ]) {
      assert.ok(list.includes(f), f);
    }
    const requires = execFileSync('rpm', ['-qpR', rpm], { encoding: 'utf8' });
    assert.match(requires, /^nodejs >= 20$/m);
    assert.equal(execFileSync('rpm', ['-qp', '--qf', '%{ARCH}', rpm], { encoding: 'utf8' }), 'noarch');
    const scripts = execFileSync('rpm', ['-qp', '--scripts', rpm], { encoding: 'utf8' });
    assert.match(scripts, /preinstall scriptlet[^\n]*\n(?:.*\n)*?.*useradd -r -g qmail_exporter/);
    const config = execFileSync('rpm', ['-qpc', rpm], { encoding: 'utf8' });
    assert.match(config, /^\/etc\/sysconfig\/qmail_exporter$/m);
  });

  test("the RPM's payload runs: the exporter and the Nagios plugin", async (t) => {
    if (spawnSync('rpm2archive', ['--help']).status === null) return t.skip('rpm2archive not installed');
    const rpm = join(release, `qmail_exporter-${version}-1.noarch.rpm`);
    const root = mkdtempSync(join(tmpdir(), 'qx-rpm-'));
    try {
      execFileSync('sh', ['-c', `rpm2archive - < '${rpm}' | tar -xzf - -C '${root}'`]);
      const exporter = await execFileAsync(process.execPath, [join(root, 'usr/libexec/qmail_exporter/qmail_exporter.mjs'), '--version']);
      assert.match(exporter.stdout, new RegExp(`^qmail_exporter ${version.replace(/\./g, '\\.')} `));
      // plugin convention: --version prints and exits 3 (UNKNOWN)
      const plugin = spawnSync(process.execPath, [join(root, 'usr/libexec/qmail_exporter/check_qmail_exporter.mjs'), '--version'], { encoding: 'utf8' });
      assert.equal(plugin.stdout.trim(), `check_qmail_exporter ${version}`);
      assert.match(readFileSync(join(root, 'etc/sysconfig/qmail_exporter'), 'utf8'), /^QMAIL_EXPORTER_QMAIL_LOG_PATH=\/var\/log\/maillog$/m);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
