import { readFileSync } from 'node:fs';

/** Set by the single-file bundle's build (scripts/package.mjs), which has no package.json beside it. */
declare const __QMAIL_EXPORTER_VERSION__: string | undefined;

/** The package version: built into the bundle, else read once from package.json next to src/ or dist/. */
export const VERSION: string = (() => {
  if (typeof __QMAIL_EXPORTER_VERSION__ === 'string') return __QMAIL_EXPORTER_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
})();
