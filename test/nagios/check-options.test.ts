/** The plugin's argument handling and its agreement with the exporter's own vocabularies. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOARD_KEY_LABELS, BOARD_NAMES } from '../../src/leaderboard/index.js';
import { BOARD_KEYS, counterIncrease, perf, runCheck } from '../../src/nagios/check.js';
import { parseRange } from '../../src/nagios/range.js';

test('the plugin knows exactly the exporter leaderboards, with the same key labels', () => {
  assert.deepEqual(Object.keys(BOARD_KEYS).sort(), [...BOARD_NAMES].sort());
  for (const name of BOARD_NAMES) assert.equal(BOARD_KEYS[name], BOARD_KEY_LABELS[name], name);
});

test('bad arguments are UNKNOWN with the usage, before any connection is tried', async () => {
  const bad: string[][] = [
    ['--mode=nope'],
    ['-w', '10:5'],
    ['-c', 'x'],
    ['-p', '0'],
    ['-p', '70000'],
    ['-t', '0'],
    ['-t', 'ten'],
    ['--mode=leaderboard'],
    ['--mode=leaderboard', '--board=nope'],
    ['--board=auth_failure_ips'],
    ['--mode=leaderboard', '--board=auth_failure_ips', '--window=5 m'],
    ['-u', 'metrics'],
    ['--insecure'],
    ['-a', 'nocolon'],
    ['--unknown-flag'],
    ['positional'],
    ['-H', 'a/b'],
  ];
  for (const argv of bad) {
    const r = await runCheck(argv);
    assert.equal(r.code, 3, argv.join(' '));
    assert.match(r.output, /^QMAIL_EXPORTER UNKNOWN - .+\nusage: check_qmail_exporter/, argv.join(' '));
  }
});

test('--help and --version print and exit UNKNOWN, as the Monitoring Plugins do', async () => {
  const help = await runCheck(['--help']);
  assert.equal(help.code, 3);
  assert.match(help.output, /--mode=MODE/);
  assert.match(help.output, /@10:20/);
  const version = await runCheck(['-V']);
  assert.equal(version.code, 3);
  assert.match(version.output, /^check_qmail_exporter \d+\.\d+\.\d+/);
});

test('perfdata: label=value[uom];warn;crit;min;max', () => {
  assert.equal(perf('time', 0.0123456, 's', parseRange('1'), parseRange('2'), 0), 'time=0.012s;1;2;0;');
  assert.equal(perf('unrecognised', 12.5, '%', null, parseRange('~:20'), 0, 100), 'unrecognised=12.5%;;~:20;0;100');
  assert.equal(perf('auth failures', 3, 'c'), "'auth failures'=3c;;;;");
});

test('a counter lower than last time restarted from zero', () => {
  assert.equal(counterIncrease(10, 15), 5);
  assert.equal(counterIncrease(10, 10), 0);
  assert.equal(counterIncrease(100, 7), 7);
});
