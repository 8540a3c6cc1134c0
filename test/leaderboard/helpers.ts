import { Registry } from 'prom-client';
import type { AuthEvent, RecipientCase, SmtpRecipientEvent } from '../../src/events/events.js';
import { createLeaderboards } from '../../src/leaderboard/index.js';
import type { LeaderboardOptions, Leaderboards } from '../../src/leaderboard/index.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
/** A start time aligned on every bucket used in these tests (5 s, 1 min, 24 min). */
export const T0 = 1_700_006_400_000;

export function recipient(
  kase: RecipientCase,
  authUser: string,
  remoteIp: string,
  sender = 'someone@example.org',
): SmtpRecipientEvent {
  return {
    event: 'smtp.recipient',
    time: null,
    case: kase,
    reason: kase.startsWith('rejected') ? 'relay_denied' : kase === 'sent_auth_different_user' ? 'other_domain' : 'none',
    listener: 'smtp',
    sender,
    auth_user: authUser,
    remote_ip: remoteIp,
    recipient: 'rcpt@example.net',
  };
}

export function authFailure(user: string, remoteIp: string): AuthEvent {
  return {
    event: 'auth',
    time: null,
    protocol: 'smtp',
    result: 'failure',
    reason: 'bad_password',
    user,
    remote_ip: remoteIp,
  };
}

export interface ManualClock {
  now: () => number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function manualClock(start = T0): ManualClock {
  let t = start;
  return {
    now: () => t,
    set: (ms) => (t = ms),
    advance: (ms) => (t += ms),
  };
}

export function boardsWithClock(
  overrides: Partial<LeaderboardOptions> = {},
): { boards: Leaderboards; clock: ManualClock; registry: Registry } {
  const clock = manualClock();
  const boards = createLeaderboards({
    windows: [
      { label: '1m', ms: MINUTE },
      { label: '5m', ms: 5 * MINUTE },
    ],
    maxKeys: 100,
    size: 10,
    hashUsers: false,
    hashKey: '',
    now: clock.now,
    ...overrides,
  });
  const registry = new Registry();
  boards.register(registry);
  return { boards, clock, registry };
}

/** The series of one metric from a real scrape: label sets with their values. */
export async function scrape(
  registry: Registry,
  name: string,
): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  if (metric === undefined) throw new Error(`metric ${name} not registered`);
  return metric.values.map((v) => ({ labels: { ...v.labels } as Record<string, string | number>, value: v.value }));
}
