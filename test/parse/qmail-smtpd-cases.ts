/**
 * Shared expectations of the qmail-smtpd patch tests (qmail-smtpd*.test.ts): the context, the event
 * constructors and a table runner through the router parseQmailSmtpd, which every patch file sits behind.
 *
 * Every line in these tests is built from the patches' source (jms1 combined patch v7.08,
 * sagredo-dev/qmail qmail-smtpd.c, QMailToaster patches, aqmail/aQmail smtpdlog.c, indimail-mta
 * log_trans()): "from format, not observed", except where a test says "observed".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQmailSmtpd } from '../../src/parse/qmail-smtpd.js';
import type { MailEvent } from '../../src/events/events.js';

export const ctx = { time: 1157519909.633171, listener: 'smtp' };
export const IP = '198.51.100.20';

export function recipient(rcptCase: string, reason: string, f: { sender?: string; auth?: string; ip?: string; rcpt?: string } = {}): MailEvent {
  return {
    event: 'smtp.recipient',
    time: ctx.time,
    case: rcptCase,
    reason,
    listener: ctx.listener,
    sender: f.sender ?? 'info@example.com',
    auth_user: f.auth ?? '',
    remote_ip: f.ip ?? IP,
    recipient: f.rcpt ?? 'bob@example.net',
  } as MailEvent;
}
export function sender(result: string, reason: string, f: { sender?: string; ip?: string } = {}): MailEvent {
  return {
    event: 'smtp.sender',
    time: ctx.time,
    result,
    reason,
    listener: ctx.listener,
    sender: f.sender ?? 'info@example.com',
    remote_ip: f.ip ?? IP,
  } as MailEvent;
}
export function auth(result: string, reason: string, user: string, ip = IP, protocol = 'smtp'): MailEvent {
  return { event: 'auth', time: ctx.time, protocol, result, reason, user, remote_ip: ip } as MailEvent;
}
export const rbl = (code: string, ip = IP): MailEvent => ({ event: 'rbl.reject', time: ctx.time, listener: ctx.listener, remote_ip: ip, code }) as MailEvent;
export const IGNORED: MailEvent = { event: 'ignored', time: ctx.time, program: 'qmail-smtpd' };

export type Cases = ReadonlyArray<readonly [string, string, MailEvent | null]>;
export function table(cases: Cases): void {
  for (const [name, line, want] of cases) test(name, () => assert.deepEqual(parseQmailSmtpd(line, ctx), want));
}
