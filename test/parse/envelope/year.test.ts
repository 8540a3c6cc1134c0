/**
 * One year per file: the year of a year-less syslog time follows the stream's previous dated line
 * (nearest), seeded from the first exact stamp of the stream's head; without one, the reference rule
 * (closest before the file's date, mtime or now) places the first line and the rest follow it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yearlessLocalEpoch } from '../../../src/parse/envelope/local-time.js';
import { firstExactTime, seedYearAnchor } from '../../../src/parse/envelope/year.js';
import { createClassifier } from '../../../src/classify/classifier.js';
import type { LineContext } from '../../../src/events/parsed-line.js';

const utc = (y: number, m: number, d: number, h = 12, mi = 0, s = 0): number => Date.UTC(y, m - 1, d, h, mi, s) / 1000;

test('nearest to the anchor, across New Year in both directions', () => {
  // Dec 31 23:59 after an anchor of Jan 1 00:01 → the previous year
  assert.equal(yearlessLocalEpoch(11, 31, 23, 59, 0, utc(2026, 12, 2), utc(2026, 1, 1, 0, 1)), utc(2025, 12, 31, 23, 59));
  // Jan 1 00:00:10 after an anchor of Dec 31 23:59 → the next year
  assert.equal(yearlessLocalEpoch(0, 1, 0, 0, 10, utc(2026, 12, 2), utc(2025, 12, 31, 23, 59)), utc(2026, 1, 1, 0, 0, 10));
  // a year-old week: Nov 12 near a Nov 10 2025 anchor, read in Dec 2026
  assert.equal(yearlessLocalEpoch(10, 12, 8, 0, 0, utc(2026, 12, 2), utc(2025, 11, 10)), utc(2025, 11, 12, 8));
  // never past the reference's next day, even when nearer
  assert.equal(yearlessLocalEpoch(0, 10, 0, 0, 0, utc(2026, 1, 2), utc(2025, 12, 31)), utc(2025, 1, 10, 0));
  // no anchor: closest before the reference, as before
  assert.equal(yearlessLocalEpoch(10, 12, 8, 0, 0, utc(2026, 12, 2), null), utc(2026, 11, 12, 8));
});

const week = [
  'Nov 10 09:00:01 mail dovecot: imap-login: Disconnected (auth failed, 1 attempts): user=<info>, method=PLAIN, rip=198.51.100.87, lip=192.0.2.10, TLS',
  `Nov 10 09:00:02 mail qmail: ${utc(2025, 11, 10, 9, 0, 2)}.123136 new msg 161214`,
  'Nov 12 07:21:42 mail vpopmail[939]: vchkpw-pop3: password fail info@example.com:198.51.100.198',
  `Nov 16 23:59:00 mail qmail: ${utc(2025, 11, 16, 23, 59)}.374332 end msg 161214`,
];

test('the head of a stream seeds the anchor with its first exact stamp', () => {
  const ctx: LineContext = { referenceTime: utc(2026, 12, 2), listenerHint: null };
  assert.equal(firstExactTime(week, ctx), utc(2025, 11, 10, 9, 0, 2) + 0.123136);
  seedYearAnchor(ctx, week);
  assert.equal(ctx.yearAnchor, utc(2025, 11, 10, 9, 0, 2) + 0.123136);
});

test('a year-old week in an undated stream: every line in that week, the unstamped ones too', () => {
  const ctx: LineContext = { referenceTime: utc(2026, 12, 2), listenerHint: null };
  seedYearAnchor(ctx, week);
  const c = createClassifier();
  const times = week.map((l) => c.classify(l, ctx).events[0]?.time ?? null);
  for (const t of times) assert.ok(t !== null && t >= utc(2025, 11, 10, 0) && t <= utc(2025, 11, 17, 0), `time ${t}`);
});

test('without a seed the first unstamped line is placed by the reference, and the stamps re-anchor the rest', () => {
  const ctx: LineContext = { referenceTime: utc(2026, 12, 2), listenerHint: null };
  const c = createClassifier();
  const times = week.map((l) => c.classify(l, ctx).events[0]?.time ?? null);
  assert.equal(times[0], utc(2026, 11, 10, 9, 0, 1)); // nothing said otherwise yet
  assert.ok(times.slice(1).every((t) => t !== null && t < utc(2025, 11, 17)));
});

test('December to January without any stamp: the lines follow each other into the new year', () => {
  const ctx: LineContext = { referenceTime: utc(2026, 3, 1), listenerHint: null }; // stdin read in March
  const c = createClassifier();
  const lines = [
    'Dec 31 23:59:58 mail vpopmail[939]: vchkpw-pop3: password fail info@example.com:198.51.100.198',
    'Jan  1 00:00:03 mail vpopmail[940]: vchkpw-pop3: password fail info@example.com:198.51.100.198',
  ];
  const times = lines.map((l) => c.classify(l, ctx).events[0]?.time ?? null);
  assert.deepEqual(times, [utc(2025, 12, 31, 23, 59, 58), utc(2026, 1, 1, 0, 0, 3)]);
});
