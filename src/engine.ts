/**
 * The counting core shared by the live exporter and the offline commands: one registry, the
 * catalogue on it, the classifier, and the pipeline that joins them. No I/O happens here.
 */
import { Registry } from './metrics/registry.js';
import { createClassifier, type Classifier } from './classify/classifier.js';
import type { MailEvent } from './events/events.js';
import { createMetrics, type Metrics } from './metrics/catalogue.js';
import { createRecorder } from './metrics/record.js';
import type { SenderIdentity } from './events/recipient-case.js';
import type { RelayTrust } from './events/relay-trust.js';
import type { LocalSenders } from './events/queue-origin.js';

/** The decided sender options (src/senders.ts makes them from the flags and the host's files). */
export interface EngineSenders {
  identity: SenderIdentity;
  relayTrust: RelayTrust;
  localSenders: LocalSenders;
}
import { createPipeline, type Pipeline } from './pipeline.js';
import { VERSION } from './version.js';

export interface EngineOptions {
  listenerMap?: Record<string, string>;
  /** who is sending: how logins and senders are compared, trusted relay IPs, SMTP uids */
  senders?: EngineSenders;
  observers?: ReadonlyArray<(e: MailEvent) => void>;
  registry?: Registry;
}

export interface Engine {
  registry: Registry;
  metrics: Metrics;
  classifier: Classifier;
  pipeline: Pipeline;
}

export function createEngine(opts: EngineOptions = {}): Engine {
  const registry = opts.registry ?? new Registry();
  const metrics = createMetrics(registry, { version: VERSION, nodejs: process.version });
  const listenerMap = opts.listenerMap ?? {};
  for (const l of new Set(Object.values(listenerMap))) metrics.ensureListener(l);
  const classifier = createClassifier({ listenerMap, identity: opts.senders?.identity });
  const pipeline = createPipeline({
    classify: (text, ctx) => classifier.classify(text, ctx),
    flush: () => classifier.flush(),
    recorder: createRecorder(metrics, { relayTrust: opts.senders?.relayTrust, localSenders: opts.senders?.localSenders }),
    observers: opts.observers ?? [],
  });
  return { registry, metrics, classifier, pipeline };
}
