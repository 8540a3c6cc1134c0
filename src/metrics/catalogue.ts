/**
 * The metric catalogue: every qmail_* and qmail_exporter_* metric is defined here and only here,
 * on an injected Registry. Dashboards, alert rules, the Nagios check and the tests use these names.
 * Help strings say which log lines a number comes from.
 */
import type { Registry } from 'prom-client';
import {
  AUTH_PROTOCOLS,
  AUTH_REASONS,
  AUTH_RESULTS,
  BOUNCE_KINDS,
  CONNECTION_RESULTS,
  DELIVERY_CHANNELS,
  DELIVERY_REASONS,
  DELIVERY_RESULTS,
  LINE_RESULTS,
  MAX_LISTENERS,
  RECIPIENT_CASES,
  RECIPIENT_REASONS,
  RBL_CODES,
  SCANNERS,
  SCAN_RESULTS,
  SEND_CHANNELS,
  SENDER_REASONS,
  SENDER_RESULTS,
  type AuthProtocol,
  type AuthReason,
  type AuthResult,
  type BounceKind,
  type ConnectionResult,
  type DeliveryChannel,
  type DeliveryReason,
  type DeliveryResult,
  type LineResult,
  type RblCode,
  type RecipientCase,
  type RecipientReason,
  type ScanResult,
  type Scanner,
  type SendChannel,
  type SenderReason,
  type SenderResult,
} from '../events/events.js';
import { QUEUE_ORIGINS, type QueueOrigin } from '../events/queue-origin.js';
import { RELAY_SOURCES, type RelaySource } from '../events/relay-trust.js';
import { CounterFamily, GaugeFamily, HistogramFamily, type AnyFamily, type FamilySnapshot } from './tally.js';

/** Message sizes: 1 KiB … 50 MiB, the range qmail's databytes settings live in. */
export const MESSAGE_SIZE_BUCKETS = [1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 10485760, 26214400, 52428800];
/** Queue residence: local deliveries take under a second, deferred remote mail stays up to queuelifetime (7 days). */
export const MESSAGE_DURATION_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600, 21600, 86400, 604800];

/** Reasons that are not refusals of an inbound recipient: relaying and sender-identity reasons. */
const NOT_INBOUND_REFUSALS: ReadonlySet<RecipientReason> = new Set<RecipientReason>([
  'none',
  'relay_denied',
  'auth_not_mailfrom',
  'alias',
  'same_domain',
  'other_domain',
]);

/** Which reasons a recipient case can carry; these combinations are pre-set to 0 per listener. */
export function reasonsForCase(c: RecipientCase): readonly RecipientReason[] {
  switch (c) {
    case 'rejected_no_auth':
      return ['relay_denied'];
    case 'rejected_auth_failed':
      return ['relay_denied', 'auth_not_mailfrom'];
    case 'inbound_rejected':
      return RECIPIENT_REASONS.filter((r) => !NOT_INBOUND_REFUSALS.has(r));
    case 'sent_auth_same_user':
      return ['none', 'alias'];
    case 'sent_auth_different_user':
      return ['same_domain', 'other_domain'];
    default:
      return ['none'];
  }
}

/**
 * The values each label of the catalogue may take, by label name (a name shared by several
 * families takes the union of their vocabularies, still a closed list). `listener` is the one
 * open label: a name of [A-Za-z0-9_.-], at most 64 characters, at most MAX_LISTENERS of them plus
 * `other`. A checkpoint restore accepts nothing else; every labelled family needs its labels here
 * (a test checks it).
 */
export const LABEL_DOMAINS: Readonly<Record<string, ReadonlySet<string> | 'listener'>> = {
  listener: 'listener',
  case: new Set(RECIPIENT_CASES),
  reason: new Set<string>([...RECIPIENT_REASONS, ...SENDER_REASONS, ...AUTH_REASONS, ...DELIVERY_REASONS]),
  result: new Set<string>([...SENDER_RESULTS, ...AUTH_RESULTS, ...DELIVERY_RESULTS, ...CONNECTION_RESULTS, ...SCAN_RESULTS, ...LINE_RESULTS]),
  protocol: new Set(AUTH_PROTOCOLS),
  channel: new Set<string>([...DELIVERY_CHANNELS, ...SEND_CHANNELS]),
  kind: new Set(BOUNCE_KINDS),
  code: new Set(RBL_CODES),
  scanner: new Set(SCANNERS),
  source: new Set(RELAY_SOURCES),
  origin: new Set(QUEUE_ORIGINS),
};

const LISTENER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface BuildInfo {
  version: string;
  nodejs: string;
}

export function createMetrics(registry: Registry, build: BuildInfo) {
  const m = {
    smtpRecipients: new CounterFamily<readonly [listener: string, recipientCase: RecipientCase, reason: RecipientReason]>(
      registry,
      'qmail_smtp_recipients_total',
      'Recipients (RCPT TO) decided by qmail-smtpd, from chkuser/qlog/spamdyke/eMPF lines, by operator case and refusal reason.',
      ['listener', 'case', 'reason'] as const,
    ),
    smtpSenders: new CounterFamily<readonly [listener: string, result: SenderResult, reason: SenderReason]>(
      registry,
      'qmail_smtp_senders_total',
      'Envelope senders (MAIL FROM) accepted or rejected by qmail-smtpd, from chkuser sender-phase and patch lines.',
      ['listener', 'result', 'reason'] as const,
    ),
    smtpNoAuthRelays: new CounterFamily<readonly [listener: string, source: RelaySource]>(
      registry,
      'qmail_smtp_no_auth_relay_recipients_total',
      'Recipients relayed without authentication (case sent_no_auth), by whether the client IP is in --qmail.trusted-relay-ips (trusted) or not (untrusted).',
      ['listener', 'source'] as const,
    ),
    smtpQueued: new CounterFamily<readonly [listener: string]>(
      registry,
      'qmail_smtp_messages_queued_total',
      "Messages qmail-smtpd handed to the queue, from QMailToaster 'mail recv' and qlogreceived lines.",
      ['listener'] as const,
    ),
    authAttempts: new CounterFamily<readonly [protocol: AuthProtocol, result: AuthResult, reason: AuthReason]>(
      registry,
      'qmail_auth_attempts_total',
      'Authentication attempts from vchkpw, dovecot login summaries and qmail-smtpd AUTH patches, by protocol, result and reason.',
      ['protocol', 'result', 'reason'] as const,
    ),
    queueMessages: new CounterFamily<readonly []>(registry, 'qmail_queue_messages_total', "Messages entering the queue (qmail-send 'new msg' lines).", [] as const),
    queueMessagesByOrigin: new CounterFamily<readonly [origin: QueueOrigin]>(
      registry,
      'qmail_queue_messages_by_origin_total',
      "Messages queued, by origin: smtp when the 'info msg ... uid U' line names a uid qmail-smtpd runs as (--qmail.smtp-uids), else local (sendmail/qmail-inject from websites, cron, scripts; qmail-send's bounces).",
      ['origin'] as const,
    ),
    messageSize: new HistogramFamily<readonly []>(
      registry,
      'qmail_queue_message_size_bytes',
      "Size of queued messages (qmail-send 'info msg N: bytes B').",
      [] as const,
      MESSAGE_SIZE_BUCKETS,
    ),
    messageDuration: new HistogramFamily<readonly []>(
      registry,
      'qmail_queue_message_duration_seconds',
      "Time a message spent in the queue, from its 'new msg' line to its 'end msg' line.",
      [] as const,
      MESSAGE_DURATION_BUCKETS,
    ),
    deliveriesStarted: new CounterFamily<readonly [channel: SendChannel]>(
      registry,
      'qmail_deliveries_started_total',
      "Delivery attempts started (qmail-send 'starting delivery N: msg M to local|remote').",
      ['channel'] as const,
    ),
    deliveries: new CounterFamily<readonly [channel: DeliveryChannel, result: DeliveryResult, reason: DeliveryReason]>(
      registry,
      'qmail_deliveries_total',
      "Delivery attempt results (qmail-send 'delivery N: success|deferral|failure'); channel from the matching 'starting delivery' line.",
      ['channel', 'result', 'reason'] as const,
    ),
    bounces: new CounterFamily<readonly [kind: BounceKind]>(
      registry,
      'qmail_bounces_total',
      "Bounces injected ('bounce msg') and double bounces dropped ('triple bounce: discarding').",
      ['kind'] as const,
    ),
    sendConcurrency: new GaugeFamily<readonly [channel: SendChannel]>(
      registry,
      'qmail_send_concurrency',
      "Deliveries in progress per channel, from the last qmail-send 'status: local l/L remote r/R' line.",
      ['channel'] as const,
    ),
    sendConcurrencyLimit: new GaugeFamily<readonly [channel: SendChannel]>(
      registry,
      'qmail_send_concurrency_limit',
      "Concurrency limit per channel (concurrencylocal/concurrencyremote), from the last qmail-send 'status:' line.",
      ['channel'] as const,
    ),
    connections: new CounterFamily<readonly [listener: string, result: ConnectionResult]>(
      registry,
      'qmail_connections_total',
      "SMTP connections accepted or denied by tcpserver ('tcpserver: ok' / 'tcpserver: deny').",
      ['listener', 'result'] as const,
    ),
    connectionsActive: new GaugeFamily<readonly [listener: string]>(
      registry,
      'qmail_connections_active',
      "Concurrent connections, from the last 'tcpserver: status: n/limit' line.",
      ['listener'] as const,
    ),
    connectionsLimit: new GaugeFamily<readonly [listener: string]>(
      registry,
      'qmail_connections_limit',
      "tcpserver's connection limit (-c), from the last 'tcpserver: status: n/limit' line.",
      ['listener'] as const,
    ),
    rblRejections: new CounterFamily<readonly [listener: string, code: RblCode]>(
      registry,
      'qmail_rbl_rejections_total',
      'Clients refused because of a DNS blocklist listing (rblsmtpd, badiprbl patch, qlog rblreject, spamdyke).',
      ['listener', 'code'] as const,
    ),
    scans: new CounterFamily<readonly [scanner: Scanner, result: ScanResult]>(registry, 'qmail_scans_total', 'Messages scanned by simscan or qmail-scanner, by verdict.', ['scanner', 'result'] as const),
    logLines: new CounterFamily<readonly [result: LineResult]>(
      registry,
      'qmail_exporter_log_lines_total',
      'Lines read, by how they were accounted for: counted (gave an event), ignored (known, nothing to count), unrecognised, foreign (not a qmail-host program).',
      ['result'] as const,
    ),
    lastLineTimestamp: new GaugeFamily<readonly []>(
      registry,
      'qmail_exporter_last_line_timestamp_seconds',
      'Time written in the newest line read (Unix seconds); 0 until a line with a time is read.',
      [] as const,
    ),
    buildInfo: new GaugeFamily<readonly [version: string, nodejs: string]>(registry, 'qmail_exporter_build_info', 'Build information; always 1.', ['version', 'nodejs'] as const),
  };

  // Series whose label values do not depend on the log are visible at 0 from the first scrape.
  for (const p of AUTH_PROTOCOLS) {
    m.authAttempts.preset(p, 'success', 'none');
    for (const r of AUTH_REASONS) if (r !== 'none') m.authAttempts.preset(p, 'failure', r);
  }
  m.queueMessages.preset();
  for (const o of QUEUE_ORIGINS) m.queueMessagesByOrigin.preset(o);
  m.messageSize.preset();
  m.messageDuration.preset();
  for (const c of SEND_CHANNELS) {
    m.deliveriesStarted.preset(c);
    m.deliveries.preset(c, 'success', 'none');
    for (const r of DELIVERY_REASONS) {
      if (r === 'none') continue;
      m.deliveries.preset(c, 'deferral', r);
      m.deliveries.preset(c, 'failure', r);
    }
  }
  for (const k of BOUNCE_KINDS) m.bounces.preset(k);
  for (const s of SCANNERS) for (const r of SCAN_RESULTS) m.scans.preset(s, r);
  for (const r of LINE_RESULTS) m.logLines.preset(r);
  m.lastLineTimestamp.set([], 0);
  m.buildInfo.set([build.version, build.nodejs], 1);

  const knownListeners = new Set<string>();
  /** Pre-set a listener's series the first time it is seen, so its rates start from 0 rather than appearing mid-way. */
  function ensureListener(listener: string): void {
    if (knownListeners.has(listener)) return;
    knownListeners.add(listener);
    for (const c of RECIPIENT_CASES) for (const r of reasonsForCase(c)) m.smtpRecipients.preset(listener, c, r);
    m.smtpSenders.preset(listener, 'accepted', 'none');
    for (const r of SENDER_REASONS) if (r !== 'none') m.smtpSenders.preset(listener, 'rejected', r);
    m.smtpQueued.preset(listener);
    for (const source of RELAY_SOURCES) m.smtpNoAuthRelays.preset(listener, source);
    m.connections.preset(listener, 'accepted');
    m.connections.preset(listener, 'denied');
    for (const code of RBL_CODES) m.rblRejections.preset(listener, code);
  }

  const families: Record<string, AnyFamily> = {};
  for (const f of Object.values(m)) families[f.name] = f;

  return {
    ...m,
    ensureListener,
    /** Values of every family except build info, for a checkpoint. */
    snapshot(): Record<string, FamilySnapshot> {
      const out: Record<string, FamilySnapshot> = {};
      for (const [name, f] of Object.entries(families)) if (f !== m.buildInfo) out[name] = f.snapshot();
      return out;
    },
    /**
     * null when `snap` may be restored: every known family of the right type, every label value in
     * its vocabulary (LABEL_DOMAINS), at most MAX_LISTENERS listeners plus `other`, every count a
     * finite number (counters and histogram counts not negative). Families this version does not
     * have are ignored by restore(). Checked whole before restore(), which trusts it.
     */
    check(snap: unknown): string | null {
      if (typeof snap !== 'object' || snap === null || Array.isArray(snap)) return 'not an object';
      const listeners = new Set<string>();
      const labelsProblem = (f: AnyFamily, labels: unknown): string | null => {
        if (!Array.isArray(labels) || labels.length !== f.labelNames.length) return `${f.name}: label values are not a list of ${f.labelNames.length}`;
        for (let i = 0; i < labels.length; i++) {
          const v: unknown = labels[i];
          const name = f.labelNames[i]!;
          const domain = LABEL_DOMAINS[name];
          if (typeof v !== 'string') return `${f.name}: ${name} is not a string`;
          if (domain === undefined) return `${f.name}: no known bound for label ${name}`;
          if (domain === 'listener') {
            if (!LISTENER_NAME.test(v)) return `${f.name}: listener ${JSON.stringify(v.slice(0, 80))} is not a listener name`;
            listeners.add(v);
          } else if (!domain.has(v)) {
            return `${f.name}: ${name}=${JSON.stringify(v.slice(0, 80))} is outside its vocabulary`;
          }
        }
        return null;
      };
      const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
      for (const [name, s] of Object.entries(snap as Record<string, unknown>)) {
        const f = families[name];
        if (f === undefined || f === m.buildInfo) continue;
        if (typeof s !== 'object' || s === null || (s as { type?: unknown }).type !== f.type) return `${name}: not a ${f.type}`;
        if (f.type === 'histogram') {
          const buckets = (s as { buckets?: unknown }).buckets;
          if (!Array.isArray(buckets)) return `${name}: no bucket list`;
          for (const b of buckets) {
            if (!Array.isArray(b) || b.length !== 4) return `${name}: a series is not [labels, counts, sum, count]`;
            const problem = labelsProblem(f, b[0]);
            if (problem !== null) return problem;
            const counts: unknown = b[1];
            if (!Array.isArray(counts) || counts.length !== f.buckets.length + 1 || !counts.every((c) => finite(c) && c >= 0)) return `${name}: bucket counts`;
            if (!finite(b[2]) || !finite(b[3]) || b[3] < 0) return `${name}: sum or count`;
          }
        } else {
          const series = (s as { series?: unknown }).series;
          if (!Array.isArray(series)) return `${name}: no series list`;
          for (const e of series) {
            if (!Array.isArray(e) || e.length !== 2) return `${name}: a series is not [labels, value]`;
            const problem = labelsProblem(f, e[0]);
            if (problem !== null) return problem;
            if (!finite(e[1]) || (f.type === 'counter' && e[1] < 0)) return `${name}: value ${String(e[1]).slice(0, 40)}`;
          }
        }
        if (listeners.size > MAX_LISTENERS + 1) return `more than ${MAX_LISTENERS} listeners (${listeners.size})`;
      }
      return null;
    },
    /** Restore values saved by snapshot() and accepted by check(); families this version does not have are skipped. */
    restore(snap: Record<string, FamilySnapshot>): void {
      for (const [name, s] of Object.entries(snap)) {
        const f = families[name];
        if (f === undefined || f === m.buildInfo || s === null || typeof s !== 'object' || s.type !== f.type) continue;
        f.restore(s);
        if (f === m.smtpRecipients) for (const [labels] of s.series) if (labels[0] !== undefined) ensureListener(labels[0]);
      }
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
