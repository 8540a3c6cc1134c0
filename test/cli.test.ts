/**
 * The command line as a user meets it: a real process, its exit status and its messages.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli } from './helpers/exporter-process.js';

const cli = (args: string[], input?: string) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { encoding: 'utf8', input, timeout: 30_000 });

test('--help and --version answer and exit 0', () => {
  const help = cli(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--qmail\.log-path/);
  assert.match(help.stdout, /--web\.listen-address/);
  const version = cli(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^qmail_exporter \d+\.\d+\.\d+/);
  for (const sub of ['report', 'classify', 'backfill']) assert.equal(cli([sub, '--help']).status, 0, sub);
});

test('--help names the subcommands, and COMMAND --help shows that command\'s own flags', () => {
  const help = cli(['--help']).stdout;
  for (const sub of ['classify', 'report', 'backfill']) assert.match(help, new RegExp(`^  ${sub} `, 'm'), sub);
  const wants: Record<string, RegExp[]> = {
    classify: [/^usage: qmail_exporter classify/, /--qmail\.listener-map=TAG=NAME/],
    report: [/^usage: qmail_exporter report/, /--format=FORMAT/, /--top=N/, /default: text/],
    backfill: [/^usage: qmail_exporter backfill/, /-o, --output=FILE/, /--step=DURATION/, /--label=NAME=VALUE/],
  };
  for (const [sub, patterns] of Object.entries(wants)) {
    for (const flag of ['--help', '-h']) {
      const r = cli([sub, flag]);
      assert.equal(r.status, 0, `${sub} ${flag}: ${r.stderr}`);
      for (const p of patterns) assert.match(r.stdout, p, `${sub} ${flag}`);
      assert.doesNotMatch(r.stdout, /--web\.listen-address/, 'only the command\'s own flags');
    }
  }
});

test('an unknown flag of a subcommand gets our own message naming the command and the flag, exit 2', () => {
  for (const [args, message] of [
    [['report', '--bogus'], "qmail_exporter report: unknown flag --bogus\nTry 'qmail_exporter report --help'.\n"],
    [['classify', '--web.listen-address=:1'], "qmail_exporter classify: unknown flag --web.listen-address\nTry 'qmail_exporter classify --help'.\n"],
    [['backfill', '--output'], "qmail_exporter backfill: --output needs a value (--output=FILE)\nTry 'qmail_exporter backfill --help'.\n"],
    [['report', '--top=0'], "qmail_exporter report: --top: expected a whole number from 1 to 1000 (got \"0\")\nTry 'qmail_exporter report --help'.\n"],
    [['reprot'], "qmail_exporter: unknown command 'reprot' (commands: classify, report, backfill; flags start with --)\nTry 'qmail_exporter --help'.\n"],
  ] as const) {
    const r = cli([...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr, message);
    assert.doesNotMatch(r.stderr, /Unknown option|ERR_PARSE_ARGS/, 'not the raw parseArgs wording');
  }
});

test('a bad flag or value exits 2 with a message naming it', () => {
  for (const [args, pattern] of [
    [['--bogus'], /--bogus/],
    [['--web.listen-address=nope'], /--web\.listen-address/],
    [['--log.level=loud'], /--log\.level/],
    [['report', '--format=xml'], /--format/],
    [['backfill', '--step=10x', 'x'], /step/],
  ] as const) {
    const r = cli([...args]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace for a usage error');
  }
  const env = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts'], {
    encoding: 'utf8',
    env: { ...process.env, QMAIL_EXPORTER_WEB_LISTEN_ADDRESS: 'nope' },
  });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /QMAIL_EXPORTER_WEB_LISTEN_ADDRESS|--web\.listen-address/);
});

test('a missing or unreadable input gives a clear message and exit 1, never a stack trace', () => {
  for (const args of [['report', '/nonexistent/maillog'], ['classify', '/etc']]) {
    const r = cli(args);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /^qmail_exporter: (ENOENT|EISDIR)/);
    assert.match(r.stderr, args[1] === '/etc' ? /\/etc/ : /nonexistent/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
});

test('garbage bytes, invalid UTF-8, NUL and a 1 MB line are counted, and valid lines around them are not lost', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-cli-'));
  try {
    const f = join(dir, 'maillog');
    writeFileSync(
      f,
      Buffer.concat([
        Buffer.from('Nov 24 13:10:00 mail qmail: 1764000000.000001 new msg 1\n'),
        Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x0a]),
        Buffer.alloc(1024 * 1024, 0x3c),
        Buffer.from('\nNov 24 13:10:01 mail qmail: 1764000001.000001 new msg 2\nhalf a line wi'),
      ]),
    );
    const r = cli(['report', '--format=json', f]);
    assert.equal(r.status, 0, r.stderr);
    const data = JSON.parse(r.stdout) as { lines: Record<string, number> };
    assert.deepEqual(data.lines, { counted: 2, ignored: 0, unrecognised: 3, foreign: 0 });
    const prom = cli(['report', '--format=prometheus', f]);
    assert.match(prom.stdout, /^qmail_queue_messages_total 2$/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('report and classify read standard input', () => {
  const input = 'Nov 24 13:10:00 mail qmail: 1764000000.000001 new msg 1\nNov 24 13:10:00 mail sshd[3]: Accepted publickey\n';
  const r = cli(['classify', '-'], input);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(
    r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event),
    ['queue.new', 'foreign'],
  );
});

test('--demo: a newcomer sees the hijacked account, the relay bots and the password guesser within seconds', { timeout: 60_000 }, async () => {
  const demo = spawnCli(['--demo']);
  try {
    const url = await demo.url;
    const deadline = Date.now() + 30_000;
    let text = '';
    for (;;) {
      text = await (await fetch(`${url}/metrics`)).text();
      const moved = [
        /qmail_leaderboard_auth_user_sender_mismatches\{window="5m",user="[^"]+",reason="other_domain"\} [1-9]/,
        /qmail_leaderboard_auth_failure_ips\{window="5m",ip="[^"]+"\} [1-9]/,
        // who is sending: the website's uid, the open relay, the aliased pair, a relay refused with a user named
        /qmail_leaderboard_local_injection_uids\{window="5m",uid="48",user="apache"\} [1-9]/,
        /qmail_leaderboard_no_auth_relay_ips\{window="5m",ip="198\.51\.100\.77",source="untrusted"\} [1-9]/,
        /qmail_smtp_recipients_total\{listener="submission",case="sent_auth_same_user",reason="alias"\} [1-9]/,
        /qmail_smtp_recipients_total\{listener="smtp",case="rejected_auth_failed",reason="relay_denied"\} [1-9]/,
      ];
      if (moved.every((re) => re.test(text))) break;
      if (Date.now() > deadline) assert.fail(`the demo's leaderboards did not fill:\n${text.split('\n').filter((l) => l.startsWith('qmail_leaderboard')).join('\n')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(text, /qmail_smtp_recipients_total\{listener="[^"]+",case="rejected_no_auth",reason="relay_denied"\} [1-9]/);
    assert.match(text, /qmail_smtp_recipients_total\{listener="[^"]+",case="sent_auth_different_user",reason="other_domain"\} [1-9]/);
    // the demo passes its own queue directory: the queue gauges are there
    assert.match(text, /^qmail_queue_length \d+$/m);
    assert.match(text, /^qmail_queue_oldest_message_age_seconds [\d.e+]+$/m);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    const landing = await (await fetch(`${url}/`)).text();
    assert.match(landing, /maillog/);
    // stopped once fully started, so the shutdown below is the ordinary one
    while (!/msg=following/.test(demo.stderr())) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await demo.stop();
  }
  // The simulated host wrote in a temporary directory of its own; it is gone after SIGTERM.
  const dir = /msg="?demo: [^\n]*? dir=(\S+)/.exec(demo.stderr())?.[1];
  assert.ok(dir !== undefined, `the demo names its directory:\n${demo.stderr()}`);
  assert.equal(existsSync(dir.replace(/^"|"$/g, '')), false, `${dir} left behind:\n${demo.stderr()}`);
});
