/**
 * Command-line flags and their QMAIL_EXPORTER_* environment mirrors, turned into one validated
 * `Config`. Pure: argv and env are arguments, nothing is read from the process or the disk, so
 * every rule here is testable with plain values. Any bad flag throws a ConfigError that names it.
 *
 * Flags use Prometheus' dotted style (`--web.listen-address`); node:util parseArgs keeps the
 * dots as they are. Each flag `--a.b-c` is mirrored by `QMAIL_EXPORTER_A_B_C`; a flag given on
 * the command line wins over its environment variable (for repeatable flags, argv values
 * replace the environment list, they do not add to it).
 */
import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['logfmt', 'json'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

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
  };
  storage: {
    /** directory for checkpoints and state, or null (no persistence) */
    path: string | null;
    intervalMs: number;
  };
  leaderboard: {
    windows: LeaderboardWindow[];
    maxKeys: number;
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

type FlagKind = 'string' | 'boolean';
interface FlagSpec {
  kind: FlagKind;
  multiple?: boolean;
  /** false for --help/--version: an environment variable would make no sense */
  env?: boolean;
}

// The single list of flags: parseArgs options, environment names and the help test derive from it.
const FLAGS = {
  'web.listen-address': { kind: 'string', multiple: true },
  'web.telemetry-path': { kind: 'string' },
  'web.config.file': { kind: 'string' },
  'web.disable-exporter-metrics': { kind: 'boolean' },
  'qmail.log-path': { kind: 'string', multiple: true },
  'qmail.read-from-start': { kind: 'boolean' },
  'qmail.listener-map': { kind: 'string', multiple: true },
  'qmail.missing-grace': { kind: 'string' },
  'storage.path': { kind: 'string' },
  'storage.interval': { kind: 'string' },
  'leaderboard.windows': { kind: 'string' },
  'leaderboard.max-keys': { kind: 'string' },
  'leaderboard.size': { kind: 'string' },
  'leaderboard.hash-users': { kind: 'boolean' },
  'leaderboard.hash-key': { kind: 'string' },
  'log.level': { kind: 'string' },
  'log.format': { kind: 'string' },
  demo: { kind: 'boolean' },
  help: { kind: 'boolean', env: false },
  version: { kind: 'boolean', env: false },
} as const satisfies Record<string, FlagSpec>;

type FlagName = keyof typeof FLAGS;

/** Every flag, with its leading dashes, in help order. */
export const FLAG_NAMES: readonly string[] = Object.keys(FLAGS).map((name) => `--${name}`);

/** Flags that have an environment mirror. */
export const ENV_FLAG_NAMES: readonly string[] = (Object.entries(FLAGS) as Array<[string, FlagSpec]>)
  .filter(([, spec]) => spec.env !== false)
  .map(([name]) => `--${name}`);

export const DEFAULTS = {
  listenAddress: ':9025',
  telemetryPath: '/metrics',
  logPath: '/var/log/maillog',
  missingGrace: '60s',
  storageInterval: '10s',
  leaderboardWindows: '5m,1h,24h',
  leaderboardMaxKeys: 10000,
  leaderboardSize: 10,
  logLevel: 'info' as LogLevel,
  logFormat: 'logfmt' as LogFormat,
};

/** Paths the HTTP app serves itself; the telemetry path must not shadow them. */
const RESERVED_PATHS = ['/healthz', '/-/healthy', '/-/ready'];

/** Longest duration a Node timer can wait: longer delays fire at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MIN_HASH_KEY_LENGTH = 16;
const MAX_LEADERBOARD_WINDOWS = 10;

export const HELP_TEXT = `usage: qmail_exporter [flags]

Prometheus exporter for qmail: follows the mail log and counts deliveries, SMTP
sessions, rejections and authentication failures.

Every flag can also be set through the environment variable shown; a flag given on
the command line wins. Repeatable flags take a comma-separated list from the
environment. Boolean variables accept 1, 0, true or false; empty ones are ignored.

Web:
  --web.listen-address=ADDR
      Address to serve /metrics and health on: host:port, [ipv6]:port or :port (all
      interfaces). Repeat to listen on several.
      default: :9025
      env: QMAIL_EXPORTER_WEB_LISTEN_ADDRESS
  --web.telemetry-path=PATH
      Path of the metrics endpoint; starts with "/" and is not "/" alone.
      default: /metrics
      env: QMAIL_EXPORTER_WEB_TELEMETRY_PATH
  --web.config.file=FILE
      exporter-toolkit web configuration (YAML): TLS, client certificates,
      basic_auth_users (bcrypt hashes), response headers. Checked at start-up;
      "promtool check web-config FILE" accepts the same file.
      default: none (plain HTTP, no authentication)
      env: QMAIL_EXPORTER_WEB_CONFIG_FILE
  --[no-]web.disable-exporter-metrics
      Leave out the exporter's own process_* and nodejs_* metrics.
      default: false
      env: QMAIL_EXPORTER_WEB_DISABLE_EXPORTER_METRICS

Mail log:
  --qmail.log-path=PATH
      Mail log to follow: a syslog file (followed through rename and copytruncate
      rotation) or a multilog "current" file. Repeat for several files.
      default: /var/log/maillog
      env: QMAIL_EXPORTER_QMAIL_LOG_PATH
  --[no-]qmail.read-from-start
      Read files present at start-up from their beginning instead of their end.
      Files that appear later are always read from their beginning.
      default: false
      env: QMAIL_EXPORTER_QMAIL_READ_FROM_START
  --qmail.listener-map=TAG=NAME
      Name the SMTP listener whose lines carry syslog tag TAG, e.g. smtp-mx=mx.
      Repeat, or give a list: smtp-mx=mx,smtp-sub=submission. NAME matches
      [a-zA-Z0-9_.-]{1,64}. Tags without a mapping are used as they are.
      default: none
      env: QMAIL_EXPORTER_QMAIL_LISTENER_MAP
  --qmail.missing-grace=DURATION
      How long a followed file may be missing (e.g. during rotation) before
      /healthz reports unhealthy.
      default: 60s
      env: QMAIL_EXPORTER_QMAIL_MISSING_GRACE

Storage:
  --storage.path=DIR
      Directory for read positions and leaderboard state, so that a restart
      resumes where the last run stopped.
      default: none (nothing is saved)
      env: QMAIL_EXPORTER_STORAGE_PATH
  --storage.interval=DURATION
      How often state is saved (it is also saved at shutdown).
      default: 10s
      env: QMAIL_EXPORTER_STORAGE_INTERVAL

Leaderboard (top senders, recipients and authenticated users):
  --leaderboard.windows=LIST
      Comma-separated time windows, at most ${MAX_LEADERBOARD_WINDOWS}, each at least 1s.
      default: 5m,1h,24h
      env: QMAIL_EXPORTER_LEADERBOARD_WINDOWS
  --leaderboard.max-keys=N
      Most distinct keys tracked per window (at least 1): bounds memory.
      default: 10000
      env: QMAIL_EXPORTER_LEADERBOARD_MAX_KEYS
  --leaderboard.size=N
      Entries shown per leaderboard, 1 to 1000.
      default: 10
      env: QMAIL_EXPORTER_LEADERBOARD_SIZE
  --[no-]leaderboard.hash-users
      Show keyed hashes (HMAC-SHA256) instead of user names.
      default: false
      env: QMAIL_EXPORTER_LEADERBOARD_HASH_USERS
  --leaderboard.hash-key=KEY
      Key for --leaderboard.hash-users, at least ${MIN_HASH_KEY_LENGTH} characters. Prefer the
      environment variable: command lines are visible to every local user.
      default: derived per install from /etc/machine-id: stable across restarts and
      different on each host, but readable by local users; set a key of your own to
      hide names from them too.
      env: QMAIL_EXPORTER_LEADERBOARD_HASH_KEY

Exporter's own logs (written to stderr):
  --log.level=LEVEL
      debug, info, warn or error.
      default: info
      env: QMAIL_EXPORTER_LOG_LEVEL
  --log.format=FORMAT
      logfmt or json.
      default: logfmt
      env: QMAIL_EXPORTER_LOG_FORMAT

Other:
  --[no-]demo
      Serve metrics from a built-in simulated mail host instead of real logs, to
      try dashboards and alerts.
      default: false
      env: QMAIL_EXPORTER_DEMO
  --help
      Show this help and exit.
  --version
      Show the version and exit.

Durations are Prometheus style: 500ms, 30s, 5m, 1h, 1d, 1w, 1y, or combined in
that order, e.g. 1h30m.
`;

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

/**
 * `--qmail.listener-map` values as the offline commands (report, classify, backfill) take them:
 * the same rules and messages as the exporter's flag; throws ConfigError.
 */
export function parseListenerMapFlag(values: string[]): Record<string, string> {
  return Object.fromEntries(parseListenerMap({ flag: '--qmail.listener-map', env: null }, values));
}

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

/**
 * Parses argv (without the node and script entries, and without a subcommand) and the
 * environment into a Config. Throws ConfigError: QX_CONFIG_UNKNOWN_FLAG for flags we do not
 * know or positional arguments, QX_CONFIG_INVALID for bad values. When --help or --version is
 * given, values are not validated (a broken environment must not hide the help) and defaults
 * are returned with help/version set.
 */
export function parseConfig(argv: string[], env: Record<string, string | undefined>): Config {
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    const options: Record<string, { type: FlagKind; multiple?: boolean }> = {};
    for (const [name, spec] of Object.entries(FLAGS) as Array<[string, FlagSpec]>) {
      options[name] = spec.multiple ? { type: spec.kind, multiple: true } : { type: spec.kind };
    }
    values = parseArgs({ args: argv, options, strict: true, allowPositionals: false, allowNegative: true }).values;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const message = err instanceof Error ? err.message : String(err);
    const flag = /'(--?[^' ]+)/.exec(message)?.[1];
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL';
    throw new ConfigError(unknown ? 'QX_CONFIG_UNKNOWN_FLAG' : 'QX_CONFIG_INVALID', `${message.split('\n')[0]} (see --help)`, {
      details: flag === undefined ? {} : { flag },
      cause: err,
    });
  }

  const help = values['help'] === true;
  const version = values['version'] === true;

  const warnings: string[] = [];
  const knownEnv = new Set(ENV_FLAG_NAMES.map(envNameFor));
  for (const name of Object.keys(env).sort()) {
    if (name.startsWith(ENV_PREFIX) && !knownEnv.has(name) && env[name] !== undefined) {
      warnings.push(`environment variable ${name} matches no flag and is ignored`);
    }
  }

  const envValue = (name: FlagName): { src: Source; text: string } | null => {
    const envName = envNameFor(name);
    const text = env[envName];
    if (text === undefined || text.trim() === '') return null;
    return { src: { flag: `--${name}`, env: envName }, text };
  };
  const argvSource = (name: FlagName): Source => ({ flag: `--${name}`, env: null });

  // Each getter returns the argv value when present, else the env value, else null.
  const str = (name: FlagName): { src: Source; text: string } | null => {
    const v = values[name];
    if (typeof v === 'string') return { src: argvSource(name), text: v };
    return envValue(name);
  };
  const list = (name: FlagName): { src: Source; items: string[] } | null => {
    const v = values[name];
    if (Array.isArray(v) && v.length > 0) return { src: argvSource(name), items: v.map(String) };
    const e = envValue(name);
    return e === null ? null : { src: e.src, items: splitList(e.text) };
  };
  const bool = (name: FlagName): boolean => {
    const v = values[name];
    if (typeof v === 'boolean') return v;
    const e = envValue(name);
    return e === null ? false : parseBooleanEnv(e.src, e.text);
  };

  if (help || version) return { ...defaultConfig(), help, version, warnings };

  const listen = list('web.listen-address');
  const listenAddresses = listen === null ? [DEFAULTS.listenAddress] : unique(listen.src, listen.items);
  for (const addr of listenAddresses) parseListenAddress(addr);

  const telemetry = str('web.telemetry-path');
  const telemetryPath = telemetry === null ? DEFAULTS.telemetryPath : parseTelemetryPath(telemetry.src, telemetry.text);

  const webConfig = str('web.config.file');
  const logPathsRaw = list('qmail.log-path');
  const logPaths =
    logPathsRaw === null ? [DEFAULTS.logPath] : unique(logPathsRaw.src, logPathsRaw.items.map((p) => nonEmpty(logPathsRaw.src, p)));

  const listenerRaw = list('qmail.listener-map');
  const listenerMap = listenerRaw === null ? new Map<string, string>() : parseListenerMap(listenerRaw.src, listenerRaw.items);

  const grace = str('qmail.missing-grace');
  const missingGraceMs =
    grace === null ? parseDuration(DEFAULTS.missingGrace)! : parseDurationFlag(grace.src, grace.text, { min: 0, max: Number.MAX_SAFE_INTEGER });

  const storagePath = str('storage.path');
  const storageInterval = str('storage.interval');
  const intervalMs =
    storageInterval === null
      ? parseDuration(DEFAULTS.storageInterval)!
      : parseDurationFlag(storageInterval.src, storageInterval.text, { min: 1, max: MAX_TIMER_MS });

  const windowsRaw = str('leaderboard.windows');
  const windows = parseWindows(windowsRaw?.src ?? argvSource('leaderboard.windows'), windowsRaw?.text ?? DEFAULTS.leaderboardWindows);
  const maxKeysRaw = str('leaderboard.max-keys');
  const maxKeys = maxKeysRaw === null ? DEFAULTS.leaderboardMaxKeys : parseIntIn(maxKeysRaw.src, maxKeysRaw.text, 1, Number.MAX_SAFE_INTEGER);
  const sizeRaw = str('leaderboard.size');
  const size = sizeRaw === null ? DEFAULTS.leaderboardSize : parseIntIn(sizeRaw.src, sizeRaw.text, 1, 1000);
  const hashKeyRaw = str('leaderboard.hash-key');
  if (hashKeyRaw !== null && hashKeyRaw.text.length < MIN_HASH_KEY_LENGTH) {
    invalid(hashKeyRaw.src, `must be at least ${MIN_HASH_KEY_LENGTH} characters long`);
  }

  const levelRaw = str('log.level');
  const level = levelRaw === null ? DEFAULTS.logLevel : oneOf(levelRaw.src, levelRaw.text, LOG_LEVELS);
  const formatRaw = str('log.format');
  const format = formatRaw === null ? DEFAULTS.logFormat : oneOf(formatRaw.src, formatRaw.text, LOG_FORMATS);

  return {
    web: {
      listenAddresses,
      telemetryPath,
      configFile: webConfig === null ? null : nonEmpty(webConfig.src, webConfig.text),
      disableExporterMetrics: bool('web.disable-exporter-metrics'),
    },
    qmail: {
      logPaths,
      readFromStart: bool('qmail.read-from-start'),
      listenerMap,
      missingGraceMs,
    },
    storage: {
      path: storagePath === null ? null : nonEmpty(storagePath.src, storagePath.text),
      intervalMs,
    },
    leaderboard: {
      windows,
      maxKeys,
      size,
      hashUsers: bool('leaderboard.hash-users'),
      hashKey: hashKeyRaw === null ? null : hashKeyRaw.text,
    },
    log: { level, format },
    demo: bool('demo'),
    help: false,
    version: false,
    warnings,
  };
}

function oneOf<T extends string>(src: Source, text: string, allowed: readonly T[]): T {
  const t = text.trim();
  const found = allowed.find((a) => a === t);
  if (found === undefined) return invalid(src, `expected one of ${allowed.join(', ')}`, text);
  return found;
}

/** The configuration with no flags and no environment. */
export function defaultConfig(): Config {
  return {
    web: { listenAddresses: [DEFAULTS.listenAddress], telemetryPath: DEFAULTS.telemetryPath, configFile: null, disableExporterMetrics: false },
    qmail: { logPaths: [DEFAULTS.logPath], readFromStart: false, listenerMap: new Map(), missingGraceMs: parseDuration(DEFAULTS.missingGrace)! },
    storage: { path: null, intervalMs: parseDuration(DEFAULTS.storageInterval)! },
    leaderboard: {
      windows: splitList(DEFAULTS.leaderboardWindows).map((label) => ({ label, ms: parseDuration(label)! })),
      maxKeys: DEFAULTS.leaderboardMaxKeys,
      size: DEFAULTS.leaderboardSize,
      hashUsers: false,
      hashKey: null,
    },
    log: { level: DEFAULTS.logLevel, format: DEFAULTS.logFormat },
    demo: false,
    help: false,
    version: false,
    warnings: [],
  };
}
