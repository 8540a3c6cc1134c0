/**
 * The operator's sender aliases (--qmail.sender-aliases): which envelope senders a login may use
 * besides its own address. One login per line, then whitespace-separated sender patterns, each an
 * address or '*@domain'; '#' starts a comment. Pure: the text comes in, the table and the problems go
 * out (the file is read, and re-read when it changes, outside the pipeline).
 *
 *   # login              may send as
 *   john@example.com     sales@example.com  info@example.com
 *   office               *@example.org
 */
import { loginKey, type SenderAliases, type SenderIdentity, type SenderPattern } from './recipient-case.js';

export interface SenderAliasProblem {
  /** 1-based line number in the file */
  line: number;
  message: string;
}

export interface ParsedSenderAliases {
  aliases: SenderAliases;
  /** malformed lines, each ignored as a whole */
  problems: SenderAliasProblem[];
}

/** Lines longer than this are ignored (a hostile or mangled file must not cost much). */
const MAX_LINE = 4096;

function parsePattern(text: string): SenderPattern | string {
  const lower = text.toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at < 0) return `'${text}' is not an address or *@domain`;
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  if (domain === '' || domain.includes('*')) return `'${text}' has no usable domain`;
  if (local === '*') return { kind: 'domain', domain };
  if (local === '' || local.includes('*')) return `'${text}': only '*@domain' may use '*'`;
  return { kind: 'address', local, domain };
}

/**
 * The aliases table of a file's text. Logins are resolved like the rule resolves them (lower case, a
 * bare login takes the default domain), so that the file may say 'john' or 'john@example.com'.
 */
export function parseSenderAliases(text: string, identity: Pick<SenderIdentity, 'defaultDomain'>): ParsedSenderAliases {
  const aliases = new Map<string, SenderPattern[]>();
  const problems: SenderAliasProblem[] = [];
  const lines = text.split('\n');
  const resolver: SenderIdentity = { defaultDomain: identity.defaultDomain, extensionDelimiters: '', aliases: () => aliases };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    const hash = line.indexOf('#');
    if (hash >= 0) line = line.slice(0, hash);
    line = line.trim();
    if (line === '') continue;
    if (line.length > MAX_LINE) {
      problems.push({ line: i + 1, message: `longer than ${MAX_LINE} characters` });
      continue;
    }
    const words = line.split(/\s+/);
    const login = words[0]!;
    if (words.length < 2) {
      problems.push({ line: i + 1, message: `login '${login}' has no sender pattern after it` });
      continue;
    }
    if (login.includes('*') || login.endsWith('@') || login.startsWith('@')) {
      problems.push({ line: i + 1, message: `'${login}' is not a login` });
      continue;
    }
    const patterns: SenderPattern[] = [];
    let problem: string | null = null;
    for (const w of words.slice(1)) {
      const p = parsePattern(w);
      if (typeof p === 'string') {
        problem = p;
        break;
      }
      patterns.push(p);
    }
    if (problem !== null) {
      problems.push({ line: i + 1, message: problem });
      continue;
    }
    const key = loginKey(login, resolver);
    const list = aliases.get(key);
    if (list === undefined) aliases.set(key, patterns);
    else list.push(...patterns);
  }
  return { aliases, problems };
}
