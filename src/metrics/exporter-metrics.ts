/**
 * The exporter's metrics about itself: the follower's view of each log file, checkpoints, and the
 * classifier's bounded state. `path` labels are bounded by the --qmail.log-path flags given.
 */
import type { Registry } from 'prom-client';
import { CounterFamily, GaugeFamily } from './tally.js';

export const ROTATION_KINDS = ['renamed', 'truncated', 'recreated'] as const;
export const CHECKPOINT_RESULTS = ['success', 'failure'] as const;
export const RESTORE_RESULTS = ['restored', 'none', 'mismatch', 'corrupt', 'unreadable'] as const;
export type RestoreResult = (typeof RESTORE_RESULTS)[number];

export interface ClassifierStats {
  pendingDeliveries: number;
  pendingMessages: number;
  pendingPolicy: number;
  heldRecords: number;
}

export function createExporterMetrics(registry: Registry, paths: readonly string[]) {
  const m = {
    rotations: new CounterFamily<readonly [path: string, kind: string]>(
      registry,
      'qmail_exporter_log_rotations_total',
      'Rotations of a followed log seen by the follower: renamed (maillog -> maillog-YYYYMMDD, multilog current -> @*.s), truncated (copytruncate), recreated (deleted and created again).',
      ['path', 'kind'] as const,
    ),
    readBytes: new CounterFamily<readonly [path: string]>(registry, 'qmail_exporter_log_read_bytes_total', 'Bytes read from a followed log.', ['path'] as const),
    lagBytes: new GaugeFamily<readonly [path: string]>(
      registry,
      'qmail_exporter_log_lag_bytes',
      'Bytes of a followed log not read yet (file size minus read offset) after the last read.',
      ['path'] as const,
    ),
    readErrors: new CounterFamily<readonly [path: string]>(registry, 'qmail_exporter_log_read_errors_total', 'Errors opening, stating or reading a followed log.', ['path'] as const),
    filePresent: new GaugeFamily<readonly [path: string]>(registry, 'qmail_exporter_log_file_present', '1 when the followed log exists and is open, 0 while it is missing.', ['path'] as const),
    oversizedLines: new CounterFamily<readonly [path: string]>(
      registry,
      'qmail_exporter_log_oversized_lines_total',
      'Lines longer than the line-length cap, cut to the cap and counted as read.',
      ['path'] as const,
    ),
    checkpointWrites: new CounterFamily<readonly [result: string]>(
      registry,
      'qmail_exporter_checkpoint_writes_total',
      'Checkpoint writes (offsets and counter values, see --storage.path), by result.',
      ['result'] as const,
    ),
    checkpointLastSuccess: new GaugeFamily<readonly []>(
      registry,
      'qmail_exporter_checkpoint_last_success_timestamp_seconds',
      'Time of the last successful checkpoint write (Unix seconds); 0 before the first.',
      [] as const,
    ),
    checkpointRestores: new CounterFamily<readonly [result: string]>(
      registry,
      'qmail_exporter_checkpoint_restores_total',
      'Checkpoint loads at start-up: restored, none (no checkpoint), mismatch (a followed file was replaced or truncated below the saved offset), corrupt (not JSON, too large, or a value out of bounds: refused whole), unreadable.',
      ['result'] as const,
    ),
    classifierPending: new GaugeFamily<readonly [kind: string]>(
      registry,
      'qmail_exporter_classifier_pending',
      'Entries held by the classifier (bounded): deliveries awaiting their result, messages awaiting end msg, eMPF recipients awaiting mail recv, records awaiting a possible continuation.',
      ['kind'] as const,
    ),
  };
  for (const p of paths) {
    for (const k of ROTATION_KINDS) m.rotations.preset(p, k);
    m.readBytes.preset(p);
    m.lagBytes.set([p], 0);
    m.readErrors.preset(p);
    m.filePresent.set([p], 0);
    m.oversizedLines.preset(p);
  }
  for (const r of CHECKPOINT_RESULTS) m.checkpointWrites.preset(r);
  for (const r of RESTORE_RESULTS) m.checkpointRestores.preset(r);
  m.checkpointLastSuccess.set([], 0);
  return {
    ...m,
    classifierStats(s: ClassifierStats): void {
      m.classifierPending.set(['deliveries'], s.pendingDeliveries);
      m.classifierPending.set(['messages'], s.pendingMessages);
      m.classifierPending.set(['policy'], s.pendingPolicy);
      m.classifierPending.set(['held_records'], s.heldRecords);
    },
  };
}

export type ExporterMetrics = ReturnType<typeof createExporterMetrics>;

/**
 * The syslog listeners (--syslog.listen-address): `address` labels are bounded by the flags given,
 * every other label by the vocabularies of src/receive/.
 */
export function createSyslogMetrics(
  registry: Registry,
  addresses: readonly string[],
  vocabulary: { connectionResults: readonly string[]; messageResults: readonly string[]; framingErrors: readonly string[] },
) {
  const m = {
    connections: new CounterFamily<readonly [address: string, result: string]>(
      registry,
      'qmail_exporter_syslog_connections_total',
      'TCP connections to a syslog listener: accepted, or evicted (the connection idle longest, closed to admit a new one when the connection cap is reached).',
      ['address', 'result'] as const,
    ),
    connectionsOpen: new GaugeFamily<readonly [address: string]>(registry, 'qmail_exporter_syslog_connections_open', 'TCP connections open on a syslog listener.', ['address'] as const),
    bytes: new CounterFamily<readonly [address: string]>(registry, 'qmail_exporter_syslog_received_bytes_total', 'Bytes received by a syslog listener (TCP stream bytes or UDP datagram bytes).', ['address'] as const),
    messages: new CounterFamily<readonly [address: string, result: string]>(
      registry,
      'qmail_exporter_syslog_messages_total',
      'Syslog messages received: accepted (passed on as log lines), foreign_host (HOSTNAME is not --syslog.hostname; also counted as foreign lines).',
      ['address', 'result'] as const,
    ),
    framingErrors: new CounterFamily<readonly [address: string, kind: string]>(
      registry,
      'qmail_exporter_syslog_framing_errors_total',
      'Framing problems: oversized (a message longer than the cap, cut to it), truncated (the connection closed inside an octet-counted frame), invalid_length (an octet count of 0).',
      ['address', 'kind'] as const,
    ),
    lastMessage: new GaugeFamily<readonly [address: string]>(
      registry,
      'qmail_exporter_syslog_last_message_timestamp_seconds',
      'When a syslog listener last received a message (Unix seconds, exporter clock); 0 before the first.',
      ['address'] as const,
    ),
  };
  for (const a of addresses) {
    for (const r of vocabulary.connectionResults) m.connections.preset(a, r);
    m.connectionsOpen.set([a], 0);
    m.bytes.preset(a);
    for (const r of vocabulary.messageResults) m.messages.preset(a, r);
    for (const k of vocabulary.framingErrors) m.framingErrors.preset(a, k);
    m.lastMessage.set([a], 0);
  }
  return m;
}

export type SyslogMetrics = ReturnType<typeof createSyslogMetrics>;
