/**
 * prom-client's Registry, loaded without the rest of the package. prom-client's index also loads
 * every metric type, the default process metrics, cluster aggregation and the Pushgateway client:
 * about 30 ms and 8 MB of resident memory at start-up that `report`, `classify` and `backfill`
 * never use (docs/benchmarks.md, "Start-up"). It is the very class the index exports (one module,
 * one cache entry), so registries made here and there are interchangeable.
 */
import RegistryClass from 'prom-client/lib/registry.js';

export const Registry = RegistryClass;
export type Registry = import('prom-client').Registry;
