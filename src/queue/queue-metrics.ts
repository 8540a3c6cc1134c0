/**
 * The queue gauges, computed at scrape time from the queue reader (like qmail-qstat, but without
 * blocking the scrape: see queue-reader.ts). While the queue cannot be read the three gauges are
 * absent rather than wrong, and qmail_exporter_queue_read_errors_total grows.
 */
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { QueueReader, QueueReading } from './queue-reader.js';

/** A gauge without labels that can have no sample at all (prom-client would otherwise show 0). */
class OptionalGauge extends Gauge {
  absent = false;

  override async get(): ReturnType<Gauge['get']> {
    const metric = await super.get();
    return this.absent ? { ...metric, values: [] } : metric;
  }
}

export const QUEUE_METRIC_NAMES = [
  'qmail_queue_length',
  'qmail_queue_todo_length',
  'qmail_queue_oldest_message_age_seconds',
  'qmail_exporter_queue_last_read_timestamp_seconds',
  'qmail_exporter_queue_read_errors_total',
] as const;

/** Registers the queue gauges; `now` is the milliseconds clock the oldest message's age is taken against. */
export function registerQueueMetrics(registry: Registry, reader: QueueReader, now: () => number): void {
  const gauge = (name: string, help: string, value: (r: QueueReading) => number): void => {
    const g: OptionalGauge = new OptionalGauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const { reading } = await reader.sample();
        g.absent = reading === null;
        g.set(reading === null ? 0 : value(reading));
      },
    });
  };
  gauge('qmail_queue_length', 'Messages in the qmail queue (files in queue/mess, as qmail-qstat counts them).', (r) => r.messages);
  gauge(
    'qmail_queue_todo_length',
    'Messages in the qmail queue not yet preprocessed by qmail-send (files in queue/todo, as qmail-qstat counts them).',
    (r) => r.todo,
  );
  gauge(
    'qmail_queue_oldest_message_age_seconds',
    'Age of the oldest message in the qmail queue (by the mtime of its queue/mess file); 0 when the queue is empty.',
    (r) => (r.oldestMtimeMs === null ? 0 : Math.max(0, (now() - r.oldestMtimeMs) / 1000)),
  );
  gauge(
    'qmail_exporter_queue_last_read_timestamp_seconds',
    'When the queue reading the qmail_queue_* gauges show was taken (reads are cached and time-limited).',
    (r) => r.readAtMs / 1000,
  );
  new Counter({
    name: 'qmail_exporter_queue_read_errors_total',
    help: 'Reads of the qmail queue directory (--qmail.queue-path) that failed, e.g. for lack of permission.',
    registers: [registry],
    async collect(this: Counter) {
      // the same (cached or in-flight) read as the gauges, so the count includes this scrape's read
      const { errors } = await reader.sample();
      this.reset();
      this.inc(errors);
    },
  });
}
