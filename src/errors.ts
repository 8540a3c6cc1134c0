/**
 * Errors the exporter raises on purpose. Each carries a stable `code` (for tests, logs and
 * scripts: messages may be reworded, codes may not) and optional structured `details`
 * (the offending flag, path, …) so callers log values as fields instead of parsing messages.
 * The original error, when there is one, is kept as the standard `cause`.
 */

/** Codes in use. New rooms add theirs here so the list stays the single reference. */
export const ERROR_CODES = [
  /** a command-line flag or its QMAIL_EXPORTER_* environment variable is unknown or has a bad value */
  'QX_CONFIG_UNKNOWN_FLAG',
  'QX_CONFIG_INVALID',
  /** the --web.config.file YAML (TLS, basic auth, headers) cannot be read or is invalid */
  'QX_WEB_CONFIG_INVALID',
  /** the follower could not read a log file (reported, never fatal after start) */
  'QX_FOLLOW_READ',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ExporterErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/** Base class: `instanceof ExporterError` separates our own, expected failures from bugs. */
export class ExporterError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: ExporterErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * A configuration problem found at start-up: the process should print the message once and
 * exit with status 1. `details.flag` names the flag (e.g. '--web.listen-address') when one is
 * to blame; the message names it too.
 */
export class ConfigError extends ExporterError {
  constructor(
    code: Extract<ErrorCode, `QX_CONFIG_${string}` | 'QX_WEB_CONFIG_INVALID'>,
    message: string,
    options: ExporterErrorOptions = {},
  ) {
    super(code, message, options);
  }

  /** The flag at fault ('--web.telemetry-path'), or undefined for whole-file problems. */
  get flag(): string | undefined {
    const flag = this.details['flag'];
    return typeof flag === 'string' ? flag : undefined;
  }
}

/** An I/O failure while following a log file; the follower reports it and retries. */
export class FollowError extends ExporterError {}
