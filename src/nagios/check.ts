/**
 * check_qmail_exporter: a Nagios/Icinga plugin for qmail_exporter, following the Monitoring
 * Plugins Development Guidelines: one status line `QMAIL_EXPORTER <STATE> - <text> | <perfdata>`,
 * exit status 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN, and -w/-c thresholds in the standard range
 * syntax (./range.ts).
 *
 * Modes:
 *   health          GET /healthz: 200 OK, 503 CRITICAL with the exporter's reasons; no answer is
 *                   CRITICAL too (as check_http). -w/-c apply to the response time in seconds.
 *   auth-failures   failed authentications per minute (qmail_auth_attempts_total{result="failure"})
 *   relay-refusals  recipients refused for relaying per minute (qmail_smtp_recipients_total{reason="relay_denied"})
 *   leaderboard     the top value of one leaderboard window (--board, --window), naming its user, IP or domain
 *   unrecognised    the share (%) of log lines the exporter did not recognise
 * In the metric modes an exporter that does not answer is UNKNOWN: the check cannot say anything
 * about the mail server (the health mode is the one that goes CRITICAL for that).
 *
 * Per-minute rates come from two checks: each run keeps the counter and the time in a small JSON
 * file under --state-dir, keyed by host:port:mode. The first run has nothing to compare with and
 * returns OK saying "first sample" (not UNKNOWN: an emptied /var/tmp must not raise a problem).
 * A counter lower than last time means the exporter restarted: its value is the increase since.
 *
 * Deliberately light: node built-ins only, no prom-client (the exposition is read by ./exposition.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseExposition, sumSamples, type Exposition, type Sample } from './exposition.js';
import { parseRange, rangeAlerts, type NagiosRange } from './range.js';

export const EXIT_CODES = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 } as const;
export type State = keyof typeof EXIT_CODES;

export const MODES = ['health', 'auth-failures', 'relay-refusals', 'leaderboard', 'sender-mismatch', 'unrecognised', 'queue', 'queue-age'] as const;
export type Mode = (typeof MODES)[number];

/** The exporter's leaderboards and the label naming each one's key (as src/leaderboard exports them). */
export const BOARD_KEYS = {
  auth_user_recipients: 'user',
  auth_user_source_ips: 'user',
  auth_user_sender_mismatches: 'user',
  relay_denied_ips: 'ip',
  auth_failure_ips: 'ip',
  auth_failure_users: 'user',
  no_auth_relay_ips: 'ip',
  local_injection_uids: 'uid',
  remote_blocklisting_domains: 'domain',
} as const;
export type Board = keyof typeof BOARD_KEYS;

export const DEFAULT_STATE_DIR = '/var/tmp/check_qmail_exporter';
const PREFIX = 'QMAIL_EXPORTER';
const MAX_BODY_BYTES = 32 * 1024 * 1024;

export interface CheckResult {
  state: State;
  code: (typeof EXIT_CODES)[State];
  /** what the plugin prints: the status line, and for --help the help text */
  output: string;
}

export interface CheckDeps {
  /** milliseconds clock, for the rate modes; Date.now by default */
  now?: () => number;
}

export const USAGE = `usage: check_qmail_exporter [-H host] [-p port] [-u path] [-S [--insecure]] [-a user:pass]
       [-t seconds] [-w range] [-c range] [--mode=MODE] [--board=NAME] [--window=W]
       [--state-dir=DIR]`;

export const HELP = `check_qmail_exporter: Nagios/Icinga plugin for qmail_exporter

${USAGE}

  -H, --hostname=HOST     exporter host (default 127.0.0.1)
  -p, --port=PORT         exporter port (default 9025)
  -u, --url=PATH          path to fetch (default /healthz in health mode, /metrics otherwise)
  -S, --ssl               use HTTPS
      --insecure          with -S: do not verify the server certificate
  -a, --authorization=USER:PASS   HTTP basic authentication
  -t, --timeout=SECONDS   give up after this long (default 10)
  -w, --warning=RANGE     WARNING threshold
  -c, --critical=RANGE    CRITICAL threshold
  -m, --mode=MODE         health (default), auth-failures, relay-refusals, leaderboard, sender-mismatch,
                          unrecognised, queue, queue-age
      --board=NAME        leaderboard mode: ${Object.keys(BOARD_KEYS).join(', ')}
      --window=W          leaderboard mode: the window label (default 5m)
      --where=LABEL=VALUE leaderboard mode: only series with this label value (repeat), e.g.
                          --where=source=untrusted on no_auth_relay_ips
      --state-dir=DIR     rate modes keep their last sample here (default ${DEFAULT_STATE_DIR})
  -h, --help              this text
  -V, --version           the plugin version

Modes and what the thresholds apply to:
  health          response time in seconds; HTTP 503 or no answer is CRITICAL
  auth-failures   failed authentications per minute since the previous check
  relay-refusals  recipients refused for relaying per minute since the previous check
  leaderboard     the top value of --board in --window (the status line names its user, IP, uid or domain)
  sender-mismatch the alert rule of QmailAccountSenderMismatch(SameDomain): -c applies to the
                  account with the most recipients sent as another domain's senders in 5m
                  (default 9: CRITICAL from 10), -w to the account with the most sent as other
                  senders of its own domain in 1h (default 100: WARNING above 100)
  unrecognised    % of log lines not recognised since the previous check (since the exporter
                  started, on the first check)
  queue           messages in qmail's queue, as qmail-qstat counts them (replaces check_qmailq;
                  the exporter needs --qmail.queue-path); the status line adds those in todo
  queue-age       age in seconds of the oldest message in the queue
The rate modes return OK "first sample" on their first run. In the metric modes an exporter that
does not answer is UNKNOWN.

Ranges (Monitoring Plugins guidelines): 10 (outside 0..10), 10: (below 10), ~:10 (above 10),
10:20 (outside 10..20), @10:20 (inside 10..20).
Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
`;

/**
 * Text for the one status line: keys and reasons come from log lines, which may hold anything. A
 * '|' would start the perfdata for Nagios; CR, LF, ESC (terminal escapes in a web UI or a mail) and
 * every other control character, and the Unicode line and paragraph separators, become a space or
 * go.
 */
export function sanitizeStatusText(text: string): string {
  return text
    .replace(/\|/g, '/')
    .replace(/[\r\n\t\u2028\u2029]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

function result(state: State, text: string, perfdata: string[] = []): CheckResult {
  const clean = sanitizeStatusText(text);
  const perf = perfdata.length > 0 ? ` | ${perfdata.join(' ')}` : '';
  return { state, code: EXIT_CODES[state], output: `${PREFIX} ${state} - ${clean}${perf}` };
}

function plain(state: State, text: string): CheckResult {
  return { state, code: EXIT_CODES[state], output: text };
}

/** `label=value[uom];warn;crit;min;max` (Monitoring Plugins perfdata). */
export function perf(label: string, value: number, uom = '', warn?: NagiosRange | null, crit?: NagiosRange | null, min?: number, max?: number): string {
  const quoted = /^[A-Za-z0-9_.-]+$/.test(label) ? label : `'${label.replace(/'/g, '')}'`;
  const num = (n: number | undefined): string => (n === undefined ? '' : String(n));
  return `${quoted}=${round(value)}${uom};${warn?.text ?? ''};${crit?.text ?? ''};${num(min)};${num(max)}`;
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

function judge(value: number, warn: NagiosRange | null, crit: NagiosRange | null): State {
  if (crit !== null && rangeAlerts(crit, value)) return 'CRITICAL';
  if (warn !== null && rangeAlerts(warn, value)) return 'WARNING';
  return 'OK';
}

/** Set by the single-file build of the plugin (scripts/package.mjs), which has no package.json beside it. */
declare const __QMAIL_EXPORTER_VERSION__: string | undefined;

function version(): string {
  if (typeof __QMAIL_EXPORTER_VERSION__ === 'string') return __QMAIL_EXPORTER_VERSION__;
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

// ---------------------------------------------------------------------------------------------
// HTTP

interface HttpAnswer {
  status: number;
  body: string;
  seconds: number;
}

class NoAnswer extends Error {}

function httpGet(url: URL, opts: { timeoutMs: number; insecure: boolean; auth: string | null }): Promise<HttpAnswer> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { accept: 'text/plain, application/json', 'user-agent': `check_qmail_exporter/${version()}` };
    if (opts.auth !== null) headers.authorization = `Basic ${Buffer.from(opts.auth).toString('base64')}`;
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'GET', headers, rejectUnauthorized: !opts.insecure });
    const timer = setTimeout(() => req.destroy(new NoAnswer(`no answer within ${opts.timeoutMs / 1000}s`)), opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err instanceof NoAnswer ? err : new NoAnswer(err.message));
    });
    req.on('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) req.destroy(new NoAnswer(`answer larger than ${MAX_BODY_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), seconds });
      });
      res.on('error', () => undefined); // reported through req's error
    });
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// State between runs (rate modes)

interface Saved {
  timeMs: number;
  values: Record<string, number>;
}

function stateFile(dir: string, key: string): string {
  return join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
}

function readState(file: string): Saved | null {
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as Partial<Saved>;
    if (typeof data.timeMs !== 'number' || typeof data.values !== 'object' || data.values === null) return null;
    for (const v of Object.values(data.values)) if (typeof v !== 'number' || !Number.isFinite(v)) return null;
    return { timeMs: data.timeMs, values: data.values };
  } catch {
    return null;
  }
}

function writeState(dir: string, file: string, saved: Saved): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(saved));
  renameSync(tmp, file);
}

/** Counter increase from `before` to `now`; a lower value means a restart, counted from zero. */
export function counterIncrease(before: number, now: number): number {
  return now >= before ? now - before : now;
}

// ---------------------------------------------------------------------------------------------

interface Options {
  mode: Mode;
  url: URL;
  timeoutMs: number;
  insecure: boolean;
  auth: string | null;
  warn: NagiosRange | null;
  crit: NagiosRange | null;
  board: Board | null;
  window: string;
  /** leaderboard mode: label filters */
  where: Record<string, string>;
  stateDir: string;
  stateKey: string;
}

class UsageError extends Error {}

function parseOptions(argv: string[]): Options | 'help' | 'version' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        hostname: { type: 'string', short: 'H', default: '127.0.0.1' },
        port: { type: 'string', short: 'p', default: '9025' },
        url: { type: 'string', short: 'u' },
        ssl: { type: 'boolean', short: 'S', default: false },
        insecure: { type: 'boolean', default: false },
        authorization: { type: 'string', short: 'a' },
        timeout: { type: 'string', short: 't', default: '10' },
        warning: { type: 'string', short: 'w' },
        critical: { type: 'string', short: 'c' },
        mode: { type: 'string', short: 'm', default: 'health' },
        board: { type: 'string' },
        window: { type: 'string', default: '5m' },
        where: { type: 'string', multiple: true, default: [] },
        'state-dir': { type: 'string', default: DEFAULT_STATE_DIR },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'V', default: false },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  if (values.help) return 'help';
  if (values.version) return 'version';

  const mode = values.mode as Mode;
  if (!(MODES as readonly string[]).includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, not '${values.mode}'`);
  const host = values.hostname.trim();
  if (host === '' || /[\s/?#@]/.test(host)) throw new UsageError(`-H: not a host name or address: '${values.hostname}'`);
  const port = Number(values.port);
  if (!/^\d{1,5}$/.test(values.port) || port < 1 || port > 65535) throw new UsageError(`-p: not a port number: '${values.port}'`);
  const timeout = Number(values.timeout);
  if (!/^\d+(\.\d+)?$/.test(values.timeout) || timeout <= 0 || timeout > 3600) throw new UsageError(`-t: seconds from 0 to 3600, not '${values.timeout}'`);
  const path = values.url ?? (mode === 'health' ? '/healthz' : '/metrics');
  if (!path.startsWith('/')) throw new UsageError(`-u: a path starting with /, not '${path}'`);
  if (values.insecure && !values.ssl) throw new UsageError('--insecure only makes sense with -S');
  const auth = values.authorization ?? null;
  if (auth !== null && !auth.includes(':')) throw new UsageError('-a: expected user:password');
  const range = (flag: string, text: string | undefined): NagiosRange | null => {
    if (text === undefined) return null;
    const r = parseRange(text);
    if (r === null) throw new UsageError(`${flag}: not a threshold range: '${text}'`);
    return r;
  };
  const mismatchDefaults = mode === 'sender-mismatch';
  const warn = range('-w', values.warning ?? (mismatchDefaults ? '100' : undefined));
  const crit = range('-c', values.critical ?? (mismatchDefaults ? '9' : undefined));
  const where: Record<string, string> = {};
  for (const w of values.where) {
    const m = /^([a-z_]+)=(.*)$/.exec(w);
    if (m === null) throw new UsageError(`--where: LABEL=VALUE, not '${w}'`);
    where[m[1]!] = m[2]!;
  }
  if (values.where.length > 0 && mode !== 'leaderboard') throw new UsageError('--where only applies to --mode=leaderboard');
  let board: Board | null = null;
  if (mode === 'leaderboard') {
    if (values.board === undefined) throw new UsageError(`--mode=leaderboard needs --board (${Object.keys(BOARD_KEYS).join(', ')})`);
    if (!(values.board in BOARD_KEYS)) throw new UsageError(`--board must be one of ${Object.keys(BOARD_KEYS).join(', ')}, not '${values.board}'`);
    board = values.board as Board;
  } else if (values.board !== undefined) throw new UsageError('--board only applies to --mode=leaderboard');
  if (!/^[0-9a-z]+$/.test(values.window)) throw new UsageError(`--window: a window label such as 5m, 1h or 24h, not '${values.window}'`);
  const hostInUrl = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  let url: URL;
  try {
    url = new URL(`${values.ssl ? 'https' : 'http'}://${hostInUrl}:${port}${path}`);
  } catch {
    throw new UsageError(`cannot make a URL of host '${host}', port ${port} and path '${path}'`);
  }
  return {
    mode,
    url,
    timeoutMs: timeout * 1000,
    insecure: values.insecure,
    auth,
    warn,
    crit,
    board,
    window: values.window,
    where,
    stateDir: values['state-dir'],
    stateKey: `${host}:${port}:${mode}`,
  };
}

export async function runCheck(argv: string[], deps: CheckDeps = {}): Promise<CheckResult> {
  const now = deps.now ?? Date.now;
  let opts: Options | 'help' | 'version';
  try {
    opts = parseOptions(argv);
  } catch (err) {
    if (err instanceof UsageError) return plain('UNKNOWN', `${PREFIX} UNKNOWN - ${err.message}\n${USAGE}`);
    throw err;
  }
  // As the Monitoring Plugins do, --help and --version exit UNKNOWN: they check nothing.
  if (opts === 'help') return plain('UNKNOWN', HELP.trimEnd());
  if (opts === 'version') return plain('UNKNOWN', `check_qmail_exporter ${version()}`);

  if (opts.mode === 'health') return checkHealth(opts);

  let answer: HttpAnswer;
  try {
    answer = await httpGet(opts.url, opts);
  } catch (err) {
    return result('UNKNOWN', `no answer from ${opts.url.href}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (answer.status !== 200) return result('UNKNOWN', `HTTP ${answer.status} from ${opts.url.href}`);
  const expo = parseExposition(answer.body);
  if (!expo.types.has('qmail_exporter_build_info') && !expo.samples.some((s) => s.name === 'qmail_exporter_build_info')) {
    return result('UNKNOWN', `${opts.url.href} is not qmail_exporter's metrics (no qmail_exporter_build_info)`);
  }
  switch (opts.mode) {
    case 'auth-failures':
      return checkRate(opts, now(), sumSamples(expo.samples, 'qmail_auth_attempts_total', { result: 'failure' }), 'auth failures', 'auth_failures');
    case 'relay-refusals':
      return checkRate(opts, now(), sumSamples(expo.samples, 'qmail_smtp_recipients_total', { reason: 'relay_denied' }), 'relay refusals', 'relay_refusals');
    case 'leaderboard':
      return checkLeaderboard(opts, expo);
    case 'sender-mismatch':
      return checkSenderMismatch(opts, expo);
    case 'unrecognised':
      return checkUnrecognised(opts, now(), expo.samples);
    case 'queue':
    case 'queue-age':
      return checkQueue(opts, expo.samples);
  }
}

/** check_qmailq's job from the exporter's queue gauges: UNKNOWN when the exporter does not read the queue. */
function checkQueue(opts: Options, samples: Sample[]): CheckResult {
  const one = (name: string): number | null => samples.find((x) => x.name === name)?.value ?? null;
  const length = one('qmail_queue_length');
  const todo = one('qmail_queue_todo_length');
  const age = one('qmail_queue_oldest_message_age_seconds');
  if (length === null || todo === null || age === null) {
    return result('UNKNOWN', 'no queue gauges: start the exporter with --qmail.queue-path, and check /healthz (the queue may be unreadable)');
  }
  const value = opts.mode === 'queue' ? length : age;
  const state = judge(value, opts.warn, opts.crit);
  const text = `${length} messages in queue, ${todo} not yet preprocessed, oldest ${round(age / 3600)} h old`;
  return result(state, text, [
    perf('queue', length, '', opts.mode === 'queue' ? opts.warn : null, opts.mode === 'queue' ? opts.crit : null, 0),
    perf('todo', todo, '', null, null, 0),
    perf('oldest', age, 's', opts.mode === 'queue-age' ? opts.warn : null, opts.mode === 'queue-age' ? opts.crit : null, 0),
  ]);
}

async function checkHealth(opts: Options): Promise<CheckResult> {
  let answer: HttpAnswer;
  try {
    answer = await httpGet(opts.url, opts);
  } catch (err) {
    return result('CRITICAL', `no answer from ${opts.url.href}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const perfdata = [perf('time', answer.seconds, 's', opts.warn, opts.crit, 0)];
  type HealthBody = { status?: unknown; reasons?: unknown; files?: unknown };
  let body: HealthBody | null;
  try {
    const parsed: unknown = JSON.parse(answer.body);
    body = typeof parsed === 'object' && parsed !== null ? (parsed as HealthBody) : null;
  } catch {
    body = null;
  }
  const files = body !== null && Array.isArray(body.files) ? (body.files as Array<{ present?: unknown }>) : null;
  if (files !== null) {
    perfdata.push(perf('files', files.length, '', null, null, 0));
    perfdata.push(perf('files_missing', files.filter((f) => f.present === false).length, '', null, null, 0));
  }
  if (answer.status === 503) {
    const reasons = body !== null && Array.isArray(body.reasons) ? body.reasons.map(String) : [];
    return result('CRITICAL', `unhealthy${reasons.length > 0 ? `: ${reasons.join('; ')}` : ' (HTTP 503)'}`, perfdata);
  }
  if (answer.status !== 200) return result('CRITICAL', `HTTP ${answer.status} from ${opts.url.href}`, perfdata);
  const state = judge(answer.seconds, opts.warn, opts.crit);
  const following = files !== null ? `, following ${files.length} file${files.length === 1 ? '' : 's'}` : '';
  return result(state, `healthy${following}, answered in ${round(answer.seconds)}s`, perfdata);
}

function checkRate(opts: Options, nowMs: number, total: number, what: string, label: string): CheckResult {
  const file = stateFile(opts.stateDir, opts.stateKey);
  const before = readState(file);
  try {
    writeState(opts.stateDir, file, { timeMs: nowMs, values: { total } });
  } catch (err) {
    return result('UNKNOWN', `cannot keep state in ${opts.stateDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const totalPerf = perf(`${label}_total`, total, 'c');
  const previous = before?.values.total;
  if (before === null || previous === undefined || nowMs <= before.timeMs) {
    return result('OK', `first sample: ${total} ${what} since the exporter started; the rate needs a second check`, [totalPerf]);
  }
  const minutes = (nowMs - before.timeMs) / 60_000;
  const perMinute = counterIncrease(previous, total) / minutes;
  const state = judge(perMinute, opts.warn, opts.crit);
  return result(state, `${round(perMinute)} ${what}/min over the last ${formatMinutes(minutes)}`, [
    perf(`${label}_per_minute`, perMinute, '', opts.warn, opts.crit, 0),
    totalPerf,
  ]);
}

function formatMinutes(minutes: number): string {
  const seconds = Math.round(minutes * 60);
  if (seconds < 120) return `${seconds}s`;
  return `${Math.round(seconds / 60)}m`;
}

function checkLeaderboard(opts: Options, expo: Exposition): CheckResult {
  const board = opts.board!;
  const name = `qmail_leaderboard_${board}`;
  const keyLabel = BOARD_KEYS[board];
  const all = expo.samples.filter((s) => s.name === name);
  if (all.length === 0 && !expo.types.has(name)) return result('UNKNOWN', `the exporter does not export ${name}`);
  // A window the exporter does not have is a mistake in the check's command, not an empty board.
  const configured = expo.samples.filter((s) => s.name === 'qmail_leaderboard_window_seconds').map((s) => s.labels.window ?? '');
  if (configured.length > 0 && !configured.includes(opts.window)) {
    return result('UNKNOWN', `${board}: the exporter has no window ${opts.window} (its windows: ${configured.join(', ')})`);
  }
  const entries = all.filter((s) => s.labels.window === opts.window && Object.entries(opts.where).every(([k, v]) => s.labels[k] === v));
  const windows = [...new Set(all.map((s) => s.labels.window))];
  const perfEntries = perf('entries', entries.length, '', null, null, 0);
  if (entries.length === 0) {
    const state = judge(0, opts.warn, opts.crit);
    const seen = windows.length > 0 ? ` (windows with entries: ${windows.join(', ')})` : '';
    return result(state, `${board} ${opts.window}: no entries${seen}`, [perf('top', 0, '', opts.warn, opts.crit, 0), perfEntries]);
  }
  entries.sort((a, b) => b.value - a.value || keyOf(a, keyLabel).localeCompare(keyOf(b, keyLabel)));
  const top = entries[0]!;
  const state = judge(top.value, opts.warn, opts.crit);
  const others = entries.slice(1, 3).map((s) => `${keyOf(s, keyLabel)} ${round(s.value)}`);
  const rest = others.length > 0 ? `; next: ${others.join(', ')}` : '';
  return result(state, `${board} ${opts.window}: top ${keyLabel} ${keyOf(top, keyLabel)} = ${round(top.value)}${rest}`, [
    perf('top', top.value, '', opts.warn, opts.crit, 0),
    perfEntries,
  ]);
}

/**
 * The rule the mismatch alerts follow: a hijack sends as another domain (CRITICAL from 10 recipients
 * of one account in 5 minutes by default), a shared office as colleagues of the same domain (WARNING
 * only above 100 recipients of one account in an hour).
 */
function checkSenderMismatch(opts: Options, expo: Exposition): CheckResult {
  const name = 'qmail_leaderboard_auth_user_sender_mismatches';
  const all = expo.samples.filter((s) => s.name === name);
  if (all.length === 0 && !expo.types.has(name)) return result('UNKNOWN', `the exporter does not export ${name}`);
  const top = (window: string, reason: string): Sample | null => {
    let best: Sample | null = null;
    for (const s of all) {
      if (s.labels.window !== window || s.labels.reason !== reason) continue;
      if (best === null || s.value > best.value || (s.value === best.value && keyOf(s, 'user') < keyOf(best, 'user'))) best = s;
    }
    return best;
  };
  const other = top('5m', 'other_domain');
  const same = top('1h', 'same_domain');
  const otherValue = other?.value ?? 0;
  const sameValue = same?.value ?? 0;
  let state: State = 'OK';
  if (opts.crit !== null && rangeAlerts(opts.crit, otherValue)) state = 'CRITICAL';
  else if (opts.warn !== null && rangeAlerts(opts.warn, sameValue)) state = 'WARNING';
  const describe = (s: Sample | null, what: string): string => (s === null ? `no account sent as ${what}` : `${keyOf(s, 'user')} = ${round(s.value)} as ${what}`);
  return result(state, `5m: ${describe(other, 'another domain')}; 1h: ${describe(same, 'its own domain')}`, [
    perf('other_domain_5m', otherValue, '', null, opts.crit, 0),
    perf('same_domain_1h', sameValue, '', opts.warn, null, 0),
  ]);
}

function keyOf(s: Sample, label: string): string {
  return s.labels[label] ?? '';
}

function checkUnrecognised(opts: Options, nowMs: number, samples: Sample[]): CheckResult {
  const total = sumSamples(samples, 'qmail_exporter_log_lines_total');
  const unrecognised = sumSamples(samples, 'qmail_exporter_log_lines_total', { result: 'unrecognised' });
  const file = stateFile(opts.stateDir, opts.stateKey);
  const before = readState(file);
  try {
    writeState(opts.stateDir, file, { timeMs: nowMs, values: { total, unrecognised } });
  } catch (err) {
    return result('UNKNOWN', `cannot keep state in ${opts.stateDir}: ${err instanceof Error ? err.message : String(err)}`);
  }
  let lines = total;
  let bad = unrecognised;
  let since = 'since the exporter started';
  const prevTotal = before?.values.total;
  const prevBad = before?.values.unrecognised;
  if (prevTotal !== undefined && prevBad !== undefined && total >= prevTotal && total > prevTotal) {
    lines = total - prevTotal;
    bad = counterIncrease(prevBad, unrecognised);
    since = 'since the last check';
  }
  const share = lines > 0 ? (100 * bad) / lines : 0;
  const state = judge(share, opts.warn, opts.crit);
  const text = lines > 0 ? `${round(share)}% of lines unrecognised (${bad} of ${lines} ${since})` : `no lines read ${since}`;
  return result(state, text, [
    perf('unrecognised', share, '%', opts.warn, opts.crit, 0, 100),
    perf('lines', total, 'c'),
    perf('unrecognised_lines', unrecognised, 'c'),
  ]);
}
