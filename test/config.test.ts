import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  BACKFILL,
  CLASSIFY,
  ENV_FLAG_NAMES,
  EXPORTER,
  REPORT,
  SUBCOMMANDS,
  helpText,
  parseCommandLine,
  FLAG_NAMES,
  HELP_TEXT,
  defaultConfig,
  deriveHashKey,
  envNameFor,
  formatDuration,
  parseConfig,
  parseDuration,
  parseListenAddress,
} from '../src/config.js';
import { ConfigError } from '../src/errors.js';

/** Runs `f` expecting a ConfigError; returns it for further checks. */
function usage(f: () => unknown, notRejected = 'expected a ConfigError'): ConfigError {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail(notRejected);
}

/** Runs parseConfig expecting a ConfigError; returns it for further checks. */
function configError(argv: string[], env: Record<string, string> = {}): ConfigError {
  return usage(() => parseConfig(argv, env), `expected ${JSON.stringify(argv)} ${JSON.stringify(env)} to be rejected`);
}

describe('defaults', () => {
  test('no flags and no environment give the documented defaults', () => {
    const c = parseConfig([], {});
    assert.deepEqual(c, defaultConfig());
    assert.deepEqual(c.web.listenAddresses, [':9025']);
    assert.equal(c.web.telemetryPath, '/metrics');
    assert.equal(c.web.configFile, null);
    assert.equal(c.web.disableExporterMetrics, false);
    assert.deepEqual(c.qmail.logPaths, ['/var/log/maillog']);
    assert.equal(c.qmail.readFromStart, false);
    assert.equal(c.qmail.listenerMap.size, 0);
    assert.equal(c.qmail.missingGraceMs, 60_000);
    assert.deepEqual(c.qmail.senders, {
      defaultDomain: null,
      extensionDelimiters: '-+',
      aliasesFile: null,
      trustedRelayIps: ['127.0.0.0/8', '::1/128'],
      smtpUids: ['qmaild', 'vpopmail', '89'],
    });
    assert.equal(c.storage.path, null);
    assert.equal(c.storage.intervalMs, 10_000);
    assert.deepEqual(c.leaderboard.windows, [
      { label: '5m', ms: 300_000 },
      { label: '1h', ms: 3_600_000 },
      { label: '24h', ms: 86_400_000 },
    ]);
    assert.equal(c.leaderboard.maxKeys, 10000);
    assert.equal(c.leaderboard.memoryBudgetMb, 48);
    assert.equal(c.leaderboard.size, 10);
    assert.equal(c.leaderboard.hashUsers, false);
    assert.equal(c.leaderboard.hashKey, null);
    assert.deepEqual(c.log, { level: 'info', format: 'logfmt' });
    assert.equal(c.demo, false);
    assert.equal(c.help, false);
    assert.equal(c.version, false);
    assert.deepEqual(c.warnings, []);
  });
});

describe('every flag on the command line', () => {
  test('each value lands in its field', () => {
    const c = parseConfig(
      [
        '--web.listen-address=127.0.0.1:9100',
        '--web.listen-address',
        '[::1]:9100',
        '--web.telemetry-path=/qmail/metrics',
        '--web.config.file=/etc/qmail_exporter/web.yml',
        '--web.disable-exporter-metrics',
        '--qmail.log-path=/var/log/maillog',
        '--qmail.log-path=/var/log/qmail/smtpd/current',
        '--qmail.read-from-start',
        '--qmail.listener-map=smtp-mx=mx',
        '--qmail.listener-map=smtp-sub=submission,smtps=smtps',
        '--qmail.missing-grace=2m',
        '--storage.path=/var/lib/qmail_exporter',
        '--storage.interval=30s',
        '--leaderboard.windows=15m,6h',
        '--leaderboard.max-keys=500',
        '--leaderboard.memory-budget=16',
        '--leaderboard.size=25',
        '--leaderboard.hash-users',
        '--leaderboard.hash-key=0123456789abcdef-key',
        '--log.level=debug',
        '--log.format=json',
        '--demo',
      ],
      {},
    );
    assert.deepEqual(c.web, {
      listenAddresses: ['127.0.0.1:9100', '[::1]:9100'],
      telemetryPath: '/qmail/metrics',
      configFile: '/etc/qmail_exporter/web.yml',
      disableExporterMetrics: true,
    });
    assert.deepEqual(c.qmail.logPaths, ['/var/log/maillog', '/var/log/qmail/smtpd/current']);
    assert.equal(c.qmail.readFromStart, true);
    assert.deepEqual(
      [...c.qmail.listenerMap],
      [
        ['smtp-mx', 'mx'],
        ['smtp-sub', 'submission'],
        ['smtps', 'smtps'],
      ],
    );
    assert.equal(c.qmail.missingGraceMs, 120_000);
    assert.deepEqual(c.storage, { path: '/var/lib/qmail_exporter', intervalMs: 30_000 });
    assert.deepEqual(c.leaderboard, {
      windows: [
        { label: '15m', ms: 900_000 },
        { label: '6h', ms: 21_600_000 },
      ],
      maxKeys: 500,
      memoryBudgetMb: 16,
      size: 25,
      hashUsers: true,
      hashKey: '0123456789abcdef-key',
    });
    assert.deepEqual(c.log, { level: 'debug', format: 'json' });
    assert.equal(c.demo, true);
  });

  test('booleans can be negated with --no-', () => {
    const c = parseConfig(['--demo', '--no-demo', '--no-qmail.read-from-start'], { QMAIL_EXPORTER_QMAIL_READ_FROM_START: 'true' });
    assert.equal(c.demo, false);
    assert.equal(c.qmail.readFromStart, false);
  });

  test('--help and --version skip value checks so a broken environment cannot hide them', () => {
    const help = parseConfig(['--help'], { QMAIL_EXPORTER_LOG_LEVEL: 'loud' });
    assert.equal(help.help, true);
    assert.equal(help.version, false);
    const version = parseConfig(['--version', '--web.telemetry-path=bad'], {});
    assert.equal(version.version, true);
  });

  test('listen port 0 is accepted (ephemeral port for tests)', () => {
    assert.deepEqual(parseConfig(['--web.listen-address=127.0.0.1:0'], {}).web.listenAddresses, ['127.0.0.1:0']);
  });
});

describe('environment mirror', () => {
  test('every flag but --help/--version has a QMAIL_EXPORTER_ variable', () => {
    assert.equal(envNameFor('--web.listen-address'), 'QMAIL_EXPORTER_WEB_LISTEN_ADDRESS');
    assert.equal(envNameFor('--web.config.file'), 'QMAIL_EXPORTER_WEB_CONFIG_FILE');
    assert.equal(envNameFor('--leaderboard.hash-key'), 'QMAIL_EXPORTER_LEADERBOARD_HASH_KEY');
    assert.deepEqual(
      FLAG_NAMES.filter((f) => !ENV_FLAG_NAMES.includes(f)),
      ['--help', '--version'],
    );
  });

  test('each variable sets its field', () => {
    const c = parseConfig([], {
      QMAIL_EXPORTER_WEB_LISTEN_ADDRESS: '127.0.0.1:9100, [::1]:9100',
      QMAIL_EXPORTER_WEB_TELEMETRY_PATH: '/m',
      QMAIL_EXPORTER_WEB_CONFIG_FILE: '/etc/web.yml',
      QMAIL_EXPORTER_WEB_DISABLE_EXPORTER_METRICS: '1',
      QMAIL_EXPORTER_QMAIL_LOG_PATH: '/a/maillog\n/b/current',
      QMAIL_EXPORTER_QMAIL_READ_FROM_START: 'TRUE',
      QMAIL_EXPORTER_QMAIL_LISTENER_MAP: 'smtp-mx=mx,smtp-sub=submission',
      QMAIL_EXPORTER_QMAIL_MISSING_GRACE: '90s',
      QMAIL_EXPORTER_STORAGE_PATH: '/var/lib/qx',
      QMAIL_EXPORTER_STORAGE_INTERVAL: '1m',
      QMAIL_EXPORTER_LEADERBOARD_WINDOWS: '1h',
      QMAIL_EXPORTER_LEADERBOARD_MAX_KEYS: '42',
      QMAIL_EXPORTER_LEADERBOARD_SIZE: '1000',
      QMAIL_EXPORTER_LEADERBOARD_HASH_USERS: 'true',
      QMAIL_EXPORTER_LEADERBOARD_HASH_KEY: 'a-secret-key-of-some-length',
      QMAIL_EXPORTER_LOG_LEVEL: 'warn',
      QMAIL_EXPORTER_LOG_FORMAT: 'json',
      QMAIL_EXPORTER_DEMO: '1',
    });
    assert.deepEqual(c.web.listenAddresses, ['127.0.0.1:9100', '[::1]:9100']);
    assert.equal(c.web.telemetryPath, '/m');
    assert.equal(c.web.configFile, '/etc/web.yml');
    assert.equal(c.web.disableExporterMetrics, true);
    assert.deepEqual(c.qmail.logPaths, ['/a/maillog', '/b/current']);
    assert.equal(c.qmail.readFromStart, true);
    assert.equal(c.qmail.listenerMap.get('smtp-sub'), 'submission');
    assert.equal(c.qmail.missingGraceMs, 90_000);
    assert.deepEqual(c.storage, { path: '/var/lib/qx', intervalMs: 60_000 });
    assert.deepEqual(c.leaderboard.windows, [{ label: '1h', ms: 3_600_000 }]);
    assert.equal(c.leaderboard.maxKeys, 42);
    assert.equal(c.leaderboard.size, 1000);
    assert.equal(c.leaderboard.hashUsers, true);
    assert.equal(c.leaderboard.hashKey, 'a-secret-key-of-some-length');
    assert.deepEqual(c.log, { level: 'warn', format: 'json' });
    assert.equal(c.demo, true);
  });

  test('boolean variables accept 0 and false', () => {
    const c = parseConfig([], { QMAIL_EXPORTER_DEMO: '0', QMAIL_EXPORTER_LEADERBOARD_HASH_USERS: 'false' });
    assert.equal(c.demo, false);
    assert.equal(c.leaderboard.hashUsers, false);
  });

  test('the command line wins over the environment, also for repeatable flags', () => {
    const c = parseConfig(['--log.level=error', '--web.listen-address=:9200', '--no-demo'], {
      QMAIL_EXPORTER_LOG_LEVEL: 'debug',
      QMAIL_EXPORTER_WEB_LISTEN_ADDRESS: ':9300,:9400',
      QMAIL_EXPORTER_DEMO: '1',
    });
    assert.equal(c.log.level, 'error');
    assert.deepEqual(c.web.listenAddresses, [':9200']);
    assert.equal(c.demo, false);
  });

  test('empty variables are ignored; unknown QMAIL_EXPORTER_ variables give a warning', () => {
    const c = parseConfig([], { QMAIL_EXPORTER_LOG_LEVEL: '', QMAIL_EXPORTER_WEB_LISTEN_ADRESS: ':1', PATH: '/bin' });
    assert.equal(c.log.level, 'info');
    assert.deepEqual(c.warnings, ['environment variable QMAIL_EXPORTER_WEB_LISTEN_ADRESS matches no flag and is ignored']);
  });

  test('an error from a variable names the variable and the flag', () => {
    const err = configError([], { QMAIL_EXPORTER_DEMO: 'yes' });
    assert.equal(err.code, 'QX_CONFIG_INVALID');
    assert.match(err.message, /^QMAIL_EXPORTER_DEMO \(--demo\): expected 1, 0, true or false/);
    assert.equal(err.flag, '--demo');
  });
});

describe('durations', () => {
  const good: Array<[string, number]> = [
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['90s', 90_000],
  ];
  for (const [text, ms] of good) test(`${text} is ${ms} ms`, () => assert.equal(parseDuration(text), ms));

  for (const text of ['', '5', '1.5h', '-1s', '30m1h', '1h1h', '5 m', '5M', 's', '1hm', '99999999999999999999y']) {
    test(`${JSON.stringify(text)} is not a duration`, () => assert.equal(parseDuration(text), null));
  }

  test('formatDuration round-trips', () => {
    for (const [, ms] of good) assert.equal(parseDuration(formatDuration(ms)), ms);
    assert.equal(formatDuration(5_400_000), '1h30m');
    assert.equal(formatDuration(0), '0s');
  });
});

describe('listen addresses', () => {
  const good: Array<[string, string | undefined, number]> = [
    [':9025', undefined, 9025],
    ['0.0.0.0:9025', '0.0.0.0', 9025],
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['localhost:65535', 'localhost', 65535],
    ['mail.example.org:9025', 'mail.example.org', 9025],
    ['[::1]:9025', '::1', 9025],
    ['[::]:9025', '::', 9025],
    ['[fe80::1%eth0]:9025', 'fe80::1%eth0', 9025],
  ];
  for (const [addr, host, port] of good) {
    test(`${addr} → host ${String(host)} port ${port}`, () => assert.deepEqual(parseListenAddress(addr), { host, port }));
  }

  for (const addr of ['9025', '', ':', ':65536', ':-1', ':http', '::1:9025', '[::1]', '[127.0.0.1]:9025', '256.1.1.1:9025', 'bad host:9025', 'a_b:9025']) {
    test(`${JSON.stringify(addr)} is rejected naming --web.listen-address`, () => {
      assert.throws(
        () => parseListenAddress(addr),
        (err: unknown) => err instanceof ConfigError && err.code === 'QX_CONFIG_INVALID' && err.message.startsWith('--web.listen-address: '),
      );
      const viaConfig = configError([`--web.listen-address=${addr}`]);
      assert.match(viaConfig.message, /--web\.listen-address/);
    });
  }

  test('the same address twice is rejected', () => {
    assert.match(configError(['--web.listen-address=:9025', '--web.listen-address=:9025']).message, /--web\.listen-address: listed twice/);
  });
});

describe('listener map', () => {
  test('pairs and comma lists combine; the same pair twice is fine', () => {
    const c = parseConfig(['--qmail.listener-map=a=one, b=two', '--qmail.listener-map=c=three', '--qmail.listener-map=a=one'], {});
    assert.deepEqual(Object.fromEntries(c.qmail.listenerMap), { a: 'one', b: 'two', c: 'three' });
  });

  test('a tag like __proto__ is an ordinary key', () => {
    const c = parseConfig(['--qmail.listener-map=__proto__=x'], {});
    assert.equal(c.qmail.listenerMap.get('__proto__'), 'x');
  });

  const bad: Array<[string, RegExp]> = [
    ['smtp', /expected tag=listener pairs/],
    ['=mx', /the tag must be/],
    ['smtp=', /the listener name must match/],
    ['smtp=has space', /the listener name must match/],
    ['smtp=a/b', /the listener name must match/],
    [`smtp=${'x'.repeat(65)}`, /the listener name must match/],
    ['smtp=a,smtp=b', /mapped twice/],
  ];
  for (const [value, why] of bad) {
    test(`${JSON.stringify(value)} is rejected`, () => {
      const err = configError([`--qmail.listener-map=${value}`]);
      assert.equal(err.flag, '--qmail.listener-map');
      assert.match(err.message, /^--qmail\.listener-map: /);
      assert.match(err.message, why);
    });
  }
});

describe('bad values name their flag', () => {
  const cases: Array<[string[], string, RegExp]> = [
    [['--web.telemetry-path=metrics'], '--web.telemetry-path', /must start with "\/"/],
    [['--web.telemetry-path=/'], '--web.telemetry-path', /must not be "\/"/],
    [['--web.telemetry-path=/healthz'], '--web.telemetry-path', /must not be one of/],
    [['--web.telemetry-path=/a b'], '--web.telemetry-path', /must not contain/],
    [['--web.config.file='], '--web.config.file', /must not be empty/],
    [['--qmail.log-path='], '--qmail.log-path', /must not be empty/],
    [['--qmail.log-path=/a', '--qmail.log-path=/a'], '--qmail.log-path', /listed twice/],
    [['--qmail.missing-grace=1 minute'], '--qmail.missing-grace', /expected a duration/],
    [['--storage.path='], '--storage.path', /must not be empty/],
    [['--storage.interval=0'], '--storage.interval', /at least 1ms/],
    [['--storage.interval=30d'], '--storage.interval', /at most/],
    [['--leaderboard.windows='], '--leaderboard.windows', /at least one duration/],
    [['--leaderboard.windows=5m,1x'], '--leaderboard.windows', /expected comma-separated durations/],
    [['--leaderboard.windows=500ms'], '--leaderboard.windows', /at least 1s/],
    [['--leaderboard.windows=60m,1h'], '--leaderboard.windows', /listed twice/],
    [['--leaderboard.windows=1m,2m,3m,4m,5m,6m,7m,8m,9m,10m,11m'], '--leaderboard.windows', /at most 10 windows/],
    [['--leaderboard.max-keys=0'], '--leaderboard.max-keys', /whole number from 1/],
    [['--leaderboard.max-keys=1e3'], '--leaderboard.max-keys', /whole number/],
    [['--leaderboard.memory-budget=0'], '--leaderboard.memory-budget', /whole number from 1/],
    [['--leaderboard.size=1001'], '--leaderboard.size', /from 1 to 1000/],
    [['--leaderboard.size=-1'], '--leaderboard.size', /from 1 to 1000/],
    [['--leaderboard.hash-key=short'], '--leaderboard.hash-key', /at least 16 characters/],
    [['--log.level=trace'], '--log.level', /one of debug, info, warn, error/],
    [['--log.format=text'], '--log.format', /one of logfmt, json/],
  ];
  for (const [argv, flag, why] of cases) {
    test(`${argv.join(' ')}`, () => {
      const err = configError(argv);
      assert.equal(err.code, 'QX_CONFIG_INVALID');
      assert.equal(err.flag, flag);
      assert.ok(err.message.startsWith(`${flag}: `), err.message);
      assert.match(err.message, why);
    });
  }

  test('the hash key value never appears in the error', () => {
    const err = configError(['--leaderboard.hash-key=tiny-secret']);
    assert.doesNotMatch(err.message, /tiny-secret/);
    assert.equal(JSON.stringify(err.details).includes('tiny-secret'), false);
  });

  test('unknown flags and positional arguments', () => {
    const unknown = configError(['--web.listen-adress=:1']);
    assert.equal(unknown.code, 'QX_CONFIG_UNKNOWN_FLAG');
    assert.match(unknown.message, /--web\.listen-adress/);
    assert.equal(unknown.flag, '--web.listen-adress');
    assert.equal(configError(['classify']).code, 'QX_CONFIG_UNKNOWN_FLAG');
    assert.equal(configError(['--no-web.telemetry-path']).code, 'QX_CONFIG_UNKNOWN_FLAG');
  });

  test('a missing value and a value on a boolean', () => {
    const missing = configError(['--web.telemetry-path']);
    assert.equal(missing.code, 'QX_CONFIG_INVALID');
    assert.equal(missing.flag, '--web.telemetry-path');
    const ambiguous = configError(['--log.level', '--demo']);
    assert.equal(ambiguous.flag, '--log.level');
    const boolWithValue = configError(['--demo=true']);
    assert.equal(boolWithValue.flag, '--demo');
  });
});

describe('help text', () => {
  test('lists every flag, and each mirrored flag with its variable and default', () => {
    for (const flag of FLAG_NAMES) {
      const bare = flag.replace(/^--/, '');
      assert.ok(HELP_TEXT.includes(`--${bare}`) || HELP_TEXT.includes(`--[no-]${bare}`), `help misses ${flag}`);
    }
    for (const flag of ENV_FLAG_NAMES) assert.ok(HELP_TEXT.includes(`env: ${envNameFor(flag)}`), `help misses env for ${flag}`);
    const defaults = HELP_TEXT.match(/default: /g) ?? [];
    assert.equal(defaults.length, ENV_FLAG_NAMES.length);
    for (const shown of [':9025', '/metrics', '/var/log/maillog', '60s', '10s', '5m,1h,24h', '10000', 'info', 'logfmt']) {
      assert.ok(HELP_TEXT.includes(`default: ${shown}`), `help misses default ${shown}`);
    }
  });

  test('fits an 88-column terminal', () => {
    for (const line of HELP_TEXT.split('\n')) assert.ok(line.length <= 88, line);
  });
});

describe('the subcommands read their flags from the same kind of table', () => {

  test('report: defaults, values, files and bad values', () => {
    assert.deepEqual(parseCommandLine(REPORT, [], {}).values, {
      format: 'text',
      'qmail.listener-map': new Map(),
      'qmail.default-domain': null,
      'qmail.extension-delimiters': '-+',
      'qmail.sender-aliases': null,
      'qmail.trusted-relay-ips': ['127.0.0.0/8', '::1/128'],
      'qmail.smtp-uids': ['qmaild', 'vpopmail', '89'],
      top: 10,
      help: false,
    });
    const r = parseCommandLine(REPORT, ['--format', 'json', 'a.log', '--top=3', '-', '--qmail.listener-map=smtp=mx'], {});
    assert.equal(r.values.format, 'json');
    assert.equal(r.values.top, 3);
    assert.deepEqual([...r.values['qmail.listener-map']], [['smtp', 'mx']]);
    assert.deepEqual(r.files, ['a.log', '-']);
    const bad = usage(() => parseCommandLine(REPORT, ['--format=xml'], {}));
    assert.equal(bad.code, 'QX_CONFIG_INVALID');
    assert.equal(bad.flag, '--format');
    assert.match(bad.message, /^--format: expected one of text, json, prometheus/);
  });

  test('an unknown flag names itself and the command, in our words', () => {
    const err = usage(() => parseCommandLine(REPORT, ['--bogus'], {}));
    assert.equal(err.code, 'QX_CONFIG_UNKNOWN_FLAG');
    assert.equal(err.message, 'unknown flag --bogus');
    assert.equal(err.flag, '--bogus');
    assert.equal(err.details['command'], 'report');
    assert.equal(usage(() => parseCommandLine(CLASSIFY, ['--top=3'], {})).flag, '--top', 'a flag of another command is unknown here');
  });

  test('backfill: -o is --output, labels repeat, -- ends the flags', () => {
    const r = parseCommandLine(BACKFILL, ['-o', 'out.om', '--label', 'job=qmail', '--label=instance=x:9025', '--', '--odd-file-name'], {});
    assert.equal(r.values.output, 'out.om');
    assert.equal(r.values.step, '60s');
    assert.deepEqual(r.values.label, ['job=qmail', 'instance=x:9025']);
    assert.deepEqual(r.files, ['--odd-file-name']);
    assert.equal(parseCommandLine(BACKFILL, [], {}).values.output, null);
  });

  test('the subcommands read no environment', () => {
    const r = parseCommandLine(REPORT, [], { QMAIL_EXPORTER_QMAIL_LISTENER_MAP: 'smtp=mx', QMAIL_EXPORTER_TOP: '5' });
    assert.equal(r.values['qmail.listener-map'].size, 0);
    assert.equal(r.values.top, 10);
    assert.deepEqual(r.warnings, []);
  });

  test('--help skips value checks, as for the exporter', () => {
    assert.equal(parseCommandLine(REPORT, ['--top=0', '-h'], {}).values.help, true);
  });

  test('each help lists every flag of its command and fits 88 columns; the exporter\'s names the commands', () => {
    for (const cmd of [EXPORTER, ...Object.values(SUBCOMMANDS)]) {
      const text = helpText(cmd);
      for (const name of Object.keys(cmd.flags)) assert.match(text, new RegExp(`--(\\[no-\\])?${name.replace(/\./g, '\\.')}\\b`), `${cmd.name || 'exporter'} help misses --${name}`);
      for (const line of text.split('\n')) assert.ok(line.length <= 88, line);
    }
    for (const name of Object.keys(SUBCOMMANDS)) assert.match(HELP_TEXT, new RegExp(`^  ${name} `, 'm'));
  });
});

test('deriveHashKey is stable per install id and differs across installs', () => {
  assert.equal(deriveHashKey('abc\n'), deriveHashKey('abc'));
  assert.notEqual(deriveHashKey('abc'), deriveHashKey('abd'));
  assert.match(deriveHashKey('abc'), /^[0-9a-f]{64}$/);
});

describe('who is sending: the sender flags', () => {
  test('values land in config.qmail.senders, the same on every command', () => {
    const c = parseConfig(
      ['--qmail.default-domain=Example.COM', '--qmail.extension-delimiters=', '--qmail.sender-aliases=/etc/qmail-sender-aliases', '--qmail.trusted-relay-ips=10.0.0.0/8, 2001:db8::/32', '--qmail.smtp-uids=7791,qmaild'],
      {},
    );
    assert.deepEqual(c.qmail.senders, {
      defaultDomain: 'example.com',
      extensionDelimiters: '',
      aliasesFile: '/etc/qmail-sender-aliases',
      trustedRelayIps: ['10.0.0.0/8', '2001:db8::/32'],
      smtpUids: ['7791', 'qmaild'],
    });
    assert.equal(parseConfig([], { QMAIL_EXPORTER_QMAIL_DEFAULT_DOMAIN: 'example.org' }).qmail.senders.defaultDomain, 'example.org');
    for (const cmd of [CLASSIFY, REPORT]) {
      assert.equal(parseCommandLine(cmd, ['--qmail.default-domain=example.net'], {}).values['qmail.default-domain'], 'example.net');
    }
  });
  test('bad values name the flag', () => {
    const cases: Array<[string, RegExp]> = [
      ['--qmail.default-domain=not a domain', /^--qmail\.default-domain: must be a domain name/],
      ['--qmail.extension-delimiters=@', /^--qmail\.extension-delimiters: must be at most 8 characters/],
      ['--qmail.trusted-relay-ips=10.0.0.0/33', /^--qmail\.trusted-relay-ips: '10\.0\.0\.0\/33': the prefix length must be 0 to 32/],
      ['--qmail.trusted-relay-ips=example.com', /^--qmail\.trusted-relay-ips: 'example\.com' is not an IP address or CIDR range/],
      ['--qmail.smtp-uids=qmaild,-1', /^--qmail\.smtp-uids: each item must be a uid number or a user name/],
    ];
    for (const [flag, message] of cases) {
      const err = usage(() => parseConfig([flag], {}));
      assert.match(err.message, message, flag);
    }
  });
});
