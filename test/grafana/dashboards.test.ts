/**
 * The Grafana dashboards: static checks of their JSON (stable uids, the datasource variable
 * everywhere, only metric names the exporter serves or recording rules define, $__rate_interval
 * in rates) and a live check: every panel query is run through the HTTP API of a real
 * Prometheus that scrapes a real exporter fed with the simulator's abuse log, and must return
 * data.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT, appendGradually, startExporter, type ExporterProcess } from '../helpers/exporter-process.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { pollUntil } from '../helpers/ports.js';
import { ALERTS_FILE, EXPORTER_METRICS, PROMETHEUS_METRICS, RULES_FILE, metricNamesIn, recordingRuleNames } from '../prometheus/known-metrics.js';

const DASHBOARD_DIR = join(REPO_ROOT, 'grafana', 'dashboards');
/** uid per file: links and bookmarks depend on them, so they must never change. */
const STABLE_UIDS: Record<string, string> = {
  'qmail-overview.json': 'qmail-overview',
  'qmail-abuse.json': 'qmail-abuse',
};
/**
 * Panels allowed to return no data in the live check, with the reason. Keyed "uid/panel title".
 * Empty on purpose: with checkpoints on, alert rules loaded and the abuse profile, every panel
 * of both dashboards has data; add an entry only with a reason the simulator cannot change.
 */
const MAY_BE_EMPTY: Record<string, string> = {};

interface Target {
  uid: string;
  panel: string;
  refId: string;
  expr: string;
  instant: boolean;
}

interface Dashboard {
  file: string;
  json: {
    uid: string;
    title: string;
    panels: Panel[];
    templating: { list: Variable[] };
  };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos?: { h: number; w: number; x: number; y: number };
  datasource?: unknown;
  panels?: Panel[];
  targets?: Array<{ refId: string; expr?: string; instant?: boolean; range?: boolean; datasource?: unknown }>;
}
interface Variable {
  name: string;
  type: string;
  query: unknown;
  datasource?: unknown;
}

function loadDashboards(): Dashboard[] {
  return readdirSync(DASHBOARD_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(DASHBOARD_DIR, file), 'utf8')) as Dashboard['json'] }));
}

function allPanels(panels: Panel[]): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
}

function targetsOf(d: Dashboard): Target[] {
  return allPanels(d.json.panels).flatMap((p) =>
    (p.targets ?? []).map((t) => ({ uid: d.json.uid, panel: p.title, refId: t.refId, expr: t.expr ?? '', instant: t.instant === true && t.range !== true })),
  );
}

const dashboards = loadDashboards();

test('every dashboard file parses and has its stable, unique uid', () => {
  assert.deepEqual(dashboards.map((d) => d.file), Object.keys(STABLE_UIDS).sort());
  for (const d of dashboards) assert.equal(d.json.uid, STABLE_UIDS[d.file], d.file);
  assert.equal(new Set(dashboards.map((d) => d.json.uid)).size, dashboards.length);
});

test('no datasource uid is hard-coded: every panel, target and variable uses ${datasource}', () => {
  for (const d of dashboards) {
    const found: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
      else if (node !== null && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'datasource') found.push(`${path}.datasource=${JSON.stringify(v)}`);
          walk(v, `${path}.${k}`);
        }
      }
    };
    walk(d.json.panels, 'panels');
    walk(d.json.templating.list.filter((v) => v.type !== 'datasource'), 'variables');
    assert.ok(found.length > 0);
    for (const f of found) assert.match(f, /=\{"type":"prometheus","uid":"\$\{datasource\}"\}$/, `${d.file}: ${f}`);
    const dsVar = d.json.templating.list.find((v) => v.name === 'datasource');
    assert.equal(dsVar?.type, 'datasource', `${d.file}: a datasource variable`);
    assert.equal(dsVar?.query, 'prometheus');
  }
});

test('job and instance variables come from qmail_exporter_log_lines_total (a backfilled history has no build_info)', () => {
  for (const d of dashboards) {
    const byName = new Map(d.json.templating.list.map((v) => [v.name, v]));
    assert.equal(byName.get('job')?.query, 'label_values(qmail_exporter_log_lines_total, job)', d.file);
    assert.equal(byName.get('instance')?.query, 'label_values(qmail_exporter_log_lines_total{job=~"$job"}, instance)', d.file);
  }
});

test('every panel has a unique id, a title and a place; rows aside, every panel has a query', () => {
  for (const d of dashboards) {
    const panels = allPanels(d.json.panels);
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `${d.file}: duplicate panel ids`);
    for (const p of panels) {
      assert.ok(p.title.length > 0, `${d.file}: panel ${p.id} has no title`);
      assert.ok(p.gridPos !== undefined, `${d.file}: ${p.title} has no gridPos`);
      if (p.type !== 'row') assert.ok((p.targets ?? []).some((t) => (t.expr ?? '').trim() !== ''), `${d.file}: ${p.title} has no query`);
    }
  }
});

test('queries read only the exporter metrics, Prometheus series and recording rules, for the selected job and instance', () => {
  const allowed = new Set([...EXPORTER_METRICS, ...PROMETHEUS_METRICS, ...recordingRuleNames()]);
  for (const d of dashboards) {
    for (const t of targetsOf(d)) {
      const names = metricNamesIn(t.expr);
      assert.ok(names.length > 0, `${t.uid}/${t.panel}: no metric in ${t.expr}`);
      for (const n of names) assert.ok(allowed.has(n), `${t.uid}/${t.panel}: unknown metric ${n}`);
      // every selector is narrowed to the dashboard's job and instance
      const selectors = t.expr.match(/[A-Za-z_:][A-Za-z0-9_:]*\{[^}]*\}/g) ?? [];
      assert.equal(selectors.length, names.length === 0 ? 0 : selectors.length);
      for (const n of names) assert.match(t.expr, new RegExp(`${n}\\{[^}]*job=~"\\$job"[^}]*instance=~"\\$instance"`), `${t.uid}/${t.panel}: ${n} without the job and instance matchers`);
    }
  }
});

test('rates use $__rate_interval (increase over the whole range may use $__range)', () => {
  for (const d of dashboards) {
    for (const t of targetsOf(d)) {
      for (const m of t.expr.matchAll(/\b(rate|irate|increase)\s*\((?:[^()[\]]|\{[^}]*\})*\[([^\]]+)\]/g)) {
        const ok = m[2] === '$__rate_interval' || (m[1] === 'increase' && m[2] === '$__range');
        assert.ok(ok, `${t.uid}/${t.panel}: ${m[1]}(...[${m[2]}])`);
      }
    }
  }
});

test('provisioning: a Prometheus data source and a provider for the mounted dashboards', () => {
  const ds = parse(readFileSync(join(REPO_ROOT, 'grafana', 'provisioning', 'datasources', 'prometheus.yml'), 'utf8')) as {
    datasources: Array<{ type: string; url: string }>;
  };
  assert.equal(ds.datasources[0]?.type, 'prometheus');
  assert.match(ds.datasources[0]!.url, /^http:\/\/prometheus:9090$/);
  const prov = parse(readFileSync(join(REPO_ROOT, 'grafana', 'provisioning', 'dashboards', 'qmail.yml'), 'utf8')) as {
    providers: Array<{ type: string; options: { path: string } }>;
  };
  assert.equal(prov.providers[0]?.type, 'file');
  const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  assert.ok(compose.includes(`./grafana/dashboards:${prov.providers[0]!.options.path}`), 'docker-compose.yml mounts the dashboards where the provider reads them');
});

// ---------------------------------------------------------------------------------------------
// Live

/** Escapes a value the way Grafana does for a multi-value Prometheus variable in a regex matcher. */
function regexEscape(value: string): string {
  return value.replace(/[\\^$*+?.()|[\]{}]/g, '\\\\$&');
}

/** Grafana's variable interpolation, for the variables these dashboards use. Unknown ones throw. */
function interpolate(expr: string, vars: Record<string, string>): string {
  const out = expr.replace(/\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g, (whole, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    const value = vars[name];
    if (value === undefined) throw new Error(`unknown variable ${whole} in ${expr}`);
    return value;
  });
  return out;
}

function isEmpty(data: { resultType: string; result: unknown }): boolean {
  return Array.isArray(data.result) ? data.result.length === 0 : data.result === null;
}

test('live: every panel query returns data from Prometheus scraping an exporter fed with the abuse profile', { timeout: 120_000 }, async () => {
  const { writeSimulatedLog } = await import('../../src/sim/writer.js');
  const dir = mkdtempSync(join(tmpdir(), 'qx-dashboards-'));
  let exporter: ExporterProcess | null = null;
  let prom: PrometheusServer | null = null;
  try {
    const simFile = join(dir, 'simulated.log');
    const logFile = join(dir, 'maillog');
    writeFileSync(logFile, '');
    const truth = await writeSimulatedLog(simFile, { startTime: Math.floor(Date.now() / 1000) - 600, lines: 20000, profile: 'abuse', seed: 1 });
    // the demo's queue directory, built from the same simulated log (src/sim/queue-dir.ts)
    const { createQueueMirror } = await import('../../src/sim/queue-dir.js');
    const queue = createQueueMirror(join(dir, 'queue'));
    await queue.init();
    await queue.apply(readFileSync(simFile, 'latin1').split('\n'));
    exporter = await startExporter({
      logPaths: [logFile],
      args: [`--storage.path=${join(dir, 'state')}`, '--storage.interval=1s', `--qmail.queue-path=${queue.path}`],
    });
    prom = await startPrometheus({ targets: [exporter.address], ruleFiles: [RULES_FILE, ALERTS_FILE] });
    await prom.waitForScrapes(2);
    // Written in pieces across scrapes, as a mail server would, so that rates are not all zero.
    await appendGradually(simFile, logFile, { chunks: 8, intervalMs: 400 });
    const p = prom;
    await pollUntil(
      async () => {
        const v = await p.queryVector('sum(qmail_exporter_log_lines_total{job="qmail"})');
        return Number(v[0]?.value[1]) === truth.lines ? true : undefined;
      },
      { what: `Prometheus sees all ${truth.lines} lines counted`, timeoutMs: 30_000 },
    );
    // The rules have had time to evaluate: recording rules over series that appeared mid-way have
    // several samples, and the abuse profile raises password-guessing alerts (for: 0m) at once.
    await pollUntil(
      async () => {
        const recorded = await p.queryVector('count_over_time(instance_case:qmail_smtp_recipients:rate5m{case="sent_auth_different_user"}[1m]) >= 3');
        const firing = await p.queryVector('ALERTS{alertstate="firing"}');
        return recorded.length > 0 && firing.length > 0 ? true : undefined;
      },
      { what: 'recording rules with 3 samples and a firing alert', timeoutMs: 15_000 },
    );

    const vars: Record<string, string> = {
      datasource: 'prometheus',
      job: 'qmail',
      instance: regexEscape(exporter.address),
      window: '5m',
      __rate_interval: '1m',
      __interval: '15s',
      __range: '5m',
    };

    // the variables themselves resolve
    assert.deepEqual(await prom.labelValues('job', ['qmail_exporter_log_lines_total']), ['qmail']);
    assert.deepEqual(await prom.labelValues('instance', ['qmail_exporter_log_lines_total{job=~"qmail"}']), [exporter.address]);
    assert.ok((await prom.labelValues('window', ['qmail_leaderboard_auth_user_recipients{job=~"qmail"}'])).includes('5m'));

    const end = Date.now() / 1000;
    const problems: string[] = [];
    let checked = 0;
    for (const d of dashboards) {
      for (const t of targetsOf(d)) {
        const expr = interpolate(t.expr, vars);
        const r = t.instant ? await prom.queryRaw(expr) : await prom.queryRangeRaw(expr, end - 60, end, 1);
        checked++;
        const where = `${t.uid}/${t.panel} (${t.refId})`;
        if (r.status !== 'success') {
          problems.push(`${where}: ${r.errorType}: ${r.error} — ${expr}`);
          continue;
        }
        if (isEmpty(r.data) && MAY_BE_EMPTY[`${t.uid}/${t.panel}`] === undefined) problems.push(`${where}: no data — ${expr}`);
      }
    }
    assert.deepEqual(problems, [], `${problems.length} of ${checked} panel queries failed`);
    assert.ok(checked >= 40, `${checked} queries checked`);

    // The abuse tables show the simulator's actors at the top.
    const top = async (expr: string, label: string): Promise<string | undefined> => {
      const v = await p.queryVector(interpolate(expr, vars));
      return v.sort((a, b) => Number(b.value[1]) - Number(a.value[1]))[0]?.metric[label];
    };
    const abuse = dashboards.find((d) => d.json.uid === 'qmail-abuse')!;
    const exprOf = (title: string): string => targetsOf(abuse).find((t) => t.panel === title)!.expr;
    assert.equal(await top(exprOf('Users sending as another sender'), 'user'), truth.actors.hijackedUser);
    assert.equal(await top(exprOf('IPs failing authentication'), 'ip'), truth.actors.bruteForceIp);
    assert.ok(truth.actors.relayBotIps.includes((await top(exprOf('IPs refused for relaying'), 'ip')) ?? ''));
  } finally {
    await prom?.stop();
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
