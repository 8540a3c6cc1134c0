/**
 * The shipped alert rules in a real Prometheus (evaluating every second) over a real exporter
 * fed with the simulator: with the abuse profile the hijack, relay-fishing and password-guessing
 * alerts fire naming exactly the simulator's actors; with the clean profile no abuse alert fires.
 *
 * The rules are the shipped file with only the `for:` durations set to 0s (a test cannot wait
 * 1 minute per alert); expressions and thresholds are untouched. The log is 6,000 lines, 300 s
 * of log time at the simulator's 20 lines/s: the exporter's leaderboards count by arrival time,
 * so a log longer than the 5m window would be squeezed into it and overstate every count.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { appendGradually, startExporter, type ExporterProcess } from '../helpers/exporter-process.js';
import { startPrometheus, type PromAlert, type PrometheusServer } from '../helpers/prometheus.js';
import { pollUntil } from '../helpers/ports.js';
import { DEFAULT_RELAY_TRUST } from '../../src/events/relay-trust.js';
import { BOARD_KEY_LABELS, type BoardName } from '../../src/leaderboard/index.js';
import type { Truth } from '../../src/sim/truth.js';
import { BLOCKLISTING_DOMAIN } from '../../src/sim/send-queue.js';
import { ALERTS_FILE, RULES_FILE, loadRuleGroups, type RuleGroup } from './known-metrics.js';

const SIM_LINES = 6000;

/** The shipped alerts with every `for:` set to 0s, written to `dir`. */
function rulesWithoutFor(dir: string): string {
  const doc = parse(readFileSync(ALERTS_FILE, 'utf8')) as { groups: RuleGroup[] };
  let changed = 0;
  for (const g of doc.groups) {
    for (const r of g.rules) {
      if (r.for !== undefined && r.for !== '0s') {
        r.for = '0s';
        changed++;
      }
    }
  }
  assert.ok(changed > 0);
  const file = join(dir, 'qmail.alerts.no-for.yml');
  writeFileSync(file, stringify(doc));
  return file;
}

interface LeaderboardAlert {
  name: string;
  board: BoardName;
  keyLabel: 'user' | 'ip' | 'uid' | 'domain';
  /** the truth's keys this alert must name */
  expected(truth: Truth): string[];
}

/** Alerts of the qmail.abuse group that compare one leaderboard window with a number. */
function leaderboardAlerts(): LeaderboardAlert[] {
  const group = loadRuleGroups(ALERTS_FILE).find((g) => g.name === 'qmail.abuse')!;
  const out: LeaderboardAlert[] = [];
  for (const r of group.rules) {
    const selector = /qmail_leaderboard_(\w+)\{window="\w+"(?:,(\w+)="(\w+)")?\}/.exec(r.expr);
    const board = selector?.[1] as BoardName | undefined;
    const [matcherLabel, matcherValue] = [selector?.[2], selector?.[3]];
    // The truth keeps one total per key: a `source` matcher is the key's trust; a `reason` matcher
    // (the mismatch alerts) reads the total of every reason, exact for other_domain as long as the
    // simulated shared office stays far below the thresholds (the hijacker's count is asserted below).
    // The same_domain alert's 100 per hour is never reached by the simulator: it is not checked live.
    if (matcherLabel === 'reason' && matcherValue !== 'other_domain') continue;
    const keep = (key: string): boolean => matcherLabel !== 'source' || DEFAULT_RELAY_TRUST.sourceOf(key) === matcherValue;
    const threshold = /(>=|>)\s*(\d+(?:\.\d+)?)\s*$/.exec(r.expr.trim());
    if (board === undefined || threshold === null) continue;
    const [, op, n] = threshold;
    const limit = Number(n);
    out.push({
      name: r.alert!,
      board,
      keyLabel: BOARD_KEY_LABELS[board],
      // Everything arrives within the window, so the window's value is the truth's total.
      expected: (truth) =>
        Object.entries(truth.leaderboards[board])
          .filter(([k, v]) => keep(k) && (op === '>=' ? v >= limit : v > limit))
          .map(([k]) => k)
          .sort(),
    });
  }
  return out;
}

interface Run {
  truth: Truth;
  alerts: PromAlert[];
}

/**
 * Feeds the profile's log to an exporter scraped by Prometheus with the rules, and returns the
 * truth and the alerts once `done(truth, alerts)` holds (or, after a bounded wait, whatever
 * alerts there are, so that the assertions show the difference).
 */
async function runProfile(profile: 'abuse' | 'clean', done: (truth: Truth, alerts: PromAlert[]) => boolean): Promise<Run> {
  const { writeSimulatedLog } = await import('../../src/sim/writer.js');
  const dir = mkdtempSync(join(tmpdir(), `qx-alerts-${profile}-`));
  let exporter: ExporterProcess | null = null;
  let prom: PrometheusServer | null = null;
  try {
    const simFile = join(dir, 'simulated.log');
    const logFile = join(dir, 'maillog');
    writeFileSync(logFile, '');
    const truth = await writeSimulatedLog(simFile, { startTime: Math.floor(Date.now() / 1000) - 300, lines: SIM_LINES, profile, seed: 1 });
    // 13 guessed user names: a top 20 shows them all
    exporter = await startExporter({ logPaths: [logFile], args: ['--leaderboard.size=20'] });
    prom = await startPrometheus({ targets: [exporter.address], ruleFiles: [RULES_FILE, rulesWithoutFor(dir)] });
    await prom.waitForScrapes(2);
    await appendGradually(simFile, logFile, { chunks: 5, intervalMs: 300 });
    const p = prom;
    const counted = await pollUntil(
      async () => {
        const v = await p.queryVector('sum(qmail_exporter_log_lines_total{job="qmail"})');
        return Number(v[0]?.value[1]) === truth.lines ? Date.now() / 1000 : undefined;
      },
      { what: `${profile}: Prometheus sees all ${truth.lines} lines`, timeoutMs: 30_000 },
    );
    // Rules evaluated at least 3 s after the last line was scraped: whatever fires has fired.
    await pollUntil(
      async () => {
        const v = await p.queryVector('timestamp(instance:qmail_exporter_log_lines_unrecognised:ratio_rate5m)');
        return Number(v[0]?.value[1]) > counted + 3 ? true : undefined;
      },
      { what: `${profile}: rule evaluations after the data`, timeoutMs: 15_000 },
    );
    const alerts = await pollUntil(
      async () => {
        const a = await p.alerts();
        return done(truth, a) ? a : undefined;
      },
      { what: `${profile}: the expected alerts`, timeoutMs: 10_000 },
    ).catch(() => p.alerts());
    return { truth, alerts };
  } finally {
    await prom?.stop();
    await exporter?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function named(alerts: PromAlert[], alertname: string, keyLabel: string): string[] {
  return alerts
    .filter((a) => a.labels.alertname === alertname && a.state === 'firing')
    .map((a) => a.labels[keyLabel] ?? '')
    .sort();
}

const abuseGroup = new Set(loadRuleGroups(ALERTS_FILE).find((g) => g.name === 'qmail.abuse')!.rules.map((r) => r.alert!));

test('live alerts: abuse profile names exactly the actors, clean profile raises no abuse alert', { timeout: 120_000, concurrency: 2 }, async (t) => {
  const boards = leaderboardAlerts();
  for (const name of ['QmailAccountSenderMismatch', 'QmailRelayFishingIP', 'QmailPasswordGuessingIP', 'QmailPasswordGuessingUser']) {
    assert.ok(boards.some((b) => b.name === name), `${name} is a leaderboard alert of qmail.abuse`);
  }

  await Promise.all([
    t.test('abuse', async () => {
      const expectedOf = (truth: Truth): Map<string, string[]> => new Map(boards.map((b) => [b.name, b.expected(truth)]));
      const { truth, alerts } = await runProfile('abuse', (tr, a) =>
        [...expectedOf(tr)].every(([name, keys]) => JSON.stringify(named(a, name, boards.find((b) => b.name === name)!.keyLabel)) === JSON.stringify(keys)),
      );
      const actors = truth.actors;
      assert.notEqual(actors.hijackedUser, '');
      assert.notEqual(actors.bruteForceIp, '');
      assert.ok(actors.relayBotIps.length > 0);
      // What the truth says each leaderboard alert must name...
      const expectedNow = expectedOf(truth);
      // ...is exactly the actors for the hijack, relay-fishing and password-guessing alerts,
      assert.deepEqual(expectedNow.get('QmailAccountSenderMismatch'), [actors.hijackedUser]);
      // the relay bots, and the password guesser when its relay attempts naming a user reach the threshold too
      assert.deepEqual(expectedNow.get('QmailRelayFishingIP')!.filter((ip) => ip !== actors.bruteForceIp), [...actors.relayBotIps].sort());
      assert.deepEqual(expectedNow.get('QmailPasswordGuessingIP'), [actors.bruteForceIp]);
      assert.deepEqual(expectedNow.get('QmailPasswordGuessingUser'), [...actors.bruteForcedUsers].sort());
      assert.deepEqual(expectedNow.get('QmailUnexpectedNoAuthRelay'), ['198.51.100.77'], 'the open relay, not the webmail');
      // ...and Prometheus fired exactly those, for every leaderboard alert.
      for (const b of boards) assert.deepEqual(named(alerts, b.name, b.keyLabel), expectedNow.get(b.name), b.name);
      // The annotations name the account or IP.
      for (const a of alerts.filter((x) => abuseGroup.has(x.labels.alertname ?? ''))) {
        const key = a.labels.user ?? a.labels.ip;
        if (key !== undefined) assert.ok(a.annotations.summary?.includes(key) && a.annotations.description?.includes(key), `${a.labels.alertname}: ${a.annotations.summary}`);
        assert.ok(['critical', 'warning', 'info'].includes(a.labels.severity ?? ''));
      }
      // All the guessing from one IP is also seen in the aggregate.
      assert.ok(alerts.some((a) => a.labels.alertname === 'QmailPasswordGuessingDistributed' && a.state === 'firing'), 'QmailPasswordGuessingDistributed');
      // After the spam run the simulated provider refuses the host as blocklisted: the alert names it.
      assert.ok((truth.leaderboards.remote_blocklisting_domains[BLOCKLISTING_DOMAIN] ?? 0) >= 3, 'the provider refused the host');
      const blocklisted = alerts.filter((a) => a.labels.alertname === 'QmailHostBlocklisted' && a.state === 'firing');
      assert.equal(blocklisted.length, 1, 'QmailHostBlocklisted fires for the host');
      const refused = truth.leaderboards.remote_blocklisting_domains[BLOCKLISTING_DOMAIN];
      assert.ok(blocklisted[0]!.annotations.description?.includes(`${BLOCKLISTING_DOMAIN} (${refused})`), blocklisted[0]!.annotations.description);
      assert.ok(blocklisted[0]!.annotations.runbook_url?.endsWith('#qmailhostblocklisted'));
    }),
    t.test('clean', async () => {
      // nothing to wait for beyond the rule evaluations after the data
      const { truth, alerts } = await runProfile('clean', () => true);
      assert.equal(truth.actors.hijackedUser, '');
      assert.equal(truth.actors.bruteForceIp, '');
      assert.deepEqual(truth.actors.relayBotIps, []);
      const abuse = alerts.filter((a) => abuseGroup.has(a.labels.alertname ?? ''));
      assert.deepEqual(abuse.map((a) => `${a.labels.alertname} ${a.labels.user ?? a.labels.ip ?? ''} ${a.state}`), []);
      // nobody blocklists a clean host
      assert.deepEqual(alerts.filter((a) => a.labels.alertname === 'QmailHostBlocklisted'), []);
      // the rules did run and see data: the clean host's leaderboards are not empty
      assert.ok(Object.keys(truth.leaderboards.auth_user_recipients).length > 0);
    }),
  ]);
});
