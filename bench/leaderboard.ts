// Leaderboard cost with full boards: 10,000 keys × 3 windows (5m, 1h, 24h) × 6 boards, every key
// with events spread over the last 24 h. Prints observe throughput, scrape time and heap.
// Run: node --import tsx bench/leaderboard.ts   (add --expose-gc for steadier heap figures)
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import type { MailEvent } from '../src/events/events.js';
import { createLeaderboards } from '../src/leaderboard/index.js';

const HOUR = 3_600_000;
const KEYS = 10_000;
const EVENTS_PER_KEY = 20;
const SIZE = 10;

let now = 1_700_006_400_000;
const boards = createLeaderboards({
  windows: [
    { label: '5m', ms: 300_000 },
    { label: '1h', ms: HOUR },
    { label: '24h', ms: 24 * HOUR },
  ],
  maxKeys: KEYS,
  size: SIZE,
  hashUsers: process.argv.includes('--hash'),
  hashKey: 'bench',
  now: () => now,
});
const registry = new Registry();
boards.register(registry);

const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
function eventsFor(i: number, round: number): MailEvent[] {
  const user = `user${i}@example.org`;
  return [
    {
      event: 'smtp.recipient',
      time: null,
      case: round % 4 === 0 ? 'sent_auth_different_user' : 'sent_auth_same_user',
      reason: 'none',
      listener: 'smtp',
      sender: user,
      auth_user: user,
      remote_ip: ip(i * 3 + (round % 3)),
      recipient: 'r@example.net',
    },
    {
      event: 'smtp.recipient',
      time: null,
      case: 'rejected_no_auth',
      reason: 'relay_denied',
      listener: 'smtp',
      sender: '',
      auth_user: '',
      remote_ip: ip(i),
      recipient: 'r@example.net',
    },
    { event: 'auth', time: null, protocol: 'smtp', result: 'failure', reason: 'bad_password', user, remote_ip: ip(i) },
  ];
}

// Fill: EVENTS_PER_KEY rounds spread evenly over 24 h, every key touched each round.
const start = now;
let observed = 0;
globalThis.gc?.();
const heapBefore = process.memoryUsage().heapUsed;
const fillStart = performance.now();
for (let round = 0; round < EVENTS_PER_KEY; round++) {
  now = start + Math.floor((round * 24 * HOUR) / EVENTS_PER_KEY);
  for (let i = 0; i < KEYS; i++) {
    for (const e of eventsFor(i, round)) {
      boards.observe(e);
      observed++;
    }
  }
}
const fillMs = performance.now() - fillStart;
now = start + 24 * HOUR - 60_000;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const time = async (f: () => unknown): Promise<number> => {
  const t = performance.now();
  await f();
  return performance.now() - t;
};

const snapshots: number[] = [];
const scrapes: number[] = [];
let body = '';
// A scrape every 15 s (a usual scrape interval); the first one also expires the hour since the fill.
for (let i = 0; i < 9; i++) {
  now += 15_000;
  snapshots.push(await time(() => boards.snapshot()));
  now += 15_000;
  scrapes.push(await time(async () => (body = await registry.metrics())));
}
globalThis.gc?.();
const stats = boards.stats();
const series = body.split('\n').filter((l) => l.startsWith('qmail_leaderboard_') && !l.startsWith('#')).length;

console.log(`observe (fill, ${observed} events, mostly existing keys): ${fillMs.toFixed(0)} ms, ${((fillMs * 1000) / observed).toFixed(2)} µs/event`);
console.log(`tracked keys per board: ${JSON.stringify(stats.keys)}`);
console.log(`snapshot() of 6 boards × 3 windows, top ${SIZE}: median ${median(snapshots).toFixed(1)} ms, first (cold) ${snapshots[0]!.toFixed(1)} ms`);
console.log(`registry.metrics() (collect + render): median ${median(scrapes).toFixed(1)} ms, first ${scrapes[0]!.toFixed(1)} ms, ${series} series, ${body.length} bytes`);
const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
console.log(
  `heap held by 6 full boards: ${(heapGrowth / 1e6).toFixed(0)} MB, ${(heapGrowth / (6 * KEYS)).toFixed(0)} bytes per key` +
    (globalThis.gc ? ' (after gc)' : ' (run with --expose-gc for a steadier figure)'),
);

// Churn: 100,000 new keys per board through full boards (every observe evicts).
const churnStart = performance.now();
for (let i = KEYS; i < KEYS + 100_000; i++) for (const e of eventsFor(i, 0)) boards.observe(e);
const churnMs = performance.now() - churnStart;
console.log(`observe with eviction (300,000 events, 100,000 new keys per board): ${((churnMs * 1000) / 300_000).toFixed(2)} µs/event`);
console.log(`evictions: ${JSON.stringify(boards.stats().evictions)}`);
