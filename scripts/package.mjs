#!/usr/bin/env node
/**
 * npm run package: writes release/ from a clean build.
 *
 *   release/qmail_exporter-VERSION.tgz          the npm tarball (npm pack): dist/, docs/, README,
 *                                               LICENSE, CHANGELOG, examples, contrib, rules, dashboards
 *   release/qmail_exporter-VERSION.mjs          the exporter as one file with its dependencies (esbuild),
 *                                               run with plain `node`
 *   release/qmail_exporter-VERSION-1.noarch.rpm for EL8/EL9 (rpmbuild): the bundle, the systemd units,
 *                                               /etc/sysconfig/qmail_exporter, rules and dashboards
 *
 * Needs the dev dependencies (TypeScript, esbuild) and rpmbuild (Debian/Ubuntu: apt-get install rpm).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const release = join(root, 'release');
const version = pkg.version;

function run(command, args, opts = {}) {
  process.stderr.write(`package: ${command} ${args.join(' ')}\n`);
  return execFileSync(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
}

function hasCommand(name) {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!hasCommand('rpmbuild')) {
  process.stderr.write('package: rpmbuild not found (Debian/Ubuntu: apt-get install rpm; EL: dnf install rpm-build)\n');
  process.exit(1);
}

rmSync(release, { recursive: true, force: true });
mkdirSync(release);

// 1. dist/ from scratch, so no file of a removed source ends up in the tarball
rmSync(join(root, 'dist'), { recursive: true, force: true });
run(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json']);

// 2. the npm tarball; its `prepare` (tsc) is skipped: dist/ was just built
const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', release]));
const tarball = join(release, packed[0].filename);

// 3. the single-file bundle
const { build } = await import('esbuild');
const bundle = join(release, `qmail_exporter-${version}.mjs`);
await build({
  entryPoints: [join(root, 'src', 'cli.ts')],
  outfile: bundle,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // the dependencies are CommonJS and require() node's modules; an ES module has no require of its own
  banner: { js: "import { createRequire as __qxCreateRequire } from 'node:module';\nconst require = __qxCreateRequire(import.meta.url);" },
  // src/version.ts reads package.json beside dist/; the bundle has none beside it
  define: { __QMAIL_EXPORTER_VERSION__: JSON.stringify(version) },
  legalComments: 'eof',
  logLevel: 'warning',
});
// esbuild keeps src/cli.ts's #! line; make it runnable as ./qmail_exporter-VERSION.mjs too
chmodSync(bundle, 0o755);
// the Nagios plugin as one file too, for the RPM (the tarball has it under dist/nagios/)
const plugin = join(release, '.check_qmail_exporter.mjs');
await build({
  entryPoints: [join(root, 'src', 'nagios', 'check-qmail-exporter.ts')],
  outfile: plugin,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  define: { __QMAIL_EXPORTER_VERSION__: JSON.stringify(version) },
  legalComments: 'eof',
  logLevel: 'warning',
});

// 4. the RPM
const top = join(release, '.rpmbuild');
const sources = join(top, 'SOURCES');
for (const d of ['SOURCES', 'SPECS', 'BUILD', 'RPMS', 'SRPMS', 'BUILDROOT']) mkdirSync(join(top, d), { recursive: true });
cpSync(bundle, join(sources, 'qmail_exporter.mjs'));
cpSync(plugin, join(sources, 'check_qmail_exporter.mjs'));
rmSync(plugin);
cpSync(join(root, 'nagios', 'qmail_exporter.cfg'), join(sources, 'nagios-qmail_exporter.cfg'));
for (const f of ['qmail_exporter.service', 'qmail_exporter@.service', 'qmail_exporter.sysconfig', 'sysconfig.remote']) cpSync(join(root, 'contrib', 'el', f), join(sources, f));
for (const f of ['LICENSE', 'CHANGELOG.md', 'README.md']) cpSync(join(root, f), join(sources, f));
const tar = (name, dir, files) => run('tar', ['-cf', join(sources, name), '--owner=0', '--group=0', '-C', dir, ...files]);
tar('docs.tar', join(root, 'docs'), readdirSync(join(root, 'docs')));
tar('prometheus-rules.tar', join(root, 'prometheus'), ['rules']);
tar('grafana-dashboards.tar', join(root, 'grafana'), ['dashboards']);
const date = new Date().toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+).*$/, '$1 $3 $2 $4');
const spec = readFileSync(join(root, 'contrib', 'el', 'qmail_exporter.spec'), 'utf8')
  .replaceAll('@VERSION@', version)
  .replaceAll('@HOMEPAGE@', pkg.homepage)
  .replaceAll('@DATE@', date);
writeFileSync(join(top, 'SPECS', 'qmail_exporter.spec'), spec);
run('rpmbuild', ['-bb', '--quiet', '--define', `_topdir ${top}`, join(top, 'SPECS', 'qmail_exporter.spec')], { stdio: ['ignore', 'ignore', 'inherit'] });
const rpmDir = join(top, 'RPMS', 'noarch');
for (const f of readdirSync(rpmDir)) cpSync(join(rpmDir, f), join(release, f));
rmSync(top, { recursive: true, force: true });

for (const f of readdirSync(release)) process.stdout.write(`${join('release', f)}\n`);
if (!existsSync(tarball)) throw new Error(`npm pack wrote no ${tarball}`);
