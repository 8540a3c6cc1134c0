/**
 * The counting core against a simulated host with known truth: `report --format=prometheus` over
 * generated logs (plain and gzip) must give every counter exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { runReport } from '../../src/commands/report.js';
import { parseExposition, diffAgainst } from '../helpers/exposition.js';
import { expectedFromTruth, unexpectedSeries } from '../helpers/truth.js';

for (const profile of ['abuse', 'clean'] as const) {
  test(`report --format=prometheus equals the simulator's truth (${profile} profile, plain + gzip)`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qx-report-'));
    try {
      const start = Math.floor(Date.now() / 1000) - 7200;
      const plain = join(dir, 'maillog');
      const gz = join(dir, 'maillog-copy.gz');
      const truth = await writeSimulatedLog(plain, { startTime: start, lines: 30_000, seed: 7, profile });
      const truthGz = await writeSimulatedLog(gz, { startTime: start, lines: 30_000, seed: 7, profile });
      assert.deepEqual(truthGz.counters, truth.counters);
      for (const file of [plain, gz]) {
        const text = await runReport({ files: [file], format: 'prometheus', nowSeconds: Date.now() / 1000 });
        const actual = parseExposition(text);
        const problems = [...diffAgainst(expectedFromTruth(truth), actual), ...unexpectedSeries(truth, actual)];
        assert.deepEqual(problems, [], `${file}:\n${problems.slice(0, 30).join('\n')}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
