/**
 * Syslog headers are the local time of the simulated host. This file runs in zones whose clocks
 * jump (daylight saving, a half-hour jump, a quarter-hour offset): every header must still be the
 * local time of the line's splogger stamp, and the repeated autumn hour must appear twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSimulatedHost } from '../../src/sim/host.js';
import { readEnvelope, readLog, syslogTime } from './read-log.js';

const ZONES: Array<{ zone: string; transition: string }> = [
  { zone: 'America/New_York', transition: '2023-11-05T06:00:00Z' }, // 02:00 EDT → 01:00 EST
  { zone: 'Europe/Berlin', transition: '2024-03-31T01:00:00Z' }, // 02:00 CET → 03:00 CEST
  { zone: 'Australia/Lord_Howe', transition: '2024-04-06T15:00:00Z' }, // 02:00 → 01:30, a half-hour step
  { zone: 'Asia/Kathmandu', transition: '2024-01-01T00:00:00Z' }, // +05:45, no transition
];

for (const { zone, transition } of ZONES) {
  test(`syslog headers are local time in ${zone}`, () => {
    const saved = process.env.TZ;
    process.env.TZ = zone;
    try {
      const at = Date.parse(transition) / 1000;
      assert.notEqual(syslogTime(at), syslogTime(at + 86_400 * 180), 'the zone is known to this Node');
      const start = at - 1800;
      const host = createSimulatedHost({ startTime: start, seed: 1, linesPerSecond: 4 });
      const lines = host.advanceTo(at + 1800);
      const read = readLog(lines, start, 4);
      assert.deepEqual(read.unknown, []);
      assert.deepEqual(read.problems.slice(0, 5), []);
      assert.deepEqual(host.truth().counters, read.counters);
      if (zone === 'America/New_York') {
        // the hour from 01:00 is written twice: before the switch (EDT) and after it (EST)
        let earlier = 0;
        let later = 0;
        for (const line of lines) {
          const e = readEnvelope(line);
          if (e.stampUs === null || !line.startsWith('Nov  5 01:')) continue;
          if (e.time < at) earlier++;
          else later++;
        }
        assert.ok(earlier > 100 && later > 100, `${earlier} lines in the first 01:xx hour, ${later} in the second`);
        assert.equal(lines.filter((l) => l.startsWith('Nov  5 02:')).length, 0);
      }
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
}
