/**
 * Every alert links to its own section of docs/runbook.md, and every section there belongs to an
 * alert; Alertmanager's inhibit rules silence only what their source alert makes meaningless.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/exporter-process.js';
import { ALERTS_FILE, loadRuleGroups } from './known-metrics.js';

const RUNBOOK_BASE = 'https://github.com/qmail-exporter/qmail_exporter/blob/main/docs/runbook.md';
const runbook = readFileSync(join(REPO_ROOT, 'docs', 'runbook.md'), 'utf8');
/** GitHub's anchor for a '### Name' heading: lower case, spaces to '-', punctuation dropped. */
const sections = new Map([...runbook.matchAll(/^### (.+)$/gm)].map((m) => [m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'), m[1]!.trim()]));
const alerts = loadRuleGroups(ALERTS_FILE).flatMap((g) => g.rules.filter((r) => r.alert !== undefined));

test('every alert has a runbook_url pointing to its own section of docs/runbook.md', () => {
  assert.ok(alerts.length >= 25, `${alerts.length} alerts`);
  for (const a of alerts) {
    const url = a.annotations?.runbook_url;
    assert.equal(url, `${RUNBOOK_BASE}#${a.alert!.toLowerCase()}`, a.alert);
    assert.equal(sections.get(a.alert!.toLowerCase()), a.alert, `docs/runbook.md has a section "### ${a.alert}"`);
  }
});

test('every runbook section says what the alert means, how to confirm it and what to do, and belongs to an alert', () => {
  const names = new Set(alerts.map((a) => a.alert!));
  const parts = runbook.split(/^### /m).slice(1);
  assert.equal(parts.length, sections.size);
  for (const part of parts) {
    const name = part.slice(0, part.indexOf('\n')).trim();
    assert.ok(names.has(name), `section ${name} has no alert`);
    for (const label of ['**Means.**', '**Confirm.**', '**Do.**']) assert.ok(part.includes(label), `${name}: ${label}`);
  }
});

test('alertmanager: a missing log file silences only QmailExporterLogSilent; a down exporter silences the rest of its instance', () => {
  const am = parse(readFileSync(join(REPO_ROOT, 'prometheus', 'alertmanager.yml'), 'utf8')) as {
    inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
  };
  const bySource = new Map(am.inhibit_rules.map((r) => [r.source_matchers.join(','), r]));
  const missing = bySource.get('alertname="QmailExporterLogFileMissing"');
  assert.deepEqual(missing?.target_matchers, ['alertname="QmailExporterLogSilent"']);
  assert.deepEqual(missing?.equal, ['instance']);
  const down = bySource.get('alertname="QmailExporterDown"');
  assert.deepEqual(down?.target_matchers, ['alertname=~"Qmail.*"', 'alertname!="QmailExporterDown"']);
  assert.equal(am.inhibit_rules.length, 2);
});
