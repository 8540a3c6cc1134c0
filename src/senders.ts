/**
 * What the "who is sending" rules need from the host, read once here (and the aliases file re-read
 * when it changes) so that the parsers, the classifier, the recorder and the leaderboards get plain
 * values injected and never touch a file:
 *  - the default domain: --qmail.default-domain, else the first line of control/defaultdomain, else
 *    the domain part of control/me (qmail's own rule for a bare name);
 *  - the passwd database: uid → account name (the `user` label of the injecting uids), and the uids
 *    of the names in --qmail.smtp-uids;
 *  - --qmail.sender-aliases, parsed by events/sender-aliases.ts; a malformed line is reported with
 *    its number and ignored, an unreadable file leaves the previous table in place.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { SenderFlags } from './config.js';
import { DEFAULT_SENDER_IDENTITY, type SenderAliases, type SenderIdentity } from './events/recipient-case.js';
import { parseSenderAliases, type SenderAliasProblem } from './events/sender-aliases.js';
import type { LocalSenders } from './events/queue-origin.js';
import { parseRelayTrust, type RelayTrust } from './events/relay-trust.js';

export const QMAIL_CONTROL_DIR = '/var/qmail/control';
export const PASSWD_FILE = '/etc/passwd';
/** More entries than any passwd file holds; a bigger file is read up to here. */
const MAX_PASSWD_ENTRIES = 100_000;
/** Aliases files beyond this size are refused (the table stays as it was). */
const MAX_ALIASES_BYTES = 4 * 1024 * 1024;

export interface SenderSetup {
  identity: SenderIdentity;
  relayTrust: RelayTrust;
  localSenders: LocalSenders;
  /** the aliases file, when one is configured: check() re-reads it when it changed */
  aliases: SenderAliasesFile | null;
}

export interface SenderSetupNotes {
  /** where the default domain came from, for the start-up log */
  defaultDomainFrom: 'flag' | 'defaultdomain' | 'me' | 'none';
  /** --qmail.smtp-uids names the passwd database does not know */
  unknownSmtpUsers: string[];
}

/** Reads a file's first line, or null when it is unreadable or empty. */
function firstLine(path: string): string | null {
  try {
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n', 1)[0]!.trim().toLowerCase();
    return line === '' ? null : line;
  } catch {
    return null;
  }
}

/** The default domain qmail itself would use for a bare name. */
export function readDefaultDomain(controlDir = QMAIL_CONTROL_DIR): { domain: string | null; from: 'defaultdomain' | 'me' | 'none' } {
  const dd = firstLine(join(controlDir, 'defaultdomain'));
  if (dd !== null) return { domain: dd, from: 'defaultdomain' };
  const me = firstLine(join(controlDir, 'me'));
  if (me !== null) {
    // control/me is the host's name (mail.example.com): its domain part is what follows the first
    // dot. A two-label name (example.com) is already a domain and is taken whole, never 'com'.
    const dot = me.indexOf('.');
    if (dot > 0 && dot < me.length - 1) return { domain: me.indexOf('.', dot + 1) < 0 ? me : me.slice(dot + 1), from: 'me' };
  }
  return { domain: null, from: 'none' };
}

export interface Passwd {
  byUid: ReadonlyMap<number, string>;
  byName: ReadonlyMap<string, number>;
}

/** The passwd database ('name:x:uid:gid:...'); empty when it cannot be read. */
export function readPasswd(path = PASSWD_FILE): Passwd {
  const byUid = new Map<number, string>();
  const byName = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { byUid, byName };
  }
  for (const line of text.split('\n')) {
    if (byName.size >= MAX_PASSWD_ENTRIES) break;
    const f = line.split(':');
    if (f.length < 3) continue;
    const name = f[0]!;
    const uid = Number(f[2]);
    if (name === '' || name.length > 64 || !/^\d{1,10}$/.test(f[2]!) || !Number.isSafeInteger(uid)) continue;
    if (!byUid.has(uid)) byUid.set(uid, name);
    if (!byName.has(name)) byName.set(name, uid);
  }
  return { byUid, byName };
}

/** --qmail.smtp-uids items (numbers or names) as uids; names passwd does not know are returned apart. */
export function resolveSmtpUids(items: readonly string[], passwd: Passwd): { uids: Set<number>; unknown: string[] } {
  const uids = new Set<number>();
  const unknown: string[] = [];
  for (const item of items) {
    if (/^\d+$/.test(item)) uids.add(Number(item));
    else {
      const uid = passwd.byName.get(item);
      if (uid === undefined) unknown.push(item);
      else uids.add(uid);
    }
  }
  return { uids, unknown };
}

export interface SenderAliasesFile {
  readonly path: string;
  /** the table in use */
  current(): SenderAliases;
  /**
   * Re-reads the file when its identity, size or modification time changed since the last read.
   * Returns what happened; never throws (an unreadable file keeps the table in use).
   */
  check(): AliasesReload;
}

export type AliasesReload =
  | { kind: 'unchanged' }
  | { kind: 'loaded'; logins: number; problems: SenderAliasProblem[] }
  | { kind: 'unreadable'; error: string };

export function openSenderAliasesFile(path: string, defaultDomain: string | null): SenderAliasesFile {
  let table: SenderAliases = new Map();
  let seen = '';
  return {
    path,
    current: () => table,
    check(): AliasesReload {
      let stamp: string;
      try {
        const st = statSync(path);
        stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}`;
        if (stamp === seen) return { kind: 'unchanged' };
        if (st.size > MAX_ALIASES_BYTES) {
          seen = stamp;
          return { kind: 'unreadable', error: `larger than ${MAX_ALIASES_BYTES} bytes` };
        }
        const text = readFileSync(path, 'utf8');
        seen = stamp;
        const parsed = parseSenderAliases(text, { defaultDomain });
        table = parsed.aliases;
        return { kind: 'loaded', logins: parsed.aliases.size, problems: parsed.problems };
      } catch (err) {
        return { kind: 'unreadable', error: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

export interface SenderSetupOptions {
  controlDir?: string;
  passwdFile?: string;
  /** a passwd database given as is (the demo's simulated host) instead of reading passwdFile */
  passwd?: Passwd;
}

/** Decides the sender options from the flags and the host's files. */
export function loadSenderSetup(flags: SenderFlags, opts: SenderSetupOptions = {}): { setup: SenderSetup; notes: SenderSetupNotes } {
  let defaultDomain = flags.defaultDomain;
  let defaultDomainFrom: SenderSetupNotes['defaultDomainFrom'] = 'flag';
  if (defaultDomain === null) {
    const read = readDefaultDomain(opts.controlDir);
    defaultDomain = read.domain;
    defaultDomainFrom = read.from;
  }
  const passwd = opts.passwd ?? readPasswd(opts.passwdFile);
  const { uids, unknown } = resolveSmtpUids(flags.smtpUids, passwd);
  const aliases = flags.aliasesFile === null ? null : openSenderAliasesFile(flags.aliasesFile, defaultDomain);
  const identity: SenderIdentity = {
    defaultDomain,
    extensionDelimiters: flags.extensionDelimiters,
    aliases: aliases === null ? DEFAULT_SENDER_IDENTITY.aliases : () => aliases.current(),
  };
  const localSenders: LocalSenders = { smtpUids: uids, userOf: (uid) => passwd.byUid.get(uid) ?? '' };
  return {
    setup: { identity, relayTrust: parseRelayTrust(flags.trustedRelayIps.join(',')), localSenders, aliases },
    notes: { defaultDomainFrom, unknownSmtpUsers: unknown },
  };
}

/** One log line per problem of an aliases (re)load, for whoever holds a logger. */
export function describeAliasesReload(r: AliasesReload): Array<{ level: 'info' | 'warn'; message: string; fields: Record<string, unknown> }> {
  switch (r.kind) {
    case 'unchanged':
      return [];
    case 'unreadable':
      return [{ level: 'warn', message: 'sender aliases file unreadable, keeping the previous table', fields: { error: r.error } }];
    case 'loaded':
      return [
        { level: 'info', message: 'sender aliases loaded', fields: { logins: r.logins, ignored_lines: r.problems.length } },
        ...r.problems.slice(0, 50).map((p) => ({
          level: 'warn' as const,
          message: 'sender aliases: malformed line ignored',
          fields: { line: p.line, problem: p.message },
        })),
      ];
  }
}
