/**
 * `qmail_exporter report [FILE...]`: read whole logs (plain or gzip, in the order given) and say
 * what happened. `--format=prometheus` prints the exposition the live exporter would serve after
 * reading the same lines (the catalogue; no process_* metrics, no follower or leaderboard series,
 * which describe a running process rather than the log).
 */
import { LINE_RESULTS, RECIPIENT_CASES, type MailEvent, type LineResult } from '../events/events.js';
import type { ReportFormat } from '../config.js';
import { createEngine, type EngineSenders } from '../engine.js';
import { seedYearAnchor } from '../parse/envelope/year.js';
import { contextForFile, readLineBatches } from '../read/file-lines.js';
import { feedBoards, type BoardName } from '../leaderboard/boards.js';
import { TopCounter, DistinctCounter } from './top.js';
import { DEFAULT_LOCAL_SENDERS, queueOriginOf, type QueueOrigin } from '../events/queue-origin.js';
import { DEFAULT_RELAY_TRUST, type RelaySource } from '../events/relay-trust.js';

export type { ReportFormat } from '../config.js';

export interface ReportOptions {
  files: string[];
  /** who is sending (src/senders.ts): identity rule, trusted relays, SMTP uids */
  senders?: EngineSenders;
  format: ReportFormat;
  listenerMap?: Record<string, string>;
  nowSeconds: number;
  top?: number;
}

export interface ReportData {
  lines: Record<LineResult, number>;
  unrecognised_share: number;
  recipients: Record<string, number>;
  recipients_by_listener: Record<string, Record<string, number>>;
  refusal_reasons: Record<string, number>;
  deliveries: Record<string, Record<string, number>>;
  bounces: Record<string, number>;
  auth_failures: Record<string, number>;
  auth_successes: Record<string, number>;
  rbl_rejections: number;
  top_users_by_recipients: Array<{ user: string; value: number }>;
  top_users_by_source_ips: Array<{ user: string; value: number }>;
  top_ips_by_relay_refusals: Array<{ ip: string; value: number }>;
  top_ips_by_auth_failures: Array<{ ip: string; value: number }>;
  /** sent_auth_* recipients by the sender-identity reason: alias (same user), same_domain and other_domain (someone else) */
  sender_identity: Record<'alias' | 'same_domain' | 'other_domain', number>;
  top_users_sending_as_someone_else: Array<{ user: string; value: number; same_domain: number; other_domain: number }>;
  top_ips_relaying_without_auth: Array<{ ip: string; source: RelaySource; value: number }>;
  queue_messages_by_origin: Record<QueueOrigin, number>;
  top_injecting_uids: Array<{ uid: number; user: string; value: number }>;
  top_local_injection_senders: Array<{ sender: string; value: number }>;
  first_line_time: number | null;
  last_line_time: number | null;
}

/** Runs the report and returns the text to print. */
export async function runReport(opts: ReportOptions): Promise<string> {
  const n = opts.top ?? 10;
  const usersByRecipients = new TopCounter();
  const userIps = new DistinctCounter();
  const relayRefusalIps = new TopCounter();
  const authFailureIps = new TopCounter();
  const mismatchUsers = new TopCounter();
  const mismatchOtherDomain = new Map<string, number>();
  const noAuthRelayIps = new TopCounter();
  const injectingUids = new TopCounter();
  const injectionSenders = new TopCounter();
  const localSenders = opts.senders?.localSenders ?? DEFAULT_LOCAL_SENDERS;
  const relayTrust = opts.senders?.relayTrust ?? DEFAULT_RELAY_TRUST;
  const identityReasons = { alias: 0, same_domain: 0, other_domain: 0 };
  const origins: Record<QueueOrigin, number> = { smtp: 0, local: 0 };
  const tally = {
    recipients: {} as Record<string, number>,
    byListener: {} as Record<string, Record<string, number>>,
    refusals: {} as Record<string, number>,
    deliveries: {} as Record<string, Record<string, number>>,
    bounces: {} as Record<string, number>,
    authFailures: {} as Record<string, number>,
    authSuccesses: {} as Record<string, number>,
    rbl: 0,
    first: null as number | null,
    last: null as number | null,
  };
  const add = (o: Record<string, number>, k: string): void => {
    o[k] = (o[k] ?? 0) + 1;
  };
  // The top tables are the live leaderboards without windows: the same rule feeds them.
  const toTables = (board: BoardName, key: string, detail: string): void => {
    switch (board) {
      case 'auth_user_recipients':
        return usersByRecipients.add(key);
      case 'auth_user_source_ips':
        return userIps.add(key, detail);
      case 'auth_user_sender_mismatches':
        mismatchUsers.add(key);
        if (detail === 'other_domain' && (mismatchOtherDomain.size < 100_000 || mismatchOtherDomain.has(key))) {
          mismatchOtherDomain.set(key, (mismatchOtherDomain.get(key) ?? 0) + 1);
        }
        return;
      case 'relay_denied_ips':
        return relayRefusalIps.add(key);
      case 'no_auth_relay_ips':
        return noAuthRelayIps.add(key);
      case 'auth_failure_ips':
        return authFailureIps.add(key);
      case 'local_injection_uids':
        return injectingUids.add(key);
      default:
        return; // auth_failure_users, remote_blocklisting_domains: live boards only
    }
  };
  const isLocalInjection = (uid: number): boolean => queueOriginOf(uid, localSenders) === 'local';
  const observe = (e: MailEvent): void => {
    if (e.time !== null) {
      if (tally.first === null || e.time < tally.first) tally.first = e.time;
      if (tally.last === null || e.time > tally.last) tally.last = e.time;
    }
    feedBoards(e, toTables, isLocalInjection);
    switch (e.event) {
      case 'smtp.recipient': {
        add(tally.recipients, e.case);
        add((tally.byListener[e.listener] ??= {}), e.case);
        if (e.case === 'sent_auth_same_user' || e.case === 'sent_auth_different_user') {
          if (e.reason === 'alias' || e.reason === 'same_domain' || e.reason === 'other_domain') identityReasons[e.reason]++;
        } else if (e.reason !== 'none') add(tally.refusals, e.reason);
        break;
      }
      case 'delivery.result':
        add((tally.deliveries[e.channel] ??= {}), e.result);
        break;
      case 'queue.info': {
        const origin = queueOriginOf(e.uid, localSenders);
        origins[origin]++;
        if (origin === 'local') injectionSenders.add(e.sender.toLowerCase());
        break;
      }
      case 'queue.bounce':
        add(tally.bounces, e.kind);
        break;
      case 'auth':
        if (e.result === 'failure') {
          add(tally.authFailures, e.protocol);
        } else add(tally.authSuccesses, e.protocol);
        break;
      case 'rbl.reject':
        tally.rbl++;
        break;
      default:
        break;
    }
  };

  // The Prometheus exposition comes from the registry alone: the tables' observer would be wasted work.
  const observers = opts.format === 'prometheus' ? [] : [observe];
  const engine = createEngine({ listenerMap: opts.listenerMap ?? {}, senders: opts.senders, observers });
  const files = opts.files.length > 0 ? opts.files : ['-'];
  for (const file of files) {
    const ctx = contextForFile(file, opts.nowSeconds);
    let first = true;
    for await (const batch of readLineBatches(file)) {
      if (first) seedYearAnchor(ctx, batch); // one year per file: the head's first exact stamp
      first = false;
      engine.pipeline.batch(batch, ctx);
    }
  }
  engine.pipeline.flush();

  if (opts.format === 'prometheus') return engine.registry.metrics();

  const lines = {} as Record<LineResult, number>;
  let total = 0;
  for (const r of LINE_RESULTS) total += lines[r] = engine.metrics.logLines.value(r);
  const data: ReportData = {
    lines,
    unrecognised_share: total === 0 ? 0 : lines.unrecognised / total,
    // every case, zeros included, in the vocabulary's order
    recipients: Object.fromEntries(RECIPIENT_CASES.map((c) => [c, tally.recipients[c] ?? 0])),
    recipients_by_listener: tally.byListener,
    refusal_reasons: tally.refusals,
    deliveries: tally.deliveries,
    bounces: tally.bounces,
    auth_failures: tally.authFailures,
    auth_successes: tally.authSuccesses,
    rbl_rejections: tally.rbl,
    top_users_by_recipients: usersByRecipients.top(n).map(([user, value]) => ({ user, value })),
    top_users_by_source_ips: userIps.top(n).map(([user, value]) => ({ user, value })),
    top_ips_by_relay_refusals: relayRefusalIps.top(n).map(([ip, value]) => ({ ip, value })),
    top_ips_by_auth_failures: authFailureIps.top(n).map(([ip, value]) => ({ ip, value })),
    sender_identity: identityReasons,
    top_users_sending_as_someone_else: mismatchUsers.top(n).map(([user, value]) => {
      const other = mismatchOtherDomain.get(user) ?? 0;
      return { user, value, same_domain: value - other, other_domain: other };
    }),
    top_ips_relaying_without_auth: noAuthRelayIps.top(n).map(([ip, value]) => ({ ip, source: relayTrust.sourceOf(ip), value })),
    queue_messages_by_origin: origins,
    top_injecting_uids: injectingUids.top(n).map(([uid, value]) => ({ uid: Number(uid), user: localSenders.userOf(Number(uid)), value })),
    top_local_injection_senders: injectionSenders.top(n).map(([sender, value]) => ({ sender, value })),
    first_line_time: tally.first,
    last_line_time: tally.last,
  };
  return opts.format === 'json' ? `${JSON.stringify(data, null, 2)}\n` : renderText(data);
}

function renderText(d: ReportData): string {
  const out: string[] = [];
  const total = d.lines.counted + d.lines.ignored + d.lines.unrecognised + d.lines.foreign;
  const iso = (t: number | null): string => (t === null ? '-' : new Date(t * 1000).toISOString());
  out.push(`qmail log report: ${total} lines, ${iso(d.first_line_time)} .. ${iso(d.last_line_time)}`);
  out.push(
    `lines: counted ${d.lines.counted}, ignored ${d.lines.ignored}, unrecognised ${d.lines.unrecognised} (${(d.unrecognised_share * 100).toFixed(2)}%), foreign ${d.lines.foreign}`,
  );
  out.push('', 'Recipients by case');
  for (const c of RECIPIENT_CASES) out.push(`  ${c.padEnd(28)} ${d.recipients[c] ?? 0}`);
  if (Object.keys(d.refusal_reasons).length > 0) {
    out.push('', 'Refusal reasons');
    for (const [r, v] of sorted(d.refusal_reasons)) out.push(`  ${r.padEnd(28)} ${v}`);
  }
  out.push('', 'Deliveries by channel');
  for (const ch of ['local', 'remote', 'unknown']) {
    const r = d.deliveries[ch];
    if (r === undefined && ch === 'unknown') continue;
    out.push(`  ${ch.padEnd(8)} success ${r?.['success'] ?? 0}, deferral ${r?.['deferral'] ?? 0}, failure ${r?.['failure'] ?? 0}`);
  }
  out.push(`  bounces ${d.bounces['bounce'] ?? 0}, triple bounces discarded ${d.bounces['triple_bounce_discarded'] ?? 0}`);
  out.push('', 'Authentication failures by protocol');
  if (Object.keys(d.auth_failures).length === 0) out.push('  (none)');
  for (const [p, v] of sorted(d.auth_failures)) out.push(`  ${p.padEnd(14)} ${v}`);
  out.push(`RBL rejections: ${d.rbl_rejections}`);
  const table = (title: string, rows: Array<{ value: number } & Record<string, unknown>>, key: string): void => {
    out.push('', title);
    if (rows.length === 0) out.push('  (none)');
    rows.forEach((r, i) => out.push(`  ${String(i + 1).padStart(2)}. ${String(r[key]).padEnd(40)} ${r.value}`));
  };
  table('Top authenticated users by recipients sent', d.top_users_by_recipients, 'user');
  table('Top authenticated users by distinct sending IPs', d.top_users_by_source_ips, 'user');
  table('Top IPs by relay refusals', d.top_ips_by_relay_refusals, 'ip');
  table('Top IPs by authentication failures', d.top_ips_by_auth_failures, 'ip');
  out.push(
    '',
    `Sender identity: ${d.sender_identity.alias} recipients sent as an alias, ${d.sender_identity.same_domain} as another sender of the login's domain, ${d.sender_identity.other_domain} as another domain`,
  );
  table(
    'Top users sending as someone else',
    d.top_users_sending_as_someone_else.map((r) => ({ ...r, label: `${r.user} (other_domain ${r.other_domain}, same_domain ${r.same_domain})` })),
    'label',
  );
  table('Top IPs relaying without authentication', d.top_ips_relaying_without_auth.map((r) => ({ ...r, label: `${r.ip} (${r.source})` })), 'label');
  out.push('', `Queued messages by origin: smtp ${d.queue_messages_by_origin.smtp}, local ${d.queue_messages_by_origin.local}`);
  table('Top uids injecting mail locally', d.top_injecting_uids.map((r) => ({ ...r, label: r.user === '' ? `uid ${r.uid}` : `uid ${r.uid} (${r.user})` })), 'label');
  table('Top senders of locally injected mail', d.top_local_injection_senders, 'sender');
  return `${out.join('\n')}\n`;
}

function sorted(o: Record<string, number>): Array<[string, number]> {
  return Object.entries(o).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}
