/**
 * From events to metric updates. The handler table is typed over every MailEvent name, so a new
 * event kind without a recorder does not compile.
 */
import type { LineResult, MailEvent, MailEventName } from '../classify/events.js';
import type { Metrics } from './catalogue.js';

type Handlers = { [K in MailEventName]: (e: Extract<MailEvent, { event: K }>) => void };

export interface Recorder {
  /** Count one event. */
  event(e: MailEvent): void;
  /** Account for one input line (qmail_exporter_log_lines_total) and track the newest line time. */
  line(result: LineResult, time: number | null): void;
}

export function createRecorder(m: Metrics): Recorder {
  const nothing = (): void => {};
  const handlers: Handlers = {
    'smtp.recipient': (e) => {
      m.ensureListener(e.listener);
      m.smtpRecipients.inc3(e.listener, e.case, e.reason);
    },
    'smtp.sender': (e) => {
      m.ensureListener(e.listener);
      m.smtpSenders.inc3(e.listener, e.result, e.reason);
    },
    'smtp.queued': (e) => {
      m.ensureListener(e.listener);
      m.smtpQueued.inc1(e.listener);
    },
    auth: (e) => m.authAttempts.inc3(e.protocol, e.result, e.reason),
    'queue.new': () => m.queueMessages.inc0(),
    'queue.info': (e) => m.messageSize.observe([], e.bytes),
    'queue.end': (e) => {
      if (e.duration_seconds !== null && e.duration_seconds >= 0) m.messageDuration.observe([], e.duration_seconds);
    },
    'queue.bounce': (e) => m.bounces.inc1(e.kind),
    'delivery.start': (e) => m.deliveriesStarted.inc1(e.channel),
    'delivery.result': (e) => m.deliveries.inc3(e.channel, e.result, e.reason),
    'send.status': (e) => {
      m.sendConcurrency.set(['local'], e.local);
      m.sendConcurrency.set(['remote'], e.remote);
      m.sendConcurrencyLimit.set(['local'], e.local_limit);
      m.sendConcurrencyLimit.set(['remote'], e.remote_limit);
    },
    'connection.open': nothing,
    'connection.accepted': (e) => {
      m.ensureListener(e.listener);
      m.connections.inc2(e.listener, 'accepted');
    },
    'connection.denied': (e) => {
      m.ensureListener(e.listener);
      m.connections.inc2(e.listener, 'denied');
    },
    'connection.end': nothing,
    'connection.status': (e) => {
      m.connectionsActive.set([e.listener], e.active);
      m.connectionsLimit.set([e.listener], e.limit);
    },
    'rbl.reject': (e) => {
      m.ensureListener(e.listener);
      m.rblRejections.inc2(e.listener, e.code);
    },
    scan: (e) => m.scans.inc2(e.scanner, e.result),
    ignored: nothing,
    unrecognised: nothing,
    foreign: nothing,
  };

  let newest = 0;
  return {
    event(e) {
      (handlers[e.event] as (e: MailEvent) => void)(e);
    },
    line(result, time) {
      m.logLines.inc1(result);
      if (time !== null && time > newest) {
        newest = time;
        m.lastLineTimestamp.set([], time);
      }
    },
  };
}
