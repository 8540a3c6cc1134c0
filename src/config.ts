/**
 * The command line of the exporter and of every subcommand (classify, report, backfill), from ONE
 * declarative table per command: each row names a flag, its type, its default, its help text and
 * how its value is checked; parsing, the QMAIL_EXPORTER_* environment names, `--help` and the
 * defaults all derive from those rows. Pure: argv and env are arguments, nothing is read from the
 * process or the disk, so every rule here is testable with plain values. Any bad flag throws a
 * ConfigError that names it (cli.ts adds the command's name and exits 2).
 *
 * Flags use Prometheus' dotted style (`--web.listen-address`). Each exporter flag `--a.b-c` is
 * mirrored by `QMAIL_EXPORTER_A_B_C`; a flag given on the command line wins over its environment
 * variable (for repeatable flags, argv values replace the environment list, they do not add to
 * it). The subcommands read no environment: they are run by hand, on whatever files are named.
 *
 * Adding a flag: one row in the command's table below (`text`, `bool`, `number`, `duration`,
 * `oneOf`, `list` or `value` for a parser of your own), then read it where the values are turned
 * into what the program uses (`parseConfig` for the exporter; cli.ts for a subcommand). Its value
 * is typed from the row, its help and environment name come for free, and config.test.ts checks
 * that the help lists it.
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from './errors.js';
import { DEFAULT_TRUSTED_RELAY_IPS, parseRelayTrust } from './events/relay-trust.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];
/** `report --format`: the text tables, their JSON, or the exposition the live exporter would serve. */
export const REPORT_FORMATS = ['text', 'json', 'prometheus'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** One leaderboard window: `label` as the operator wrote it ('24h'), `ms` its length. */
export interface LeaderboardWindow {
  label: string;
  ms: number;
}

export interface Config {
  web: {
    /** validated with parseListenAddress; at least one, no duplicates */
    listenAddresses: string[];
    telemetryPath: string;
    /** path of the exporter-toolkit style YAML (TLS, basic auth, headers), or null */
    configFile: string | null;
    disableExporterMetrics: boolean;
  };
  qmail: {
    logPaths: string[];
    readFromStart: boolean;
    /** syslog tag → listener name (e.g. 'smtp-mx' → 'mx') */
    listenerMap: ReadonlyMap<string, string>;
    missingGraceMs: number;
    /** qmail's queue directory for the queue gauges, or null (not read) */
    queuePath: string | null;
    /** sender identity, trusted relays, SMTP uids (--qmail.default-domain and the rest of 'Who is sending') */
    senders: SenderFlags;
  };
  syslog: {
    /** tcp://HOST:PORT or udp://HOST:PORT, validated with parseSyslogAddress; none: no listener */
    listenAddresses: string[];
    /** the mail host the listeners serve (lines naming another host are foreign), or null: any */
    hostname: string | null;
    maxConnections: number;
    maxMessageBytes: number;
  };
  storage: {
    /** directory for checkpoints and state, or null (no persistence) */
    path: string | null;
    intervalMs: number;
  };
  leaderboard: {
    windows: LeaderboardWindow[];
    maxKeys: number;
    /** estimated heap all leaderboards together may hold, in MiB */
    memoryBudgetMb: number;
    size: number;
    hashUsers: boolean;
    /** explicit key, or null: the caller derives one per install (see deriveHashKey) */
    hashKey: string | null;
  };
  log: { level: LogLevel; format: LogFormat };
  demo: boolean;
  help: boolean;
  version: boolean;
  /** things worth one log line at start-up, e.g. QMAIL_EXPORTER_* variables that match no flag */
  warnings: string[];
}

/** Prefix of every environment variable that mirrors a flag. */
export const ENV_PREFIX = 'QMAIL_EXPORTER_';

/** `--web.listen-address` → `QMAIL_EXPORTER_WEB_LISTEN_ADDRESS` */
export function envNameFor(flag: string): string {
  return ENV_PREFIX + flag.replace(/^--/, '').toUpperCase().replace(/[.-]/g, '_');
}

/** Paths the HTTP app serves itself; the telemetry path must not shadow them. */
const RESERVED_PATHS = ['/healthz', '/-/healthy', '/-/ready'];

/** Longest duration a Node timer can wait: longer delays fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_HASH_KEY_LENGTH = 16;
const MAX_LEADERBOARD_WINDOWS = 10;

// ---------------------------------------------------------------------------------------------
// Durations

const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const DURATION_UNITS_MS = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1_000, 1];

/**
 * Parses a Prometheus-style duration ('500ms', '30s', '1h30m', '0') into milliseconds.
 * Units must come in descending order, each at most once; no fractions, no signs.
 * Returns null when the text is not a duration (or is too large to be exact).
 */
export function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  if (text === '') return null;
  const m = DURATION_RE.exec(text);
  if (!m) return null;
  let total = 0;
  for (let i = 0; i < DURATION_UNITS_MS.length; i++) {
    const digits = m[i + 1];
    if (digits !== undefined) total += Number(digits) * DURATION_UNITS_MS[i]!;
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** Milliseconds back to the shortest Prometheus-style text ('1h30m', '500ms', '0s'). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const names = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let rest = ms;
  let out = '';
  for (let i = 0; i < DURATION_UNITS_MS.length; i++) {
    const unit = DURATION_UNITS_MS[i]!;
    const n = Math.floor(rest / unit);
    if (n > 0) {
      out += `${n}${names[i]}`;
      rest -= n * unit;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Listen addresses

/**
 * A syslog listener address: `tcp://HOST:PORT` or `udp://HOST:PORT`; HOST may be empty (every
 * address), a name, an IPv4 address or a [bracketed] IPv6 address. Throws ConfigError naming the flag.
 */
export function parseSyslogAddress(text: string): { protocol: 'tcp' | 'udp'; host: string; port: number } {
  const m = /^(tcp|udp):\/\/(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]*):(\d{1,5})$/.exec(text);
  const fail = (why: string): never => {
    throw new ConfigError('QX_CONFIG_INVALID', `--syslog.listen-address: ${why} (got ${JSON.stringify(text)})`, {
      details: { flag: '--syslog.listen-address', value: text },
    });
  };
  if (!m) return fail('expected tcp://HOST:PORT or udp://HOST:PORT');
  const port = Number(m[3]);
  if (port > 65535) fail('the port must be a number from 0 to 65535');
  const bracketed = m[2]!.startsWith('[');
  const host = bracketed ? m[2]!.slice(1, -1) : m[2]!;
  if (bracketed && !isIPv6(host)) fail('the part in brackets must be an IPv6 address');
  if (!bracketed && host !== '' && !isIPv4(host) && !HOSTNAME_RE.test(host)) fail(`${JSON.stringify(host)} is not a valid host name or IPv4 address`);
  return { protocol: m[1] as 'tcp' | 'udp', host, port };
}

const HOSTNAME_RE = /^(?=.{1,253}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

/**
 * Splits a listen address the way exporter-toolkit's --web.listen-address reads it:
 * ':9025' → all interfaces (host undefined, so listen() binds every address family),
 * '127.0.0.1:9025', 'localhost:9025', '[::1]:9025' → host without brackets.
 * Port 0 asks the kernel for a free port (tests). Throws ConfigError naming the flag.
 */
export function parseListenAddress(addr: string): { host: string | undefined; port: number } {
  const fail = (why: string): never => {
    throw new ConfigError('QX_CONFIG_INVALID', `--web.listen-address: ${why} (got ${JSON.stringify(addr)})`, {
      details: { flag: '--web.listen-address', value: addr },
    });
  };
  let host: string;
  let portText: string;
  const bracketed = /^\[([^\]]*)\]:([^:]*)$/.exec(addr);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2]!;
    const withoutZone = host.replace(/%[A-Za-z0-9_.-]+$/, '');
    if (!isIPv6(withoutZone)) fail('the part in brackets must be an IPv6 address');
  } else {
    const colon = addr.lastIndexOf(':');
    if (colon < 0) fail('expected host:port, [ipv6]:port or :port');
    host = addr.slice(0, colon);
    portText = addr.slice(colon + 1);
    if (host.includes(':')) fail('an IPv6 address must be written in brackets, e.g. [::1]:9025');
    if (host !== '' && !isIPv4(host)) {
      if (/^[0-9.]+$/.test(host)) fail(`${JSON.stringify(host)} is not a valid IPv4 address`);
      if (!HOSTNAME_RE.test(host)) fail(`${JSON.stringify(host)} is not a valid host name`);
    }
  }
  if (!/^\d{1,5}$/.test(portText)) fail('the port must be a number from 0 to 65535');
  const port = Number(portText);
  if (port > 65535) fail('the port must be a number from 0 to 65535');
  return { host: host === '' ? undefined : host, port };
}

// ---------------------------------------------------------------------------------------------
// Hash key

/**
 * The per-install leaderboard hash key used when --leaderboard.hash-key is not given:
 * a SHA-256 of a fixed label and the machine's id (the caller reads /etc/machine-id, or the host
 * name when there is none). Stable across restarts, so hashed names stay comparable over time,
 * and different on every host.
 */
export function deriveHashKey(installId: string): string {
  return createHash('sha256').update(`qmail_exporter leaderboard hash key\0${installId.trim()}`).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Parsing

/** A raw value and where it came from, so errors can name the environment variable too. */
interface Source {
  flag: string;
  env: string | null;
}

function invalid(src: Source, why: string, value?: unknown): never {
  const where = src.env === null ? src.flag : `${src.env} (${src.flag})`;
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  throw new ConfigError('QX_CONFIG_INVALID', `${where}: ${why}${got}`, {
    details: { flag: src.flag, ...(src.env === null ? {} : { env: src.env }), ...(value === undefined ? {} : { value }) },
  });
}

function parseBooleanEnv(src: Source, text: string): boolean {
  const t = text.trim().toLowerCase();
  if (t === '1' || t === 'true') return true;
  if (t === '0' || t === 'false') return false;
  return invalid(src, 'expected 1, 0, true or false', text);
}

function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function parseIntIn(src: Source, text: string, min: number, max: number): number {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return invalid(src, `expected a whole number from ${min} to ${max}`, text);
  const n = Number(t);
  if (!Number.isSafeInteger(n) || n < min || n > max) return invalid(src, `expected a whole number from ${min} to ${max}`, text);
  return n;
}

function parseDurationFlag(src: Source, text: string, opts: { min: number; max: number }): number {
  const ms = parseDuration(text.trim());
  if (ms === null) return invalid(src, 'expected a duration such as 500ms, 30s, 5m, 1h30m, 1d', text);
  if (ms < opts.min) return invalid(src, `must be at least ${formatDuration(opts.min)}`, text);
  if (ms > opts.max) return invalid(src, `must be at most ${formatDuration(opts.max)}`, text);
  return ms;
}

const LISTENER_NAME_RE = /^[a-zA-Z0-9_.-]{1,64}$/;
const LISTENER_TAG_RE = /^[^\s=,]{1,64}$/;

function parseListenerMap(src: Source, items: string[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const item of items.flatMap(splitList)) {
    const eq = item.indexOf('=');
    if (eq < 0) invalid(src, 'expected tag=listener pairs', item);
    const tag = item.slice(0, eq).trim();
    const listener = item.slice(eq + 1).trim();
    if (!LISTENER_TAG_RE.test(tag)) invalid(src, 'the tag must be 1 to 64 characters without spaces, "=" or ","', item);
    if (!LISTENER_NAME_RE.test(listener)) invalid(src, 'the listener name must match [a-zA-Z0-9_.-]{1,64}', item);
    const before = map.get(tag);
    if (before !== undefined && before !== listener) invalid(src, `tag ${JSON.stringify(tag)} is mapped twice`, item);
    map.set(tag, listener);
  }
  return map;
}

function parseTelemetryPath(src: Source, text: string): string {
  if (!text.startsWith('/')) invalid(src, 'must start with "/"', text);
  if (text === '/') invalid(src, 'must not be "/" (the landing page)', text);
  if (/[\s?#]/.test(text)) invalid(src, 'must not contain spaces, "?" or "#"', text);
  if (RESERVED_PATHS.includes(text)) invalid(src, `must not be one of ${RESERVED_PATHS.join(', ')}`, text);
  return text;
}

function parseWindows(src: Source, text: string): LeaderboardWindow[] {
  const labels = splitList(text);
  if (labels.length === 0) invalid(src, 'expected at least one duration', text);
  if (labels.length > MAX_LEADERBOARD_WINDOWS) invalid(src, `at most ${MAX_LEADERBOARD_WINDOWS} windows`, text);
  const windows: LeaderboardWindow[] = [];
  for (const label of labels) {
    const ms = parseDuration(label);
    if (ms === null) invalid(src, 'expected comma-separated durations such as 5m,1h,24h', label);
    if (ms < 1000) invalid(src, 'each window must be at least 1s', label);
    if (windows.some((w) => w.ms === ms)) invalid(src, 'the same window is listed twice', label);
    windows.push({ label, ms });
  }
  return windows;
}

function nonEmpty(src: Source, text: string): string {
  if (text.trim() === '') invalid(src, 'must not be empty', text);
  return text;
}

function unique(src: Source, items: string[]): string[] {
  const seen = new Set<string>();
  for (const item of items) {
    if (seen.has(item)) invalid(src, 'listed twice', item);
    seen.add(item);
  }
  return items;
}

function parseOneOf<T extends string>(src: Source, text: string, allowed: readonly T[]): T {
  const t = text.trim();
  const found = allowed.find((a) => a === t);
  if (found === undefined) return invalid(src, `expected one of ${allowed.join(', ')}`, text);
  return found;
}

// ---------------------------------------------------------------------------------------------
// The flag rows

/**
 * One flag. `T` is the type of its value once checked. `arity` is how the command line gives it:
 * `bool` (`--x`, `--no-x`), `one` (`--x=V` or `--x V`; the last one wins) or `many` (repeatable;
 * from the environment a comma- or newline-separated list).
 */
export interface Flag<T> {
  readonly type: 'bool' | 'text' | 'number' | 'duration' | 'one-of' | 'list' | 'value';
  readonly arity: 'bool' | 'one' | 'many';
  /** the placeholder in help: `--web.listen-address=ADDR` */
  readonly metavar: string;
  /** what the flag does, one paragraph (the help wraps it) */
  readonly help: string;
  /** help section heading (the exporter groups its flags; subcommands list them under 'Flags') */
  readonly group: string;
  /** a one-letter alias: `-o FILE`, `-h` */
  readonly short: string | undefined;
  /** false: no QMAIL_EXPORTER_* mirror (--help, --version) and no 'default:' line in help */
  readonly env: boolean;
  /** true: the value never appears in an error message (keys, passwords) */
  readonly secret: boolean;
  /** the default as help shows it */
  readonly defaultText: string;
  /** the value when neither the command line nor the environment gives one */
  defaultValue(): T;
  /** checks a given value: text for `one`, items for `many`, true/false for `bool`; throws ConfigError */
  parse(raw: string | readonly string[] | boolean, src: Source): T;
}

interface RowText {
  help: string;
  metavar?: string;
  group?: string;
  short?: string;
}

function row<T>(type: Flag<T>['type'], arity: Flag<T>['arity'], o: RowText, more: Pick<Flag<T>, 'defaultText' | 'defaultValue' | 'parse'> & { env?: boolean; secret?: boolean }): Flag<T> {
  return {
    type,
    arity,
    metavar: o.metavar ?? 'VALUE',
    help: o.help,
    group: o.group ?? 'Flags',
    short: o.short,
    env: more.env ?? true,
    secret: more.secret ?? false,
    defaultText: more.defaultText,
    defaultValue: more.defaultValue,
    parse: more.parse,
  };
}

/** The source a default is parsed as: errors in a default are the program's, but still name the flag. */
const defaultSource = (name: string): Source => ({ flag: `--${name}`, env: null });

/** An on/off flag: `--x`, `--no-x`; from the environment 1, 0, true or false. Off unless given. */
export function bool(o: RowText & { env?: boolean }): Flag<boolean> {
  return row('bool', 'bool', o, { env: o.env, defaultText: 'false', defaultValue: () => false, parse: (raw) => raw === true });
}

type TextCheck = (text: string, src: Source) => string;
/** A string. With `default` its value is always a string; with `none` (the help's words for "not set") it may be null. */
export function text(o: RowText & { default: string; check?: TextCheck; secret?: boolean }): Flag<string>;
export function text(o: RowText & { none: string; check?: TextCheck; secret?: boolean }): Flag<string | null>;
export function text(o: RowText & { default?: string; none?: string; check?: TextCheck; secret?: boolean }): Flag<string | null> {
  const check: TextCheck = o.check ?? ((t, src) => nonEmpty(src, t));
  return row('text', 'one', o, {
    secret: o.secret,
    defaultText: o.default ?? o.none ?? 'none',
    defaultValue: () => o.default ?? null,
    parse: (raw, src) => check(String(raw), src),
  });
}

/** A whole number within [min, max]. */
export function number(o: RowText & { default: number; min: number; max: number }): Flag<number> {
  return row('number', 'one', { metavar: 'N', ...o }, {
    defaultText: String(o.default),
    defaultValue: () => o.default,
    parse: (raw, src) => parseIntIn(src, String(raw), o.min, o.max),
  });
}

/** A Prometheus-style duration ('30s', '1h30m'), in milliseconds, within [min, max] ms. */
export function duration(o: RowText & { default: string; min?: number; max?: number }): Flag<number> {
  const limits = { min: o.min ?? 0, max: o.max ?? Number.MAX_SAFE_INTEGER };
  return row('duration', 'one', { metavar: 'DURATION', ...o }, {
    defaultText: o.default,
    defaultValue: () => parseDuration(o.default)!,
    parse: (raw, src) => parseDurationFlag(src, String(raw), limits),
  });
}

/** One word of a closed list. */
export function oneOf<const V extends readonly string[]>(o: RowText & { values: V; default: V[number] }): Flag<V[number]> {
  return row('one-of', 'one', o, {
    defaultText: o.default,
    defaultValue: () => o.default,
    parse: (raw, src) => parseOneOf(src, String(raw), o.values),
  });
}

/**
 * A repeatable flag. Without `parse` its value is the list of strings as given (each checked not
 * empty); with `parse` whatever that makes of the whole list (a map, parsed addresses, …).
 */
export function list<T = string[]>(o: RowText & { default: readonly string[]; none?: string; parse?: (items: readonly string[], src: Source) => T }): Flag<T> {
  const parse = o.parse ?? ((items: readonly string[], src: Source) => items.map((i) => nonEmpty(src, i)) as T);
  return row<T>('list', 'many', o, {
    defaultText: o.default.length > 0 ? o.default.join(',') : (o.none ?? 'none'),
    defaultValue: () => parse(o.default, defaultSource('default')),
    parse: (raw, src) => parse(Array.isArray(raw) ? raw : [String(raw)], src),
  });
}

/** A single value with a parser of its own (`--leaderboard.windows`); its default is parsed by the same parser. */
export function value<T>(o: RowText & { default: string; parse: (text: string, src: Source) => T }): Flag<T> {
  return row('value', 'one', o, {
    defaultText: o.default,
    defaultValue: () => o.parse(o.default, defaultSource('default')),
    parse: (raw, src) => o.parse(String(raw), src),
  });
}

// ---------------------------------------------------------------------------------------------
// The tables

const HELP_FLAG = bool({ help: 'Show this help and exit.', short: 'h', env: false, group: 'Other' });

/** Shared by the exporter and the offline commands, so all read the same map with the same rules. */
const LISTENER_MAP_FLAG = list({
  group: 'Mail log',
  metavar: 'TAG=NAME',
  help:
    'Name the SMTP listener whose lines carry syslog tag TAG, e.g. smtp-mx=mx. Repeat, or give a list: smtp-mx=mx,smtp-sub=submission. ' +
    'NAME matches [a-zA-Z0-9_.-]{1,64}. Tags without a mapping are used as they are.',
  default: [],
  parse: (items, src) => parseListenerMap(src, [...items]) as ReadonlyMap<string, string>,
});

// ---- who is sending (sender identity, relays without authentication, local injection)

const DOMAIN_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
const SMTP_UID_ITEM = /^(\d{1,10}|[a-z_][a-z0-9_.-]{0,31}\$?)$/;

const DEFAULT_DOMAIN_FLAG = text({
  group: 'Who is sending',
  metavar: 'DOMAIN',
  help:
    'Domain of a login without "@" (vpopmail\'s default domain): login "info" is info@DOMAIN when compared with the envelope sender. ' +
    'With none known, a bare login matches a sender of the same local part in any domain.',
  none: 'the first line of /var/qmail/control/defaultdomain, else the domain part of /var/qmail/control/me, when readable',
  check: (t, src) => {
    const d = t.trim().toLowerCase();
    if (d.length > 253 || !DOMAIN_NAME.test(d)) invalid(src, 'must be a domain name such as example.com', t);
    return d;
  },
});
const EXTENSION_DELIMITERS_FLAG = text({
  group: 'Who is sending',
  metavar: 'CHARS',
  help:
    'Characters that start a qmail extension address: with "-+", john-news@example.com and john+lists@example.com belong to login john@example.com. ' +
    'Empty turns the rule off (vpopmail hosts where john-smith is another mailbox).',
  default: '-+',
  check: (t, src) => {
    if (t.length > 8 || /[\s@*#]/.test(t)) invalid(src, 'must be at most 8 characters, none of them a space, "@", "*" or "#"', t);
    return t;
  },
});
const SENDER_ALIASES_FLAG = text({
  group: 'Who is sending',
  metavar: 'FILE',
  help:
    'Which envelope senders a login may use besides its own address: one login per line, then sender patterns (an address or *@domain), "#" comments. ' +
    'Such a pair counts as sent_auth_same_user with reason="alias". Re-read when the file changes; a malformed line is logged and ignored.',
  none: 'none',
});
const TRUSTED_RELAY_IPS_FLAG = value({
  group: 'Who is sending',
  metavar: 'CIDR,...',
  help:
    'Clients expected to relay without authentication: the webmail on the loopback and the hosts tcp.smtp gives RELAYCLIENT. ' +
    'Relaying without authentication from any other IP counts as source="untrusted" (alert QmailUnexpectedNoAuthRelay).',
  default: DEFAULT_TRUSTED_RELAY_IPS,
  parse: (t, src) => {
    try {
      return parseRelayTrust(t).ranges;
    } catch (err) {
      return invalid(src, err instanceof Error ? err.message : String(err), t);
    }
  },
});
const SMTP_UIDS_FLAG = list({
  group: 'Who is sending',
  metavar: 'UID|USER,...',
  help:
    'The uids qmail-smtpd runs as (tcpserver -u in its run script, or "id qmaild" / "id vpopmail"): messages qmail-send logs with another uid ' +
    'were injected locally (websites, cron, scripts) and feed qmail_leaderboard_local_injection_uids. Names are looked up in the passwd database; ' +
    'the default covers stock qmail (qmaild) and vpopmail/QMailToaster hosts (vpopmail, conventionally uid 89).',
  default: ['qmaild', 'vpopmail', '89'],
  parse: (items, src) =>
    items
      .flatMap((i) => i.split(','))
      .map((i) => {
        const item = i.trim();
        if (!SMTP_UID_ITEM.test(item)) invalid(src, 'each item must be a uid number or a user name', i);
        return item;
      }),
});

/** The sender flags, shared by the exporter and the offline commands so that all decide identity alike. */
const SENDER_FLAGS = {
  'qmail.default-domain': DEFAULT_DOMAIN_FLAG,
  'qmail.extension-delimiters': EXTENSION_DELIMITERS_FLAG,
  'qmail.sender-aliases': SENDER_ALIASES_FLAG,
  'qmail.trusted-relay-ips': TRUSTED_RELAY_IPS_FLAG,
  'qmail.smtp-uids': SMTP_UIDS_FLAG,
};

/** The sender options as given (files are read by the caller: see src/senders.ts). */
export interface SenderFlags {
  /** null: read /var/qmail/control */
  defaultDomain: string | null;
  extensionDelimiters: string;
  aliasesFile: string | null;
  /** checked CIDR ranges (events/relay-trust.ts builds the matcher) */
  trustedRelayIps: readonly string[];
  /** uid numbers and user names */
  smtpUids: string[];
}

/** The sender options of any command's parsed flags. */
export function senderFlagsOf(v: FlagValues<typeof SENDER_FLAGS>): SenderFlags {
  return {
    defaultDomain: v['qmail.default-domain'],
    extensionDelimiters: v['qmail.extension-delimiters'],
    aliasesFile: v['qmail.sender-aliases'],
    trustedRelayIps: v['qmail.trusted-relay-ips'],
    smtpUids: v['qmail.smtp-uids'],
  };
}

const EXPORTER_FLAGS = {
  'web.listen-address': list({
    group: 'Web',
    metavar: 'ADDR',
    help: 'Address to serve /metrics and health on: host:port, [ipv6]:port or :port (all interfaces). Repeat to listen on several.',
    default: [':9025'],
    parse: (items, src) => {
      const addresses = unique(src, [...items]);
      for (const addr of addresses) parseListenAddress(addr);
      return addresses;
    },
  }),
  'web.telemetry-path': text({
    group: 'Web',
    metavar: 'PATH',
    help: 'Path of the metrics endpoint; starts with "/" and is not "/" alone.',
    default: '/metrics',
    check: (t, src) => parseTelemetryPath(src, t),
  }),
  'web.config.file': text({
    group: 'Web',
    metavar: 'FILE',
    help:
      'exporter-toolkit web configuration (YAML): TLS, client certificates, basic_auth_users (bcrypt hashes), response headers. ' +
      'Checked at start-up; "promtool check web-config FILE" accepts the same file.',
    none: 'none (plain HTTP, no authentication)',
  }),
  'web.disable-exporter-metrics': bool({ group: 'Web', help: "Leave out the exporter's own process_* and nodejs_* metrics." }),
  'qmail.log-path': list({
    group: 'Mail log',
    metavar: 'PATH',
    help:
      'Mail log to follow: a syslog file (followed through rename and copytruncate rotation) or a multilog "current" file. ' +
      'Repeat for several files.',
    default: [],
    none: '/var/log/maillog, unless --syslog.listen-address is given',
    parse: (items, src) => unique(src, items.map((p) => nonEmpty(src, p))),
  }),
  'qmail.read-from-start': bool({
    group: 'Mail log',
    help: 'Read files present at start-up from their beginning instead of their end. Files that appear later are always read from their beginning.',
  }),
  'qmail.listener-map': LISTENER_MAP_FLAG,
  ...SENDER_FLAGS,
  'qmail.missing-grace': duration({
    group: 'Mail log',
    help: 'How long a followed file may be missing (e.g. during rotation) before /healthz reports unhealthy.',
    default: '60s',
  }),
  'syslog.listen-address': list({
    group: 'Syslog (for mail hosts that cannot run the exporter)',
    metavar: 'URL',
    help:
      'Receive the mail log over syslog: tcp://HOST:PORT (RFC 6587: LF or octet-counted framing) or udp://HOST:PORT; RFC 3164 and RFC 5424 messages. ' +
      'Repeat for several listeners of the same mail host. Run one exporter per mail host (see docs/syslog.md).',
    default: [],
    none: 'none',
    parse: (items, src) => {
      const addresses = unique(src, items.map((a) => nonEmpty(src, a)));
      for (const a of addresses) parseSyslogAddress(a);
      return addresses;
    },
  }),
  'syslog.hostname': text({
    group: 'Syslog (for mail hosts that cannot run the exporter)',
    metavar: 'NAME',
    help: 'The mail host the listeners serve: messages whose HOSTNAME differs (case aside) are counted as foreign lines, never mixed in.',
    none: 'any host',
    check: (t, src) => {
      if (!HOSTNAME_RE.test(t) && !isIPv4(t) && !isIPv6(t)) invalid(src, 'expected a host name or an IP address', t);
      return t;
    },
  }),
  'syslog.max-connections': number({
    group: 'Syslog (for mail hosts that cannot run the exporter)',
    help: 'Most TCP connections open per listener; when full, the connection idle longest is closed to admit a new one.',
    default: 100,
    min: 1,
    max: 100000,
  }),
  'syslog.max-message-bytes': number({
    group: 'Syslog (for mail hosts that cannot run the exporter)',
    metavar: 'BYTES',
    help: 'Longest message kept; longer ones are cut to this and counted (qmail_exporter_syslog_framing_errors_total{kind="oversized"}).',
    default: 65536,
    min: 480,
    max: 16 << 20,
  }),
  'qmail.queue-path': text({
    group: 'Queue',
    metavar: 'DIR',
    help:
      "qmail's queue directory (/var/qmail/queue): its size is read at scrape time as qmail-qstat counts it (qmail_queue_length, " +
      'qmail_queue_todo_length, qmail_queue_oldest_message_age_seconds), cached for 15 s and never delaying a scrape by more than 2 s. ' +
      'Needs read access to queue/mess and queue/todo: run as root or in the qmail group (docs/install.md).',
    none: 'none (no queue gauges)',
  }),
  'storage.path': text({
    group: 'Storage',
    metavar: 'DIR',
    help: 'Directory for read positions and leaderboard state, so that a restart resumes where the last run stopped.',
    none: 'none (nothing is saved)',
  }),
  'storage.interval': duration({
    group: 'Storage',
    help: 'How often state is saved (it is also saved at shutdown).',
    default: '10s',
    min: 1,
    max: MAX_TIMER_MS,
  }),
  'leaderboard.windows': value({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    metavar: 'LIST',
    help: `Comma-separated time windows, at most ${MAX_LEADERBOARD_WINDOWS}, each at least 1s.`,
    default: '5m,1h,24h',
    parse: (t, src) => parseWindows(src, t),
  }),
  'leaderboard.max-keys': number({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    help: 'Most distinct keys tracked per window (at least 1): bounds memory.',
    default: 10000,
    min: 1,
    max: Number.MAX_SAFE_INTEGER,
  }),
  'leaderboard.memory-budget': number({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    metavar: 'MB',
    help:
      'Estimated heap, in MiB, all leaderboards together may hold, whatever the traffic: past it the least recently ' +
      'updated keys are forgotten (counted in qmail_leaderboard_evictions_total). The default fits the 128 MB heap cap of the systemd unit and the Docker image.',
    default: 48,
    min: 1,
    max: 1_048_576,
  }),
  'leaderboard.size': number({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    help: 'Entries shown per leaderboard, 1 to 1000.',
    default: 10,
    min: 1,
    max: 1000,
  }),
  'leaderboard.hash-users': bool({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    help: 'Show keyed hashes (HMAC-SHA256) instead of user names.',
  }),
  'leaderboard.hash-key': text({
    group: 'Leaderboard (top senders, recipients and authenticated users)',
    metavar: 'KEY',
    help:
      `Key for --leaderboard.hash-users, at least ${MIN_HASH_KEY_LENGTH} characters. ` +
      'Prefer the environment variable: command lines are visible to every local user.',
    none:
      'derived per install from /etc/machine-id: stable across restarts and different on each host, but readable by local users; ' +
      'set a key of your own to hide names from them too.',
    secret: true,
    check: (t, src) => {
      if (t.length < MIN_HASH_KEY_LENGTH) invalid(src, `must be at least ${MIN_HASH_KEY_LENGTH} characters long`);
      return t;
    },
  }),
  'log.level': oneOf({ group: "Exporter's own logs (written to stderr)", metavar: 'LEVEL', help: 'debug, info, warn or error.', values: LOG_LEVELS, default: 'info' }),
  'log.format': oneOf({ group: "Exporter's own logs (written to stderr)", metavar: 'FORMAT', help: 'logfmt or json.', values: LOG_FORMATS, default: 'logfmt' }),
  demo: bool({
    group: 'Other',
    help: 'Serve metrics from a built-in simulated mail host instead of real logs, to try dashboards and alerts.',
  }),
  help: HELP_FLAG,
  version: bool({ group: 'Other', help: 'Show the version and exit.', env: false }),
};

const CLASSIFY_FLAGS = {
  'qmail.listener-map': LISTENER_MAP_FLAG,
  ...SENDER_FLAGS,
  help: HELP_FLAG,
};

const REPORT_FLAGS = {
  format: oneOf({
    metavar: 'FORMAT',
    help: 'text (tables), json (the same data), or prometheus (the exposition the live exporter would serve after reading those lines).',
    values: REPORT_FORMATS,
    default: 'text',
  }),
  'qmail.listener-map': LISTENER_MAP_FLAG,
  ...SENDER_FLAGS,
  top: number({ help: 'Rows per top table, 1 to 1000.', default: 10, min: 1, max: 1000 }),
  help: HELP_FLAG,
};

const BACKFILL_FLAGS = {
  output: text({
    short: 'o',
    metavar: 'FILE',
    help: 'Where to write (required; a week at 60s is a few hundred MB).',
    none: 'none (required)',
    // '' is refused by the command itself, with the message that says the flag is required
    check: (t) => t,
  }),
  // --step and --label are checked by the command (src/backfill/options.ts) before any file is
  // read, with messages that say why: a step over 5m leaves gaps, a label may clash with ours.
  step: text({ metavar: 'DURATION', help: 'Sampling interval, 1s to 5m; use your scrape interval.', default: '60s', check: (t) => t }),
  label: list({
    metavar: 'NAME=VALUE',
    help:
      'Add a label to every series; repeat it. Give the labels Prometheus adds to the live scrape, e.g. --label job=qmail ' +
      '--label instance=mail.example.org:9025, so the history and the live series are the same series.',
    default: [],
  }),
  'qmail.listener-map': LISTENER_MAP_FLAG,
  ...SENDER_FLAGS,
  help: HELP_FLAG,
};

type Flags = Record<string, Flag<unknown>>;
/** The checked values of a table's flags, typed from its rows. */
export type FlagValues<F extends Flags> = { -readonly [K in keyof F]: F[K] extends Flag<infer T> ? T : never };

/** A command: its flags, whether it takes file arguments, whether it reads the environment, and its help prose. */
export interface CommandSpec<F extends Flags> {
  /** '' for the exporter itself */
  readonly name: string;
  readonly usage: string;
  /** one line for the exporter's list of commands */
  readonly summary: string;
  /** paragraphs shown after the usage line */
  readonly about: string;
  readonly flags: F;
  readonly files: boolean;
  readonly env: boolean;
  /** paragraphs after the flags */
  readonly notes?: string;
}

export const EXPORTER: CommandSpec<typeof EXPORTER_FLAGS> = {
  name: '',
  usage: 'qmail_exporter [flags]\n       qmail_exporter COMMAND [flags] [FILE...]    (COMMAND --help for each)',
  summary: 'serve /metrics while following the mail log',
  about: 'Prometheus exporter for qmail: follows the mail log and counts deliveries, SMTP sessions, rejections and authentication failures.',
  flags: EXPORTER_FLAGS,
  files: false,
  env: true,
  notes: 'Durations are Prometheus style: 500ms, 30s, 5m, 1h, 1d, 1w, 1y, or combined in that order, e.g. 1h30m.',
};

export const CLASSIFY: CommandSpec<typeof CLASSIFY_FLAGS> = {
  name: 'classify',
  usage: 'qmail_exporter classify [flags] [FILE...|-]',
  summary: 'one JSON object per log line: what the exporter makes of it',
  about:
    'Prints one JSON object per input line, in order: {"line":N,"event":...,...}. Events: smtp.recipient, smtp.sender, auth, ' +
    'queue.new, queue.info, queue.end, queue.bounce, delivery.start, delivery.result, send.status, ' +
    'connection.open/accepted/denied/end/status, rbl.reject, smtp.queued, scan, ignored, unrecognised, foreign. ' +
    "Files ending in .gz (or starting with gzip's magic bytes) are decompressed; '-' or nothing reads standard input.",
  flags: CLASSIFY_FLAGS,
  files: true,
  env: false,
};

export const REPORT: CommandSpec<typeof REPORT_FLAGS> = {
  name: 'report',
  usage: 'qmail_exporter report [flags] [FILE...|-]',
  summary: 'what happened in whole logs: cases, deliveries, top users and IPs',
  about:
    "Reads whole mail logs (plain or gzip, in the order given; '-' or nothing reads standard input) and prints what happened: " +
    'recipients per case, delivery results per channel, authentication failures per protocol, the top authenticated users by ' +
    'recipients sent and by distinct sending IPs, the top IPs by relay refusals and by authentication failures, and the share ' +
    'of unrecognised lines. The top tables keep at most 100,000 keys each (the smaller half is dropped when full).',
  flags: REPORT_FLAGS,
  files: true,
  env: false,
};

export const BACKFILL: CommandSpec<typeof BACKFILL_FLAGS> = {
  name: 'backfill',
  usage: 'qmail_exporter backfill --output=FILE [flags] FILE...',
  summary: 'OpenMetrics history from archived logs, for promtool tsdb create-blocks-from',
  about:
    'Reads archived mail logs (maillog-YYYYMMDD, maillog-YYYYMMDD.gz, multilog @*.s; plain or gzip, in any order: they are sorted ' +
    'by their first timestamp) and writes the history of every qmail_* metric as OpenMetrics text with timestamps, sampled every ' +
    '--step of log time (the times written in the lines; lines without one do not move the clock). Import it with\n' +
    '  promtool tsdb create-blocks-from openmetrics --max-block-duration=24h FILE BLOCK_DIR\n' +
    "then move the blocks into Prometheus' data directory and restart it; first read docs/backfill.md on retention and on overlap with live data. Syslog lines carry no " +
    "year: it comes from the file name's date (maillog-YYYYMMDD), otherwise from the file's modification time.",
  flags: BACKFILL_FLAGS,
  files: true,
  env: false,
  notes: 'qmail_exporter_build_info is not written: no exporter was running then.',
};

/** The subcommands, by name, in help order. */
export const SUBCOMMANDS = { classify: CLASSIFY, report: REPORT, backfill: BACKFILL } as const;
export type SubcommandName = keyof typeof SUBCOMMANDS;
export const SUBCOMMAND_NAMES = Object.keys(SUBCOMMANDS) as SubcommandName[];

// ---------------------------------------------------------------------------------------------
// Parsing a command line against a table

export interface ParsedCommandLine<F extends Flags> {
  values: FlagValues<F>;
  /** positional arguments (files), in order */
  files: string[];
  /** things worth one log line at start-up, e.g. QMAIL_EXPORTER_* variables that match no flag */
  warnings: string[];
}

function usageError(cmd: CommandSpec<Flags>, code: 'QX_CONFIG_UNKNOWN_FLAG' | 'QX_CONFIG_INVALID', message: string, flag?: string): never {
  throw new ConfigError(code, message, { details: { ...(flag === undefined ? {} : { flag }), ...(cmd.name === '' ? {} : { command: cmd.name }) } });
}

/** argv → the raw values given per flag name (bool: true/false; one: last text; many: all texts). */
function readArgv(cmd: CommandSpec<Flags>, argv: readonly string[]): { given: Map<string, boolean | string | string[]>; files: string[] } {
  const given = new Map<string, boolean | string | string[]>();
  const files: string[] = [];
  const byShort = new Map(Object.entries(cmd.flags).flatMap(([name, f]) => (f.short === undefined ? [] : [[f.short, name] as const])));
  const put = (name: string, flag: Flag<unknown>, v: string): void => {
    if (flag.arity === 'many') given.set(name, [...((given.get(name) as string[] | undefined) ?? []), v]);
    else given.set(name, v);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      files.push(...argv.slice(i + 1));
      break;
    }
    let name: string;
    let inline: string | undefined;
    let shown: string;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
      inline = eq < 0 ? undefined : arg.slice(eq + 1);
      shown = `--${name}`;
    } else if (arg.startsWith('-') && arg !== '-') {
      const long = byShort.get(arg[1]!);
      if (long === undefined) usageError(cmd, 'QX_CONFIG_UNKNOWN_FLAG', `unknown flag ${arg.slice(0, 2)}`, arg.slice(0, 2));
      name = long;
      inline = arg.length > 2 ? arg.slice(arg[2] === '=' ? 3 : 2) : undefined;
      shown = `--${name}`;
    } else {
      if (!cmd.files) {
        if (cmd.name === '') {
          usageError(cmd, 'QX_CONFIG_UNKNOWN_FLAG', `unknown command '${arg}' (commands: ${SUBCOMMAND_NAMES.join(', ')}; flags start with --)`);
        }
        usageError(cmd, 'QX_CONFIG_UNKNOWN_FLAG', `unexpected argument '${arg}'`);
      }
      files.push(arg);
      continue;
    }
    let flag = Object.hasOwn(cmd.flags, name) ? cmd.flags[name] : undefined;
    let negated = false;
    if (flag === undefined && name.startsWith('no-')) {
      const plain = name.slice(3);
      const f = Object.hasOwn(cmd.flags, plain) ? cmd.flags[plain] : undefined;
      if (f !== undefined && f.arity === 'bool' && f.env) {
        flag = f;
        name = plain;
        negated = true;
      }
    }
    if (flag === undefined) usageError(cmd, 'QX_CONFIG_UNKNOWN_FLAG', `unknown flag ${shown}`, shown);
    const flagName = `--${name}`;
    if (flag.arity === 'bool') {
      if (inline !== undefined) {
        usageError(cmd, 'QX_CONFIG_INVALID', `${flagName} takes no value (write ${flagName}${flag.env ? ` or --no-${name}` : ''})`, flagName);
      }
      given.set(name, !negated);
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined) usageError(cmd, 'QX_CONFIG_INVALID', `${flagName} needs a value (${flagName}=${flag.metavar})`, flagName);
      if (next.startsWith('-') && next !== '-') {
        usageError(cmd, 'QX_CONFIG_INVALID', `${flagName} needs a value, not the flag '${next}' (write ${flagName}=VALUE if that is meant)`, flagName);
      }
      inline = next;
      i++;
    }
    put(name, flag, inline);
  }
  return { given, files };
}

/**
 * Parses argv (without the node and script entries, and without the subcommand's name) and, for
 * commands that read it, the environment, against a command's table. Throws ConfigError:
 * QX_CONFIG_UNKNOWN_FLAG for flags the command does not know (and stray arguments), QX_CONFIG_INVALID
 * for bad values. When --help or --version is given, values are not checked (a broken environment
 * must not hide the help) and the defaults are returned with that flag set.
 */
export function parseCommandLine<F extends Flags>(cmd: CommandSpec<F>, argv: readonly string[], env: Record<string, string | undefined>): ParsedCommandLine<F> {
  const { given, files } = readArgv(cmd as CommandSpec<Flags>, argv);
  const entries = Object.entries(cmd.flags) as Array<[string, Flag<unknown>]>;

  const warnings: string[] = [];
  if (cmd.env) {
    const knownEnv = new Set(entries.filter(([, f]) => f.env).map(([name]) => envNameFor(name)));
    for (const name of Object.keys(env).sort()) {
      if (name.startsWith(ENV_PREFIX) && !knownEnv.has(name) && env[name] !== undefined) {
        warnings.push(`environment variable ${name} matches no flag and is ignored`);
      }
    }
  }

  const values: Record<string, unknown> = {};
  const skipChecks = given.get('help') === true || given.get('version') === true;
  for (const [name, flag] of entries) {
    const argvValue = given.get(name);
    if (skipChecks) {
      values[name] = flag.arity === 'bool' && (name === 'help' || name === 'version') ? argvValue === true : flag.defaultValue();
      continue;
    }
    if (argvValue !== undefined) {
      values[name] = flag.parse(argvValue, { flag: `--${name}`, env: null });
      continue;
    }
    const envName = envNameFor(name);
    const envText = cmd.env && flag.env ? env[envName] : undefined;
    if (envText === undefined || envText.trim() === '') {
      values[name] = flag.defaultValue();
      continue;
    }
    const src = { flag: `--${name}`, env: envName };
    if (flag.arity === 'bool') values[name] = flag.parse(parseBooleanEnv(src, envText), src);
    else if (flag.arity === 'many') values[name] = flag.parse(splitList(envText), src);
    else values[name] = flag.parse(envText, src);
  }
  return { values: values as FlagValues<F>, files, warnings };
}

// ---------------------------------------------------------------------------------------------
// Help

const HELP_WIDTH = 86;

function wrap(textBlock: string, indent: string): string[] {
  const out: string[] = [];
  for (const paragraph of textBlock.split('\n')) {
    if (paragraph.startsWith('  ')) {
      out.push(indent + paragraph); // a command line quoted in the prose: kept as written
      continue;
    }
    let line = '';
    for (const word of paragraph.split(/\s+/).filter((w) => w !== '')) {
      if (line !== '' && indent.length + line.length + 1 + word.length > HELP_WIDTH) {
        out.push(indent + line);
        line = word;
      } else {
        line = line === '' ? word : `${line} ${word}`;
      }
    }
    if (line !== '') out.push(indent + line);
  }
  return out;
}

/** The `--help` text of a command, derived from its table. */
export function helpText(cmd: CommandSpec<Flags>): string {
  const out: string[] = [`usage: ${cmd.usage}`, '', ...wrap(cmd.about, '')];
  if (cmd.name === '') {
    out.push('', 'Commands:');
    for (const name of SUBCOMMAND_NAMES) out.push(`  ${name.padEnd(10)}${SUBCOMMANDS[name].summary}`);
    out.push(`  ${''.padEnd(10)}qmail_exporter COMMAND --help shows a command's flags.`);
  }
  if (cmd.env) {
    out.push(
      '',
      ...wrap(
        'Every flag can also be set through the environment variable shown; a flag given on the command line wins. ' +
          'Repeatable flags take a comma-separated list from the environment. Boolean variables accept 1, 0, true or false; empty ones are ignored.',
        '',
      ),
    );
  }
  let group: string | null = null;
  for (const [name, flag] of Object.entries(cmd.flags) as Array<[string, Flag<unknown>]>) {
    const heading = cmd.name === '' ? flag.group : 'Flags';
    if (heading !== group) {
      out.push('', `${heading}:`);
      group = heading;
    }
    const short = flag.short === undefined ? '' : `-${flag.short}, `;
    const spelled = flag.arity === 'bool' ? (flag.env ? `--[no-]${name}` : `--${name}`) : `--${name}=${flag.metavar}`;
    out.push(`  ${short}${spelled}`, ...wrap(flag.help, '      '));
    if (flag.env) {
      out.push(...wrap(`default: ${flag.defaultText}`, '      '));
      if (cmd.env) out.push(`      env: ${envNameFor(name)}`);
    }
  }
  if (cmd.notes !== undefined) out.push('', ...wrap(cmd.notes, ''));
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// The exporter's Config

/**
 * Parses the exporter's argv (without the node and script entries) and the environment into a
 * Config; see parseCommandLine for what it throws and for --help/--version.
 */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): Config {
  const { values: v, warnings } = parseCommandLine(EXPORTER, argv, env);
  return {
    web: {
      listenAddresses: v['web.listen-address'],
      telemetryPath: v['web.telemetry-path'],
      configFile: v['web.config.file'],
      disableExporterMetrics: v['web.disable-exporter-metrics'],
    },
    qmail: {
      // A syslog-only exporter follows no file unless told to.
      logPaths: v['qmail.log-path'].length > 0 || v['syslog.listen-address'].length > 0 ? v['qmail.log-path'] : ['/var/log/maillog'],
      readFromStart: v['qmail.read-from-start'],
      listenerMap: v['qmail.listener-map'],
      missingGraceMs: v['qmail.missing-grace'],
      queuePath: v['qmail.queue-path'],
      senders: senderFlagsOf(v),
    },
    syslog: {
      listenAddresses: v['syslog.listen-address'],
      hostname: v['syslog.hostname'],
      maxConnections: v['syslog.max-connections'],
      maxMessageBytes: v['syslog.max-message-bytes'],
    },
    storage: { path: v['storage.path'], intervalMs: v['storage.interval'] },
    leaderboard: {
      windows: v['leaderboard.windows'],
      maxKeys: v['leaderboard.max-keys'],
      memoryBudgetMb: v['leaderboard.memory-budget'],
      size: v['leaderboard.size'],
      hashUsers: v['leaderboard.hash-users'],
      hashKey: v['leaderboard.hash-key'],
    },
    log: { level: v['log.level'], format: v['log.format'] },
    demo: v.demo,
    help: v.help,
    version: v.version,
    warnings,
  };
}

/** The configuration with no flags and no environment. */
export function defaultConfig(): Config {
  return parseConfig([], {});
}

/** The exporter's --help. */
export const HELP_TEXT = helpText(EXPORTER);

/** Every exporter flag, with its leading dashes, in help order. */
export const FLAG_NAMES: readonly string[] = Object.keys(EXPORTER.flags).map((name) => `--${name}`);

/** Exporter flags that have an environment mirror. */
export const ENV_FLAG_NAMES: readonly string[] = (Object.entries(EXPORTER.flags) as Array<[string, Flag<unknown>]>)
  .filter(([, flag]) => flag.env)
  .map(([name]) => `--${name}`);
