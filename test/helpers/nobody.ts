/**
 * Running the exporter as another user: root reads files whatever their mode, so a test of an
 * unreadable log starts the exporter as 'nobody' — where that is possible at all.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './exporter-process.js';

export const NOBODY = 65534;

/**
 * Why an exporter started as 'nobody' cannot run here, or null when it can: the tests must run as
 * root to switch user, and nobody must be able to read the repository (a private parent directory
 * stops it).
 */
export function whyNobodyCannotRunExporter(): string | null {
  if (process.getuid?.() !== 0) return 'the tests do not run as root, so they cannot start a process as nobody';
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli.ts'), '--version'], {
    cwd: REPO_ROOT,
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status === 0) return null;
  return `nobody cannot start the exporter from ${REPO_ROOT} (${(r.stderr || r.error?.message || '').split('\n')[0]})`;
}
