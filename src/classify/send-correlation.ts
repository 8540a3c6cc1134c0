/**
 * qmail-send correlation: its lines are about numbered deliveries and messages, and say some things
 * only once.
 *
 * - delivery number → {channel, msg} from 'starting delivery', so that the 'delivery N:' result
 *   carries its channel ('unknown' when the start was not seen);
 * - message id → time of 'new msg', so that 'end msg' carries the time spent in the queue. Ids are
 *   inode numbers reused after 'end msg', so the entry is cleared there.
 *
 * Keys include the syslog host and indimail's queue number, so several hosts or queues in one log do
 * not mix. Each map is capped at `maxPending`: the oldest entry is dropped and counted.
 */
import type { DeliveryChannel, MailEvent } from '../events/events.js';
import type { EnvelopeDetail } from '../parse/envelope/index.js';
import type { QmailSendRecord } from '../parse/qmail-send.js';
import { setCapped } from './capped-map.js';
import { classifyDeliveryReason } from './delivery-reasons.js';

/** Hosts numbered inside the numeric keys; a 64th host and later get string keys. */
export const MAX_HOSTS = 63;
const TWO_POW_40 = 2 ** 40;

/** What 'starting delivery' said, until the delivery's result. */
interface DeliveryEntry {
  channel: 'local' | 'remote';
  msg: number;
  /** a remote delivery's recipient domain, lower-case and at most MAX_DOMAIN_LENGTH characters ('' if none) */
  domain: string;
}

/** Longer than any DNS name (253); bounds what one delivery keeps in memory and in a checkpoint. */
const MAX_DOMAIN_LENGTH = 255;

/** The domain of a remote recipient ('user@Example.ORG' → 'example.org'); '' for a local delivery or no '@'. */
function recipientDomain(channel: 'local' | 'remote', recipient: string): string {
  if (channel !== 'remote') return '';
  const at = recipient.lastIndexOf('@');
  if (at < 0 || at === recipient.length - 1) return '';
  return recipient.slice(at + 1, at + 1 + MAX_DOMAIN_LENGTH).toLowerCase();
}

export interface SendCorrelationStats {
  pendingDeliveries: number;
  pendingMessages: number;
  droppedDeliveries: number;
  droppedMessages: number;
}

export interface SendCorrelation {
  /** A counted qmail-send record (accountingOf decided): its event, and the state it moves. */
  apply(r: QmailSendRecord, envelope: EnvelopeDetail, events: MailEvent[]): void;
  stats(): SendCorrelationStats;
  /** Checkpoint part: pending deliveries and messages, and the host numbering their keys use. */
  exportState(): { deliveries: Array<[number | string, 'local' | 'remote', number, string]>; messages: Array<[number | string, number | null]>; hosts: Array<[string, number]> };
  importState(state: Record<string, unknown>): void;
}

export function createSendCorrelation(opts: { maxPending: number }): SendCorrelation {
  const { maxPending } = opts;
  const deliveries = new Map<number | string, DeliveryEntry>();
  const messages = new Map<number | string, number | null>();
  const hostIds = new Map<string, number>();
  let droppedDeliveries = 0;
  let droppedMessages = 0;
  let lastHost = '';
  let lastHostId = 0;

  /** A numeric key for (host, queue, n); a string when n is too large to pack. */
  function sendKey(envelope: EnvelopeDetail, queue: number | null, n: number): number | string {
    let hostId = 0;
    if (envelope.host !== null) {
      const id = envelope.host === lastHost ? lastHostId : hostIds.get(envelope.host);
      if (id !== undefined) {
        hostId = id;
        lastHost = envelope.host;
        lastHostId = id;
      } else if (hostIds.size < MAX_HOSTS) {
        hostId = hostIds.size + 1;
        hostIds.set(envelope.host, hostId);
      } else {
        return `${envelope.host}|${queue ?? ''}|${n}`;
      }
    }
    const q = queue ?? 0;
    if (n >= TWO_POW_40 || q > 127) return `${envelope.host ?? ''}|${q}|${n}`;
    return (hostId * 128 + q) * TWO_POW_40 + n;
  }

  function apply(r: QmailSendRecord, envelope: EnvelopeDetail, events: MailEvent[]): void {
    const time = envelope.time;
    switch (r.type) {
      case 'new':
        droppedMessages += setCapped(messages, sendKey(envelope, r.queue, r.msg), time, maxPending);
        events.push({ event: 'queue.new', time, msg: r.msg });
        return;
      case 'info':
        events.push({ event: 'queue.info', time, msg: r.msg, bytes: r.bytes, sender: r.sender, qp: r.qp, uid: r.uid });
        return;
      case 'start':
        droppedDeliveries += setCapped(deliveries, sendKey(envelope, r.queue, r.delivery), { channel: r.channel, msg: r.msg, domain: recipientDomain(r.channel, r.recipient) }, maxPending);
        events.push({ event: 'delivery.start', time, delivery: r.delivery, msg: r.msg, channel: r.channel, recipient: r.recipient });
        return;
      case 'result': {
        const key = sendKey(envelope, r.queue, r.delivery);
        const entry = deliveries.get(key);
        let channel: DeliveryChannel = 'unknown';
        let domain: string | null = null;
        if (entry !== undefined) {
          channel = entry.channel;
          if (entry.domain !== '') domain = entry.domain;
          deliveries.delete(key);
        }
        events.push({
          event: 'delivery.result',
          time,
          delivery: r.delivery,
          result: r.result,
          reason: classifyDeliveryReason(r.result, r.report, r.mangled),
          channel,
          domain,
        });
        return;
      }
      case 'status':
        events.push({ event: 'send.status', time, local: r.local, local_limit: r.localLimit, remote: r.remote, remote_limit: r.remoteLimit });
        return;
      case 'bounce':
        events.push({ event: 'queue.bounce', time, kind: 'bounce', msg: r.msg });
        return;
      case 'triple-bounce':
        events.push({ event: 'queue.bounce', time, kind: 'triple_bounce_discarded', msg: r.msg });
        return;
      case 'end': {
        let key = sendKey(envelope, r.queue, r.msg);
        let started = messages.get(key);
        if (started === undefined && r.queue !== null) {
          // indimail's slowq-send logs 'new msg N' without the ' slowq' its other lines carry
          key = sendKey(envelope, null, r.msg);
          started = messages.get(key);
        }
        let duration: number | null = null;
        if (started !== undefined) {
          messages.delete(key);
          if (started !== null && time !== null) duration = Math.max(0, time - started);
        }
        events.push({ event: 'queue.end', time, msg: r.msg, duration_seconds: duration });
        return;
      }
      case 'exiting':
      case 'notice':
        return; // recognised, nothing to count (accountingOf says 'ignored')
    }
  }

  const isKey = (k: unknown): k is number | string => typeof k === 'string' || (typeof k === 'number' && Number.isFinite(k));
  const isTime = (t: unknown): t is number | null => t === null || (typeof t === 'number' && Number.isFinite(t));

  return {
    apply,
    stats: () => ({ pendingDeliveries: deliveries.size, pendingMessages: messages.size, droppedDeliveries, droppedMessages }),
    exportState: () => ({
      deliveries: [...deliveries].map(([k, v]) => [k, v.channel, v.msg, v.domain]),
      messages: [...messages],
      hosts: [...hostIds],
    }),
    importState(s) {
      // Entries that do not fit are skipped one by one; checkClassifierState refuses a bad checkpoint whole before this.
      if (Array.isArray(s.hosts)) {
        for (const h of s.hosts) {
          if (Array.isArray(h) && typeof h[0] === 'string' && typeof h[1] === 'number' && hostIds.size < MAX_HOSTS) hostIds.set(h[0], h[1]);
        }
      }
      if (Array.isArray(s.deliveries)) {
        for (const d of s.deliveries) {
          if (!Array.isArray(d) || !isKey(d[0]) || (d[1] !== 'local' && d[1] !== 'remote') || typeof d[2] !== 'number') continue;
          // a checkpoint written before domains were kept has no fourth field
          const domain = typeof d[3] === 'string' ? d[3].slice(0, MAX_DOMAIN_LENGTH).toLowerCase() : '';
          droppedDeliveries += setCapped(deliveries, d[0], { channel: d[1], msg: d[2], domain }, maxPending);
        }
      }
      if (Array.isArray(s.messages)) {
        for (const m of s.messages) {
          if (!Array.isArray(m) || !isKey(m[0]) || !isTime(m[1])) continue;
          droppedMessages += setCapped(messages, m[0], m[1], maxPending);
        }
      }
    },
  };
}
