/**
 * The counting core against a simulated host with known truth: `report --format=prometheus` over
 * generated logs (plain and gzip) must give every counter exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSimulatedLog } from '../../src/sim/writer.js';
import { runReport } from '../../src/commands/report.js';
import { loadSenderSetup } from '../../src/senders.js';
import { SENDER_ALIASES_TEXT, simulatedPasswd } from '../../src/sim/world.js';
import { readSeries, diffAgainst } from '../helpers/exposition.js';
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
        const actual = readSeries(text);
        const problems = [...diffAgainst(expectedFromTruth(truth), actual), ...unexpectedSeries(truth, actual)];
        assert.deepEqual(problems, [], `${file}:\n${problems.slice(0, 30).join('\n')}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test("report with the simulated host's --qmail.sender-aliases and default domain equals the truth of a run with its aliased pair", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-report-'));
  try {
    const start = Math.floor(Date.now() / 1000) - 7200;
    const log = join(dir, 'maillog');
    const aliasesFile = join(dir, 'sender-aliases');
    writeFileSync(aliasesFile, SENDER_ALIASES_TEXT);
    // seed 5 with aliases: alice sends as the sales desk now and then
    const truth = await writeSimulatedLog(log, { startTime: start, lines: 40_000, seed: 5, profile: 'abuse', senderAliases: true });
    const aliased = truth.counters['qmail_smtp_recipients_total{case="sent_auth_same_user",listener="submission",reason="alias"}'] ?? 0;
    assert.ok(aliased > 0, 'the aliased pair sent');
    const { setup } = loadSenderSetup(
      { defaultDomain: 'example.com', extensionDelimiters: '-+', aliasesFile, trustedRelayIps: ['127.0.0.0/8', '::1/128'], smtpUids: ['89'] },
      { passwd: simulatedPasswd() },
    );
    assert.equal(setup.aliases!.check().kind, 'loaded');
    const actual = readSeries(await runReport({ files: [log], format: 'prometheus', nowSeconds: Date.now() / 1000, senders: setup }));
    const problems = [...diffAgainst(expectedFromTruth(truth), actual), ...unexpectedSeries(truth, actual)];
    assert.deepEqual(problems, [], problems.slice(0, 30).join('\n'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
