/**
 * docker-compose.yml, checked by the real docker-compose (Debian's 1.29, or $DOCKER_COMPOSE_BIN):
 * the file is valid with and without the demo profile, every host path it bind-mounts exists in
 * this repository (apart from the operator's mail log directory), and the services find the
 * files where the shipped configs expect them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './helpers/exporter-process.js';

const COMPOSE = process.env.DOCKER_COMPOSE_BIN ?? '/usr/bin/docker-compose';

interface ComposeConfig {
  services: Record<string, { volumes?: Array<string | { type: string; source: string; target: string }>; command?: string[]; profiles?: string[]; image?: string; build?: unknown }>;
}

const cache = new Map<string, ComposeConfig>();

/** `docker-compose [args] -f docker-compose.yml config`, asserting exit 0; parsed (each run costs ~2 s, so cached). */
function composeConfig(extraArgs: string[], env: Record<string, string> = {}): ComposeConfig {
  const key = JSON.stringify([extraArgs, env]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const cleanEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['QMAIL_LOG_DIR', 'QMAIL_LOG_FILE', 'QMAIL_LOG_GID', 'GRAFANA_ADMIN_PASSWORD', 'COMPOSE_PROFILES', 'COMPOSE_FILE']) delete cleanEnv[k];
  const r = spawnSync(COMPOSE, [...extraArgs, '-f', 'docker-compose.yml', 'config'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...cleanEnv, ...env },
    timeout: 60_000,
  });
  if (r.error) throw r.error;
  assert.equal(r.status, 0, `docker-compose ${extraArgs.join(' ')} config: ${r.stderr}`);
  const config = parse(r.stdout) as ComposeConfig;
  cache.set(key, config);
  return config;
}

/** [service, host path, container path] of every bind mount (named volumes left out). */
function bindMounts(config: ComposeConfig): Array<[string, string, string]> {
  const out: Array<[string, string, string]> = [];
  for (const [name, service] of Object.entries(config.services)) {
    for (const v of service.volumes ?? []) {
      if (typeof v === 'string') {
        const [source, target] = v.split(':');
        if (source !== undefined && target !== undefined && (isAbsolute(source) || source.startsWith('.'))) out.push([name, source, target]);
      } else if (v.type === 'bind') out.push([name, v.source, v.target]);
    }
  }
  return out;
}

const LOG_MOUNT = '/var/log/mail';

test('docker-compose config accepts the file, without and with the demo profile', () => {
  const plain = composeConfig([]);
  assert.deepEqual(Object.keys(plain.services).sort(), ['alertmanager', 'exporter', 'grafana', 'prometheus', 'qmail-exporter-demo']);
  assert.deepEqual(plain.services['qmail-exporter-demo']?.profiles, ['demo']);
  const demo = composeConfig(['--profile', 'demo']);
  assert.ok(demo.services['qmail-exporter-demo']?.command?.includes('--demo'));
});

const QUEUE_MOUNT = '/var/qmail/queue';

test('every bind-mounted host path exists in the repository, except the mail log and queue directories', () => {
  for (const args of [[], ['--profile', 'demo']]) {
    const mounts = bindMounts(composeConfig(args));
    assert.ok(mounts.length >= 6, `${mounts.length} bind mounts`);
    for (const [service, source, target] of mounts) {
      if (service === 'exporter' && (target === LOG_MOUNT || target === QUEUE_MOUNT)) continue;
      const inRepo = relative(REPO_ROOT, source);
      assert.ok(!inRepo.startsWith('..') && !isAbsolute(inRepo), `${service}: ${source} is outside the repository`);
      assert.ok(existsSync(source), `${service}: ${source} does not exist`);
    }
  }
});

test('the mail log directory comes from QMAIL_LOG_DIR and is mounted read-only', () => {
  const byDefault = bindMounts(composeConfig([])).find(([s, , t]) => s === 'exporter' && t === LOG_MOUNT);
  assert.equal(byDefault?.[1], '/var/log');
  const config = composeConfig([], { QMAIL_LOG_DIR: '/srv/mail/log', QMAIL_LOG_FILE: 'current' });
  const exporter = config.services.exporter!;
  assert.ok((exporter.volumes ?? []).includes('/srv/mail/log:/var/log/mail:ro'), JSON.stringify(exporter.volumes));
  assert.ok(exporter.command?.includes('--qmail.log-path=/var/log/mail/current'));
});

test('Prometheus gets the config, rules and targets where prometheus.yml expects them', () => {
  const mounts = bindMounts(composeConfig([])).filter(([s]) => s === 'prometheus');
  const targetOf = (file: string): string | undefined => mounts.find(([, src]) => src === `${REPO_ROOT}/${file}`)?.[2];
  assert.equal(targetOf('prometheus/prometheus.yml'), '/etc/prometheus/prometheus.yml');
  const promConfig = parse(readFileSync(`${REPO_ROOT}/prometheus/prometheus.yml`, 'utf8')) as { rule_files: string[] };
  for (const rel of promConfig.rule_files) {
    // rule files are relative to the config file's directory
    const dir = targetOf(`prometheus/${rel.split('/')[0]}`);
    assert.equal(dir, `/etc/prometheus/${rel.split('/')[0]}`, rel);
    assert.ok(existsSync(`${REPO_ROOT}/prometheus/${rel}`), rel);
  }
  const am = bindMounts(composeConfig([])).find(([s]) => s === 'alertmanager');
  assert.equal(am?.[1], `${REPO_ROOT}/prometheus/alertmanager.yml`);
});

test('the Dockerfile builds on node:20-slim, runs as a non-root user and exposes 9025', () => {
  const dockerfile = readFileSync(`${REPO_ROOT}/Dockerfile`, 'utf8');
  const froms = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
  assert.ok(froms.length > 0 && froms.every((f) => f === 'node:20-slim'), froms.join(', '));
  assert.match(dockerfile, /^RUN npm ci\b/m);
  assert.match(dockerfile, /^RUN npm run build$/m);
  const user = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]).at(-1);
  assert.ok(user !== undefined && user !== 'root' && user !== '0', `final USER ${user}`);
  assert.match(dockerfile, /^EXPOSE 9025$/m);
  assert.match(dockerfile, /^ENTRYPOINT \["node", "\/app\/dist\/cli\.js"\]$/m);
  // what the image copies must exist
  for (const m of dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)) for (const src of m[1]!.split(/\s+/)) assert.ok(existsSync(`${REPO_ROOT}/${src}`), src);
});

test('the image runs node with the same heap flags as the systemd unit', () => {
  const dockerfile = readFileSync(`${REPO_ROOT}/Dockerfile`, 'utf8');
  const unit = readFileSync(`${REPO_ROOT}/contrib/systemd/qmail_exporter.service`, 'utf8');
  const image = /^ENV NODE_OPTIONS="([^"]+)"$/m.exec(dockerfile)?.[1];
  const service = /^Environment="NODE_OPTIONS=([^"]+)"$/m.exec(unit)?.[1];
  assert.ok(image !== undefined && service !== undefined);
  assert.equal(image, service);
  assert.match(image, /--max-semi-space-size=4\b/);
});

test("the exporter reads qmail's queue read-only from QMAIL_QUEUE_DIR, in the queue's group", () => {
  const exporter = composeConfig([]).services.exporter!;
  assert.ok(exporter.command?.includes('--qmail.queue-path=/var/qmail/queue'));
  assert.ok((exporter.volumes ?? []).includes('/var/qmail/queue:/var/qmail/queue:ro'), JSON.stringify(exporter.volumes));
  const moved = composeConfig([], { QMAIL_QUEUE_DIR: '/srv/qmail/queue' }).services.exporter!;
  assert.ok((moved.volumes ?? []).includes('/srv/qmail/queue:/var/qmail/queue:ro'), JSON.stringify(moved.volumes));
});
