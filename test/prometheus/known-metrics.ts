/**
 * The metric names the exporter serves (the contract the rules and dashboards are written
 * against), and a small extractor of the metric names a PromQL expression reads. Shared by the
 * rule and dashboard tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '../helpers/exporter-process.js';

export const HISTOGRAMS = ['qmail_queue_message_size_bytes', 'qmail_queue_message_duration_seconds'];

export const EXPORTER_METRICS = [
  'qmail_smtp_recipients_total',
  'qmail_smtp_senders_total',
  'qmail_auth_attempts_total',
  'qmail_queue_messages_total',
  ...HISTOGRAMS.flatMap((h) => [`${h}_bucket`, `${h}_sum`, `${h}_count`]),
  'qmail_deliveries_started_total',
  'qmail_deliveries_total',
  'qmail_bounces_total',
  'qmail_send_concurrency',
  'qmail_send_concurrency_limit',
  'qmail_connections_total',
  'qmail_connections_active',
  'qmail_connections_limit',
  'qmail_rbl_rejections_total',
  'qmail_scans_total',
  'qmail_exporter_log_lines_total',
  'qmail_exporter_last_line_timestamp_seconds',
  'qmail_exporter_build_info',
  'qmail_exporter_log_rotations_total',
  'qmail_exporter_log_read_bytes_total',
  'qmail_exporter_log_lag_bytes',
  'qmail_exporter_log_read_errors_total',
  'qmail_exporter_log_file_present',
  'qmail_exporter_checkpoint_writes_total',
  'qmail_exporter_checkpoint_last_success_timestamp_seconds',
  'qmail_leaderboard_auth_user_recipients',
  'qmail_leaderboard_auth_user_source_ips',
  'qmail_leaderboard_auth_user_sender_mismatches',
  'qmail_leaderboard_relay_denied_ips',
  'qmail_leaderboard_auth_failure_ips',
  'qmail_leaderboard_auth_failure_users',
  'qmail_leaderboard_no_auth_relay_ips',
  'qmail_leaderboard_local_injection_uids',
  'qmail_smtp_no_auth_relay_recipients_total',
  'qmail_queue_messages_by_origin_total',
  'qmail_leaderboard_remote_blocklisting_domains',
  'qmail_queue_length',
  'qmail_queue_todo_length',
  'qmail_queue_oldest_message_age_seconds',
  'qmail_exporter_queue_last_read_timestamp_seconds',
  'qmail_exporter_queue_read_errors_total',
];

/** Series Prometheus itself makes: scrape health and alert state. */
export const PROMETHEUS_METRICS = ['up', 'ALERTS', 'ALERTS_FOR_STATE'];

export const RULES_FILE = join(REPO_ROOT, 'prometheus', 'rules', 'qmail.rules.yml');
export const ALERTS_FILE = join(REPO_ROOT, 'prometheus', 'rules', 'qmail.alerts.yml');

export interface RuleGroup {
  name: string;
  rules: Array<{ record?: string; alert?: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }>;
}

export function loadRuleGroups(file: string): RuleGroup[] {
  return (parse(readFileSync(file, 'utf8')) as { groups: RuleGroup[] }).groups;
}

/** Names recorded by prometheus/rules/qmail.rules.yml. */
export function recordingRuleNames(): string[] {
  return loadRuleGroups(RULES_FILE).flatMap((g) => g.rules.map((r) => r.record).filter((r): r is string => r !== undefined));
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2']);

/**
 * Metric names an expression reads: identifiers that are not functions, keywords, label names
 * or numbers. Strings, label matchers, durations and Grafana variables are removed first.
 */
export function metricNamesIn(expr: string): string[] {
  let s = expr;
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""'); // strings
  s = s.replace(/\$\{[^}]*\}|\$[A-Za-z_]\w*/g, ' '); // Grafana variables
  s = s.replace(/\{[^}]*\}/g, ' '); // label matchers
  s = s.replace(/\[[^\]]*\]/g, ' '); // range and subquery durations
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' '); // label lists
  s = s.replace(/\boffset\s+-?[0-9a-z]+/g, ' ');
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*(\s*\()?/g)) {
    const word = m[0].replace(/\s*\($/, '');
    if (m[1] !== undefined) continue; // a function call
    if (KEYWORDS.has(word.toLowerCase())) continue;
    if (/^[0-9]/.test(word)) continue;
    names.add(word);
  }
  // Numbers like 1e3 match as identifiers starting with a letter only after a digit: drop pure exponents.
  return [...names].filter((n) => !/^e\d+$/i.test(n));
}
