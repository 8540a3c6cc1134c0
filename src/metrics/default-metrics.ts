/**
 * prom-client's process_* and nodejs_* metrics, made clean for `promtool check metrics`.
 *
 * prom-client adds gauges `nodejs_active_{handles,requests,resources}_total` beside the per-type
 * gauges `nodejs_active_{handles,requests,resources}{type}` they sum up. A `_total` suffix on a
 * gauge breaks the naming rules promtool checks, and the sum is `sum(nodejs_active_handles)`, so
 * those three are left out; everything else is registered as prom-client defines it.
 */
import { collectDefaultMetrics, Registry } from 'prom-client';

export function registerDefaultMetrics(registry: Registry): void {
  const inner = new Registry();
  collectDefaultMetrics({ register: inner });
  for (const metric of inner.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    if (name.endsWith('_total') && type !== 'counter') continue;
    registry.registerMetric(metric as never);
  }
}
