#!/usr/bin/env node
/**
 * Entry point of the check_qmail_exporter Nagios plugin (built to dist/nagios/check-qmail-exporter.js).
 * Its own small composition root, separate from the exporter's cli.ts: reads argv, prints the
 * status line, sets the exit status. What it checks: ./check.ts.
 */
import { runCheck } from './check.js';

try {
  const r = await runCheck(process.argv.slice(2));
  process.stdout.write(`${r.output}\n`);
  process.exitCode = r.code;
} catch (err) {
  // A plugin must never die with a stack trace and exit 1 (WARNING): anything unforeseen is UNKNOWN.
  process.stdout.write(`QMAIL_EXPORTER UNKNOWN - ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 3;
}
