// prom-client ships types for its index only; this is the Registry module on its own (see src/metrics/registry.ts).
declare module 'prom-client/lib/registry.js' {
  import type { Registry } from 'prom-client';
  const RegistryClass: typeof Registry;
  export default RegistryClass;
}
