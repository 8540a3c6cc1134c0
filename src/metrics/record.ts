/**
 * From events to metric updates. One switch over every MailEvent name, checked exhaustive, so a new
 * event kind without a recorder does not compile. (A switch rather than a table of handlers: looking a
 * handler up by the event's name was a generic keyed lookup on every event.)
 */
import type { LineResult, MailEvent } from '../events/events.js';
import type { Metrics } from './catalogue.js';
import { DEFAULT_LOCAL_SENDERS, queueOriginOf, type LocalSenders } from '../events/queue-origin.js';
import { DEFAULT_RELAY_TRUST, type RelayTrust } from '../events/relay-trust.js';

/** Operator knowledge the recorder needs (decided from the flags and injected). */
export interface RecorderOptions {
  /** which client IPs may relay without authentication (--qmail.trusted-relay-ips) */
  relayTrust?: RelayTrust;
  /** the uids qmail-smtpd runs as (--qmail.smtp-uids) */
  localSenders?: LocalSenders;
}

export interface Recorder {
  /** Count one event. */
  event(e: MailEvent): void;
  /** Account for one input line (qmail_exporter_log_lines_total) and track the newest line time. */
  line(result: LineResult, time: number | null): void;
}

/** Label-value arrays of the gauges without a per-event label, made once rather than per event. */
const NO_LABELS = [] as const;
const LOCAL = ['local'] as const;
const REMOTE = ['remote'] as const;

export function createRecorder(m: Metrics, opts: RecorderOptions = {}): Recorder {
  const relayTrust = opts.relayTrust ?? DEFAULT_RELAY_TRUST;
  const localSenders = opts.localSenders ?? DEFAULT_LOCAL_SENDERS;
  function event(e: MailEvent): void {
    switch (e.event) {
      case 'smtp.recipient':
        m.ensureListener(e.listener);
        m.smtpRecipients.inc3(e.listener, e.case, e.reason);
        if (e.case === 'sent_no_auth') m.smtpNoAuthRelays.inc2(e.listener, relayTrust.sourceOf(e.remote_ip));
        return;
      case 'smtp.sender':
        m.ensureListener(e.listener);
        m.smtpSenders.inc3(e.listener, e.result, e.reason);
        return;
      case 'smtp.queued':
        m.ensureListener(e.listener);
        m.smtpQueued.inc1(e.listener);
        return;
      case 'auth':
        m.authAttempts.inc3(e.protocol, e.result, e.reason);
        return;
      case 'queue.new':
        m.queueMessages.inc0();
        return;
      case 'queue.info':
        m.messageSize.observe(NO_LABELS, e.bytes);
        m.queueMessagesByOrigin.inc1(queueOriginOf(e.uid, localSenders));
        return;
      case 'queue.end':
        if (e.duration_seconds !== null && e.duration_seconds >= 0) m.messageDuration.observe(NO_LABELS, e.duration_seconds);
        return;
      case 'queue.bounce':
        m.bounces.inc1(e.kind);
        return;
      case 'delivery.start':
        m.deliveriesStarted.inc1(e.channel);
        return;
      case 'delivery.result':
        m.deliveries.inc3(e.channel, e.result, e.reason);
        return;
      case 'send.status':
        m.sendConcurrency.set(LOCAL, e.local);
        m.sendConcurrency.set(REMOTE, e.remote);
        m.sendConcurrencyLimit.set(LOCAL, e.local_limit);
        m.sendConcurrencyLimit.set(REMOTE, e.remote_limit);
        return;
      case 'connection.accepted':
        m.ensureListener(e.listener);
        m.connections.inc2(e.listener, 'accepted');
        return;
      case 'connection.denied':
        m.ensureListener(e.listener);
        m.connections.inc2(e.listener, 'denied');
        return;
      case 'connection.status':
        m.connectionsActive.set([e.listener], e.active);
        m.connectionsLimit.set([e.listener], e.limit);
        return;
      case 'rbl.reject':
        m.ensureListener(e.listener);
        m.rblRejections.inc2(e.listener, e.code);
        return;
      case 'scan':
        m.scans.inc2(e.scanner, e.result);
        return;
      case 'connection.open':
      case 'connection.end':
      case 'ignored':
      case 'unrecognised':
      case 'foreign':
        return;
      default: {
        const unhandled: never = e;
        return unhandled;
      }
    }
  }

  let newest = 0;
  return {
    event,
    line(result, time) {
      m.logLines.inc1(result);
      if (time !== null && time > newest) {
        newest = time;
        m.lastLineTimestamp.set(NO_LABELS, time);
      }
    },
  };
}
