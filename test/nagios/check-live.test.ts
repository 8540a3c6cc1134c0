/**
 * check_qmail_exporter and the standard check_http against real exporter processes on
 * 127.0.0.1: OK, WARNING, CRITICAL and UNKNOWN as Nagios sees them (exit status and status
 * line), rates over two runs, TLS and basic authentication, and every check of
 * nagios/qmail_exporter.cfg run as Nagios would run it.
 *
 * The plugin is compiled on its own (tsc, like `npm run build` does) into a temporary
 * QMAIL_EXPORTER_HOME and run through the shell wrapper nagios/check_qmail_exporter, so the test
 * also proves it needs nothing but its own files and node.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import bcrypt from 'bcryptjs';
import { REPO_ROOT, startExporter, type ExporterProcess } from '../helpers/exporter-process.js';
import { freePort, pollUntil } from '../helpers/ports.js';
import { runCheck } from '../../src/nagios/check.js';
import type { Truth } from '../../src/sim/truth.js';

const CHECK_HTTP = process.env.CHECK_HTTP_BIN ?? '/usr/lib/nagios/plugins/check_http';
const WRAPPER = join(REPO_ROOT, 'nagios', 'check_qmail_exporter');
const STATUS_LINE = /^QMAIL_EXPORTER (OK|WARNING|CRITICAL|UNKNOWN) - [^|\n]+( \| [^\n]+)?$/;
const CODES = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;

let dir = '';
let home = '';
let stateDir = '';
let truth: Truth;
let secondHalf = '';
let logFile = '';
let healthy: ExporterProcess; // follows the simulated log
let missing: ExporterProcess; // follows a file that does not exist (/healthz 503)
let secured: ExporterProcess; // TLS and basic auth
let downPort = 0;

interface Run {
  code: number | null;
  out: string;
}

/** The plugin as Nagios runs it: the shell wrapper, a fresh process, stdout and the exit status. */
function plugin(args: string[]): Run {
  const r = spawnSync('sh', [WRAPPER, ...args], { encoding: 'utf8', env: { ...process.env, QMAIL_EXPORTER_HOME: home }, timeout: 30_000 });
  return { code: r.status, out: r.stdout.trimEnd() };
}

function expectState(run: Run, state: keyof typeof CODES, text?: RegExp): void {
  assert.match(run.out, STATUS_LINE, run.out);
  assert.equal(run.out.split(' ')[1], state, run.out);
  assert.equal(run.code, CODES[state], run.out);
  if (text !== undefined) assert.match(run.out, text);
}

function sumTruth(name: string, match: (key: string) => boolean): number {
  let sum = 0;
  for (const [key, value] of Object.entries(truth.counters)) if (key.startsWith(`${name}{`) && match(key)) sum += value;
  return sum;
}

async function linesRead(exporter: ExporterProcess): Promise<number> {
  const text = await exporter.scrape();
  return [...text.matchAll(/^qmail_exporter_log_lines_total\{[^}]*\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qx-nagios-'));
  // the plugin, compiled alone
  home = join(dir, 'home');
  const tsc = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--module', 'NodeNext', '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--lib', 'ES2023', '--types', 'node', '--strict', '--skipLibCheck', '--rootDir', join(REPO_ROOT, 'src'), '--outDir', join(home, 'dist'), join(REPO_ROOT, 'src', 'nagios', 'check-qmail-exporter.ts')],
    { encoding: 'utf8', timeout: 60_000 },
  );
  assert.equal(tsc.status, 0, `${tsc.stdout}${tsc.stderr}`);
  copyFileSync(join(REPO_ROOT, 'package.json'), join(home, 'package.json'));
  stateDir = join(dir, 'state');

  // the simulated log: the first half now, the second half during the rate test
  const { writeSimulatedLog } = await import('../../src/sim/writer.js');
  const simFile = join(dir, 'simulated.log');
  truth = await writeSimulatedLog(simFile, { startTime: Math.floor(Date.now() / 1000) - 300, lines: 6000, profile: 'abuse', seed: 1 });
  const text = readFileSync(simFile, 'utf8');
  const cut = text.indexOf('\n', Math.floor(text.length / 2)) + 1;
  logFile = join(dir, 'maillog');
  writeFileSync(logFile, text.slice(0, cut));
  secondHalf = text.slice(cut);

  // TLS certificate and a basic-auth user for the secured exporter
  const openssl = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { encoding: 'utf8' });
  assert.equal(openssl.status, 0, openssl.stderr);
  writeFileSync(
    join(dir, 'web.yml'),
    `tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\nbasic_auth_users:\n  nagios: ${bcrypt.hashSync('s3cret', 4)}\n`,
  );

  // a queue laid out like qmail's: 23 messages in mess/0-22, one of them 2 days old, 4 in todo
  const queue = join(dir, 'queue');
  for (let n = 0; n < 23; n++) {
    mkdirSync(join(queue, 'mess', String(n)), { recursive: true });
    const f = join(queue, 'mess', String(n), String(700 + n));
    writeFileSync(f, 'x');
    if (n === 3) utimesSync(f, new Date(Date.now() - 2 * 86400_000), new Date(Date.now() - 2 * 86400_000));
  }
  mkdirSync(join(queue, 'todo'));
  for (let i = 0; i < 4; i++) writeFileSync(join(queue, 'todo', String(900 + i)), '');

  [healthy, missing, secured] = await Promise.all([
    startExporter({ logPaths: [logFile], args: [`--qmail.queue-path=${queue}`] }),
    startExporter({ logPaths: [join(dir, 'no-such-maillog')], args: ['--qmail.missing-grace=0s'] }),
    startExporter({ logPaths: [logFile], args: [`--web.config.file=${join(dir, 'web.yml')}`], readyPath: null }),
  ]);
  downPort = await freePort();
  await pollUntil(async () => ((await fetch(`${missing.url}/healthz`)).status === 503 ? true : undefined), { what: '/healthz 503 for a missing file' });
  await pollUntil(async () => ((await linesRead(healthy)) > 0 ? true : undefined), { what: 'first half read' });
});

after(async () => {
  await Promise.all([healthy?.stop(), missing?.stop(), secured?.stop()]);
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

test('the compiled plugin is only its own four files: no prom-client, nothing from the exporter', () => {
  assert.deepEqual(readdirSync(join(home, 'dist')), ['nagios']);
  assert.deepEqual(readdirSync(join(home, 'dist', 'nagios')).filter((f) => f.endsWith('.js')).sort(), ['check-qmail-exporter.js', 'check.js', 'exposition.js', 'range.js']);
  for (const f of ['check-qmail-exporter.js', 'check.js', 'exposition.js', 'range.js']) {
    const js = readFileSync(join(home, 'dist', 'nagios', f), 'utf8');
    for (const m of js.matchAll(/^import .* from '([^']+)';$/gm)) assert.match(m[1]!, /^(node:|\.\/)/, `${f} imports ${m[1]}`);
  }
  const r = plugin(['--version']);
  assert.equal(r.code, 3);
  assert.equal(r.out, `check_qmail_exporter ${(JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version}`);
});

test('rates: first run OK "first sample", then failures and relay refusals per minute from two scrapes', async () => {
  // In-process so that the clock can be moved: 2 minutes between the runs.
  const t0 = Date.now();
  const common = ['-H', '127.0.0.1', '-p', String(healthy.port), `--state-dir=${stateDir}`];
  const first = await runCheck([...common, '--mode=auth-failures'], { now: () => t0 });
  assert.equal(first.state, 'OK');
  assert.match(first.output, /^QMAIL_EXPORTER OK - first sample: (\d+) auth failures since the exporter started; the rate needs a second check \| auth_failures_total=(\d+)c;;;;$/);
  const before = Number(/auth_failures_total=(\d+)c/.exec(first.output)![1]);
  const firstRelay = await runCheck([...common, '--mode=relay-refusals'], { now: () => t0 });
  const relayBefore = Number(/relay_refusals_total=(\d+)c/.exec(firstRelay.output)![1]);

  writeFileSync(logFile, secondHalf, { flag: 'a' });
  await pollUntil(async () => ((await linesRead(healthy)) === truth.lines ? true : undefined), { what: 'whole log read' });

  const failures = sumTruth('qmail_auth_attempts_total', (k) => k.includes('result="failure"'));
  const refusals = sumTruth('qmail_smtp_recipients_total', (k) => k.includes('reason="relay_denied"'));
  assert.ok(failures > before && before > 0, `${before} then ${failures}`);
  const perMinute = (failures - before) / 2;
  const ok = await runCheck([...common, '--mode=auth-failures', '-w', String(Math.ceil(perMinute) + 1), '-c', String(Math.ceil(perMinute) + 2)], { now: () => t0 + 120_000 });
  assert.equal(ok.state, 'OK', ok.output);
  assert.match(ok.output, new RegExp(`^QMAIL_EXPORTER OK - ${Math.round(perMinute * 1000) / 1000} auth failures/min over the last 2m \\| auth_failures_per_minute=${Math.round(perMinute * 1000) / 1000};\\d+;\\d+;0; auth_failures_total=${failures}c;;;;$`));

  const relayPerMinute = (refusals - relayBefore) / 2;
  const critical = await runCheck([...common, '--mode=relay-refusals', '-w', '1', '-c', String(Math.floor(relayPerMinute) - 1)], { now: () => t0 + 120_000 });
  assert.equal(critical.state, 'CRITICAL', critical.output);
  assert.ok(critical.output.includes(`relay_refusals_total=${refusals}c`), critical.output);
  assert.ok(critical.output.includes(`${Math.round(relayPerMinute * 1000) / 1000} relay refusals/min`), critical.output);
  // the state file is keyed by host:port:mode
  assert.deepEqual(readdirSync(stateDir).sort(), [`127.0.0.1_${healthy.port}_auth-failures.json`, `127.0.0.1_${healthy.port}_relay-refusals.json`]);
});

test('health mode: OK on 200, CRITICAL on 503 naming the file, CRITICAL when nothing answers; -w/-c on the response time', () => {
  expectState(plugin(['-H', '127.0.0.1', '-p', String(healthy.port)]), 'OK', /healthy, following 1 file, answered in [\d.]+s \| time=[\d.]+s;;;0; files=1;;;0; files_missing=0;;;0;$/);
  expectState(plugin(['-H', '127.0.0.1', '-p', String(missing.port), '--mode=health']), 'CRITICAL', /unhealthy: .*no-such-maillog: missing for/);
  expectState(plugin(['-H', '127.0.0.1', '-p', String(downPort)]), 'CRITICAL', /no answer from http:\/\/127\.0\.0\.1:\d+\/healthz: connect ECONNREFUSED/);
  // any response time is > 0 s
  expectState(plugin(['-p', String(healthy.port), '-w', '0', '-c', '60']), 'WARNING', /time=[\d.]+s;0;60;0;/);
});

test('metric modes: UNKNOWN when the exporter does not answer', () => {
  for (const mode of ['auth-failures', 'relay-refusals', 'unrecognised']) {
    expectState(plugin(['-p', String(downPort), `--mode=${mode}`, `--state-dir=${stateDir}`]), 'UNKNOWN', /no answer from http:\/\/127\.0\.0\.1:\d+\/metrics/);
  }
  expectState(plugin(['-p', String(downPort), '--mode=leaderboard', '--board=auth_failure_ips']), 'UNKNOWN');
  // a server that is not qmail_exporter: its /healthz is JSON, not an exposition
  expectState(plugin(['-p', String(healthy.port), '--mode=auth-failures', '-u', '/healthz', `--state-dir=${stateDir}`]), 'UNKNOWN', /not qmail_exporter's metrics/);
});

test('leaderboard mode: OK, WARNING and CRITICAL on the top value, naming the account or IP', () => {
  const mismatches = truth.leaderboards.auth_user_sender_mismatches[truth.actors.hijackedUser]!;
  assert.ok(mismatches > 2);
  // the hijacker sends as other domains; a shared office's few same-domain sends are left out
  const args = ['-p', String(healthy.port), '--mode=leaderboard', '--board=auth_user_sender_mismatches', '--window=5m', '--where=reason=other_domain'];
  const names = new RegExp(`auth_user_sender_mismatches 5m: top user ${truth.actors.hijackedUser.replace(/\./g, '\\.')} = ${mismatches} \\| top=${mismatches};`);
  expectState(plugin([...args, '-w', String(mismatches), '-c', String(mismatches + 1)]), 'OK', names);
  expectState(plugin([...args, '-w', String(mismatches - 1), '-c', String(mismatches)]), 'WARNING', names);
  expectState(plugin([...args, '-w', '0', '-c', String(mismatches - 1)]), 'CRITICAL', names);
  // the password guesser tops the failure board
  expectState(plugin(['-p', String(healthy.port), '--mode=leaderboard', '--board=auth_failure_ips', '-w', '4']), 'WARNING', new RegExp(`top ip ${truth.actors.bruteForceIp.replace(/\./g, '\\.')} = ${truth.leaderboards.auth_failure_ips[truth.actors.bruteForceIp]}`));
  // a window the exporter does not have is a mistake in the command: UNKNOWN, naming the windows it has
  for (const window of ['7d', '7m']) {
    expectState(plugin(['-p', String(healthy.port), '--mode=leaderboard', '--board=relay_denied_ips', `--window=${window}`, '-w', '0']), 'UNKNOWN', new RegExp(`relay_denied_ips: the exporter has no window ${window} \\(its windows: 5m, 1h, 24h\\)`));
  }
});

test('sender-mismatch mode: the alert rule, CRITICAL for the account sending as another domain, naming it', () => {
  const mismatches = truth.leaderboards.auth_user_sender_mismatches[truth.actors.hijackedUser]!;
  const args = ['-p', String(healthy.port), '--mode=sender-mismatch'];
  const names = new RegExp(`5m: ${truth.actors.hijackedUser.replace(/\./g, '\\.')} = ${mismatches} as another domain;`);
  expectState(plugin([...args, '-c', String(mismatches)]), 'OK', names);
  expectState(plugin([...args, '-c', String(mismatches - 1)]), 'CRITICAL', names);
  // same_domain in an hour is judged by -w alone
  expectState(plugin([...args, '-c', String(mismatches), '-w', '@0:100000']), 'WARNING');
});

test('unrecognised mode: the share of lines, first since start, then since the last check', () => {
  const share = (100 * truth.lineResults.unrecognised) / truth.lines;
  const round = Math.round(share * 1000) / 1000;
  const args = ['-p', String(healthy.port), '--mode=unrecognised', `--state-dir=${stateDir}`];
  expectState(plugin([...args, '-w', '5', '-c', '20']), 'OK', new RegExp(`^QMAIL_EXPORTER OK - ${round}% of lines unrecognised \\(${truth.lineResults.unrecognised} of ${truth.lines} since the exporter started\\) \\| unrecognised=${round}%;5;20;0;100 lines=${truth.lines}c;;;; unrecognised_lines=${truth.lineResults.unrecognised}c;;;;$`));
  // nothing new since: the cumulative share again, said so
  expectState(plugin([...args, '-c', '@0:100']), 'CRITICAL', /since the exporter started/);
});

test('queue modes replace check_qmailq: the queue length or the oldest age against -w/-c; UNKNOWN without queue gauges', () => {
  const args = ['-p', String(healthy.port)];
  const line = /23 messages in queue, 4 not yet preprocessed, oldest 4[78](\.\d+)? h old \| queue=23;/;
  expectState(plugin([...args, '--mode=queue', '-w', '100', '-c', '1000']), 'OK', line);
  expectState(plugin([...args, '--mode=queue', '-w', '20', '-c', '1000']), 'WARNING', line);
  expectState(plugin([...args, '--mode=queue', '-w', '10', '-c', '20']), 'CRITICAL', line);
  expectState(plugin([...args, '--mode=queue-age', '-w', '86400', '-c', '259200']), 'WARNING', /oldest=17\d{4}(\.\d+)?s;86400;259200;0;/);
  // an exporter that does not read the queue
  expectState(plugin(['-p', String(missing.port), '--mode=queue', '-w', '10']), 'UNKNOWN', /--qmail\.queue-path/);
});

test('TLS and basic authentication: -S, --insecure, -a', () => {
  const base = ['-H', '127.0.0.1', '-p', String(secured.port)];
  expectState(plugin([...base, '-S', '--insecure', '-a', 'nagios:s3cret']), 'OK', /healthy/);
  expectState(plugin([...base, '-S', '-a', 'nagios:s3cret']), 'CRITICAL', /self.signed certificate|certificate/i);
  expectState(plugin([...base, '-S', '--insecure', '-a', 'nagios:wrong']), 'CRITICAL', /HTTP 401/);
  expectState(plugin([...base, '-S', '--insecure', '-a', 'nagios:wrong', '--mode=leaderboard', '--board=auth_failure_ips']), 'UNKNOWN', /HTTP 401/);
  expectState(plugin([...base, '-S', '--insecure', '-a', 'nagios:s3cret', '--mode=leaderboard', '--board=auth_failure_ips']), 'OK', new RegExp(`top ip ${truth.actors.bruteForceIp.replace(/\./g, '\\.')}`));
  expectState(plugin([...base, '-t', '1']), 'CRITICAL', /no answer|socket hang up|ECONNRESET/);
});

test('check_http, as nagios/qmail_exporter.cfg runs it: OK on 200, CRITICAL on 503 and when down', () => {
  const run = (port: number): Run => {
    const r = spawnSync(CHECK_HTTP, ['-H', '127.0.0.1', '-p', String(port), '-u', '/healthz', '-e', '200'], { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout.trim() };
  };
  const ok = run(healthy.port);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /^HTTP OK: Status line output matched "200" - \d+ bytes in [\d.]+ second response time \|time=/);
  const unhealthy = run(missing.port);
  assert.equal(unhealthy.code, 2, unhealthy.out);
  assert.match(unhealthy.out, /^HTTP CRITICAL - Invalid HTTP response received from host on port \d+: HTTP\/1\.1 503/);
  const down = run(downPort);
  assert.equal(down.code, 2, down.out);
  assert.match(down.out, /Connection refused/);
});

test('every service of nagios/qmail_exporter.cfg runs against a live exporter and answers in the plugin format', () => {
  const cfg = readFileSync(join(REPO_ROOT, 'nagios', 'qmail_exporter.cfg'), 'utf8');
  const blocks = [...cfg.matchAll(/define (\w+) \{([^}]*)\}/g)].map((m) => ({
    type: m[1]!,
    fields: Object.fromEntries([...m[2]!.matchAll(/^\s*(\w+)\s+(.+?)\s*$/gm)].map((f) => [f[1]!, f[2]!])),
  }));
  const commands = new Map(blocks.filter((b) => b.type === 'command').map((b) => [b.fields.command_name!, b.fields.command_line!]));
  const services = blocks.filter((b) => b.type === 'service');
  assert.ok(services.length >= 7, `${services.length} services`);
  for (const s of services) {
    const [name, ...args] = s.fields.check_command!.split('!');
    const line = commands.get(name!);
    assert.ok(line !== undefined, `${s.fields.service_description}: command ${name} is not defined`);
    const expanded = line!
      .replace(/\$USER1\$/g, '/usr/lib/nagios/plugins')
      .replace(/\$HOSTADDRESS\$/g, '127.0.0.1')
      .replace(/\$ARG(\d)\$/g, (_, n: string) => (n === '1' ? String(healthy.port) : (args[Number(n) - 1] ?? '')));
    assert.doesNotMatch(expanded, /\$\w+\$/, `${s.fields.service_description}: unexpanded macro`);
    const [program, ...argv] = expanded.split(/\s+/);
    const r =
      program === '/usr/lib/nagios/plugins/check_qmail_exporter'
        ? plugin([...argv, `--state-dir=${stateDir}`])
        : (({ status, stdout }) => ({ code: status, out: stdout.trim() }))(spawnSync(program!, argv, { encoding: 'utf8', timeout: 30_000 }));
    assert.ok(r.code === 0 || r.code === 1 || r.code === 2, `${s.fields.service_description}: exit ${r.code}: ${r.out}`);
    if (program!.endsWith('check_qmail_exporter')) assert.match(r.out, STATUS_LINE, s.fields.service_description);
  }
});

test('log text in the status line: CR, ESC and other control characters are stripped', async () => {
  const log = join(dir, 'hostile-users.log');
  // leaderboards go by the exporter's clock, so any date does
  const stamp = 'Nov 24 13:10:00';
  let text = '';
  // a user name carrying a terminal escape and a carriage return, failing 50 times
  for (let i = 0; i < 50; i++) text += `${stamp} mail vpopmail[${100 + i}]: vchkpw-smtp: password fail ev\u001b[2Jil\rOK - fake@example.com:192.0.2.77\n`;
  writeFileSync(log, text);
  const x = await startExporter({ logPaths: [log] });
  try {
    await pollUntil(async () => ((await linesRead(x)) >= 50 ? true : undefined), { what: 'the hostile lines read' });
    const run = plugin(['-p', String(x.port), '--mode=leaderboard', '--board=auth_failure_users', '--window=5m', '-w', '10']);
    expectState(run, 'WARNING', /top user ev\[2jil ok - fake@example\.com = 50/);
    assert.doesNotMatch(run.out, /[\u0000-\u001f\u007f]/, JSON.stringify(run.out));
  } finally {
    await x.stop();
  }
});

test('check_http, as nagios/qmail_exporter.cfg runs it, with the recommended TLS and basic auth: $ARG2$ "-S -a user:pass"', () => {
  const cfg = readFileSync(join(REPO_ROOT, 'nagios', 'qmail_exporter.cfg'), 'utf8');
  const line = /command_name\s+check_qmail_exporter_http\n\s+command_line\s+(.+)\n/.exec(cfg)![1]!;
  const run = (port: number, arg2: string): Run => {
    const expanded = line.replace('$USER1$', '/usr/lib/nagios/plugins').replace('$HOSTADDRESS$', '127.0.0.1').replace('$ARG1$', String(port)).replace('$ARG2$', arg2);
    const [program, ...argv] = expanded.trim().split(/\s+/);
    const r = spawnSync(program === '/usr/lib/nagios/plugins/check_http' ? CHECK_HTTP : program!, argv, { encoding: 'utf8', timeout: 30_000 });
    return { code: r.status, out: r.stdout.trim() };
  };
  const ok = run(secured.port, '-S -a nagios:s3cret');
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /^HTTP OK/);
  // without them the same command cannot pass (TLS spoken to, or a 401)
  assert.notEqual(run(secured.port, '').code, 0);
  assert.notEqual(run(secured.port, '-S -a nagios:wrong').code, 0);
});

test("the Docker image's HEALTHCHECK command: healthy over TLS with basic auth when told how, unhealthy otherwise", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const cmd = /HEALTHCHECK [^\n]*\\\n\s+CMD (.+)\n/.exec(dockerfile)![1]!.replace('/app/', `${home}/`);
  // Docker runs the shell form with /bin/sh -c; exit 0 healthy, 1 unhealthy.
  const check = (port: number, args: string): number | null =>
    spawnSync('/bin/sh', ['-c', cmd], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, QMAIL_EXPORTER_HEALTHCHECK_PORT: String(port), QMAIL_EXPORTER_HEALTHCHECK_ARGS: args },
    }).status;
  assert.equal(check(healthy.port, ''), 0);
  assert.equal(check(missing.port, ''), 1, 'a missing log is unhealthy');
  assert.equal(check(downPort, ''), 1, 'no answer is unhealthy');
  assert.equal(check(secured.port, '-S --insecure -a nagios:s3cret'), 0);
  assert.equal(check(secured.port, ''), 1);
  assert.equal(check(secured.port, '-S --insecure -a nagios:wrong'), 1);
});
