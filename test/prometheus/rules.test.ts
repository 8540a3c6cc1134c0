/**
 * The shipped rules, checked by the real promtool (Debian's, or $PROMTOOL_BIN): syntax, unit
 * tests, and the config. Then the shape every alert must keep: severity and annotations, a
 * firing and a silent unit-test case each (a new alert without tests fails here), unit tests
 * that do bite (an alert made to never fire must fail them), and only metric names the exporter
 * serves.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { REPO_ROOT } from '../helpers/exporter-process.js';
import { BOARD_KEY_LABELS, type BoardName } from '../../src/leaderboard/index.js';
import { ALERTS_FILE, EXPORTER_METRICS, PROMETHEUS_METRICS, RULES_FILE, loadRuleGroups, metricNamesIn, recordingRuleNames } from './known-metrics.js';

const PROMTOOL = process.env.PROMTOOL_BIN ?? '/usr/bin/promtool';
const ALERT_TESTS = join(REPO_ROOT, 'prometheus', 'tests', 'qmail.alerts.test.yml');
const RULE_TESTS = join(REPO_ROOT, 'prometheus', 'tests', 'qmail.rules.test.yml');

function promtool(args: string[], cwd = REPO_ROOT): { status: number | null; out: string } {
  const r = spawnSync(PROMTOOL, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface AlertRuleTest {
  eval_time: string;
  alertname: string;
  exp_alerts?: Array<{ exp_labels?: Record<string, string>; exp_annotations?: Record<string, string> }>;
}
interface TestGroup {
  name?: string;
  input_series?: Array<{ series: string; values: string }>;
  alert_rule_test?: AlertRuleTest[];
  promql_expr_test?: Array<{ expr: string; eval_time: string; exp_samples?: unknown[] }>;
}

function loadTests(file: string): TestGroup[] {
  return (parse(readFileSync(file, 'utf8')) as { tests: TestGroup[] }).tests;
}

const alerts = loadRuleGroups(ALERTS_FILE).flatMap((g) => g.rules.filter((r) => r.alert !== undefined));
const recorded = recordingRuleNames();

test('promtool check rules accepts both rule files', () => {
  const r = promtool(['check', 'rules', RULES_FILE, ALERTS_FILE]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, new RegExp(`SUCCESS: ${recorded.length} rules found`));
  assert.match(r.out, new RegExp(`SUCCESS: ${alerts.length} rules found`));
  assert.doesNotMatch(r.out, /FAILED|error/i);
});

test('promtool check config accepts prometheus/prometheus.yml and its rule files', () => {
  const r = promtool(['check', 'config', join(REPO_ROOT, 'prometheus', 'prometheus.yml')]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /SUCCESS: 2 rule files found/);
});

test('promtool test rules: every unit test passes', () => {
  const r = promtool(['test', 'rules', ALERT_TESTS, RULE_TESTS]);
  assert.equal(r.status, 0, r.out);
  assert.equal(r.out.match(/SUCCESS/g)?.length, 2, r.out);
  assert.doesNotMatch(r.out, /FAILED/);
});

test('there are alerts, and their names are unique and start with Qmail', () => {
  assert.ok(alerts.length >= 15, `${alerts.length} alerts`);
  const names = alerts.map((a) => a.alert!);
  assert.equal(new Set(names).size, names.length, 'duplicate alert names');
  for (const n of names) assert.match(n, /^Qmail[A-Z][A-Za-z0-9]+$/);
});

test('every alert has a severity and a summary and description; per-account alerts name the account or IP', () => {
  for (const a of alerts) {
    assert.ok(['critical', 'warning', 'info'].includes(a.labels?.severity ?? ''), `${a.alert}: severity`);
    assert.ok((a.annotations?.summary ?? '').length > 10, `${a.alert}: summary`);
    assert.ok((a.annotations?.description ?? '').length > 20, `${a.alert}: description`);
    const leaderboard = metricNamesIn(a.expr).find((m) => m.startsWith('qmail_leaderboard_'));
    if (leaderboard !== undefined) {
      const key = BOARD_KEY_LABELS[leaderboard.replace('qmail_leaderboard_', '') as BoardName];
      assert.ok(key !== undefined, `${a.alert}: ${leaderboard} is not a leaderboard`);
      assert.ok(a.annotations!.summary!.includes(`$labels.${key}`), `${a.alert}: summary must name the ${key}`);
      assert.ok(a.annotations!.description!.includes(`$labels.${key}`), `${a.alert}: description must name the ${key}`);
    }
  }
});

test('every alert has a firing and a silent unit-test case naming it', () => {
  const groups = loadTests(ALERT_TESTS);
  const recordingExprs = new Map(loadRuleGroups(RULES_FILE).flatMap((g) => g.rules.map((r) => [r.record!, r.expr] as const)));
  for (const a of alerts) {
    const name = a.alert!;
    // metrics the alert reads, through the recording rules it uses
    const reads = new Set<string>();
    for (const m of metricNamesIn(a.expr)) {
      reads.add(m);
      const rec = recordingExprs.get(m);
      if (rec !== undefined) for (const n of metricNamesIn(rec)) {
        reads.add(n);
        const deeper = recordingExprs.get(n);
        if (deeper !== undefined) for (const d of metricNamesIn(deeper)) reads.add(d);
      }
    }
    const relevant = (g: TestGroup): boolean => (g.input_series ?? []).some((s) => reads.has(s.series.replace(/\{.*$/, '')));
    let firing = 0;
    let silent = 0;
    for (const g of groups) {
      for (const t of g.alert_rule_test ?? []) {
        if (t.alertname !== name) continue;
        assert.ok(relevant(g), `${name}: test group '${g.name}' has no input series the alert reads (${[...reads].join(', ')})`);
        if ((t.exp_alerts ?? []).length === 0) silent++;
        else {
          firing++;
          for (const e of t.exp_alerts!) {
            assert.equal(e.exp_labels?.severity, a.labels!.severity, `${name}: firing case checks the severity label`);
            assert.ok(e.exp_annotations?.summary && e.exp_annotations.description, `${name}: firing case checks summary and description`);
          }
        }
      }
    }
    assert.ok(firing > 0, `${name}: no unit-test case where it fires (prometheus/tests/qmail.alerts.test.yml)`);
    assert.ok(silent > 0, `${name}: no unit-test case where it stays silent (exp_alerts: [])`);
  }
});

test('the unit tests bite: with every alert made unable to fire, promtool test rules fails for each of them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-rules-mutant-'));
  try {
    mkdirSync(join(dir, 'rules'));
    mkdirSync(join(dir, 'tests'));
    writeFileSync(join(dir, 'rules', 'qmail.rules.yml'), readFileSync(RULES_FILE));
    const doc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> };
    for (const g of doc.groups) for (const r of g.rules) r.expr = `(${r.expr}) and on () vector(0) > 1`;
    writeFileSync(join(dir, 'rules', 'qmail.alerts.yml'), stringify(doc));
    writeFileSync(join(dir, 'tests', 'qmail.alerts.test.yml'), readFileSync(ALERT_TESTS));
    const r = promtool(['test', 'rules', join(dir, 'tests', 'qmail.alerts.test.yml')], dir);
    assert.notEqual(r.status, 0);
    for (const a of alerts) assert.match(r.out, new RegExp(`alertname: ${a.alert},`), `${a.alert}: its firing case did not fail`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every recording rule follows level:metric:operations and has a unit test', () => {
  const tested = loadTests(RULE_TESTS).flatMap((g) => (g.promql_expr_test ?? []).flatMap((t) => metricNamesIn(t.expr)));
  for (const name of recorded) {
    assert.match(name, /^[a-z_]+:qmail_[a-z_]+:[a-z0-9_]+$/, `${name}: level:metric:operations`);
    assert.ok(tested.includes(name), `${name}: no promql_expr_test in prometheus/tests/qmail.rules.test.yml`);
  }
  assert.equal(new Set(recorded).size, recorded.length, 'a recording rule name is used twice');
});

test('rules read only metrics the exporter serves, Prometheus series, or recorded rules', () => {
  const allowed = new Set([...EXPORTER_METRICS, ...PROMETHEUS_METRICS, ...recorded]);
  for (const file of [RULES_FILE, ALERTS_FILE]) {
    for (const g of loadRuleGroups(file)) {
      for (const r of g.rules) {
        const names = metricNamesIn(r.expr);
        assert.ok(names.length > 0, `${r.record ?? r.alert}: no metric found in ${r.expr}`);
        for (const n of names) assert.ok(allowed.has(n), `${r.record ?? r.alert}: unknown metric ${n}`);
      }
    }
  }
});
