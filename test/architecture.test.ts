/**
 * The import graph of src/, read with node:fs: the rooms depend on each other in one direction only
 * (docs/architecture.md). A new arrow between rooms is a decision: add it to ALLOWED below, in the
 * same commit, and say why there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { filesUnder } from './helpers/files.js';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');


/** 'parse' for src/parse/…, 'config' for src/config.ts. */
function roomOf(file: string): string {
  const parts = relative(SRC, file).split('/');
  return parts.length === 1 ? parts[0]!.replace(/\.ts$/, '') : parts[0]!;
}

const FILES = filesUnder(SRC, '.ts');
const TEXT = new Map(FILES.map((f) => [f, readFileSync(f, 'utf8')]));

/** Every relative import of a file (static, type-only, re-exports and dynamic import()), as resolved paths. */
function importsOf(file: string): string[] {
  const text = TEXT.get(file)!;
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)) {
    const spec = m[1] ?? m[2]!;
    out.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
  }
  return out;
}

const GRAPH = new Map(FILES.map((f) => [f, importsOf(f)]));

/**
 * Which rooms each room may import (besides itself). Read from the bottom: the vocabulary (events)
 * and the small leaf modules import nothing of ours; parse reads only the vocabulary; classify reads
 * parse; metrics and leaderboard read events; the composition (engine, service, commands, cli) reads
 * everything below it. Nothing points back up.
 */
const ALLOWED: Record<string, readonly string[]> = {
  events: [],
  errors: [],
  version: [],
  heap: [],
  types: [],
  parse: ['events'],
  classify: ['events', 'parse'],
  metrics: ['events'],
  leaderboard: ['events'],
  follow: ['errors'],
  read: ['events', 'follow'],
  storage: ['follow'],
  queue: [],
  config: ['errors', 'events'],
  log: ['config'],
  health: [],
  overview: [],
  receive: ['config'],
  senders: ['config', 'events'],
  pipeline: ['events', 'heap', 'metrics'],
  engine: ['classify', 'events', 'metrics', 'pipeline', 'version'],
  backfill: ['config', 'errors', 'metrics'],
  http: ['config', 'errors', 'health', 'log', 'overview'],
  sim: ['events', 'leaderboard', 'metrics'],
  nagios: [],
  commands: ['backfill', 'config', 'engine', 'errors', 'events', 'leaderboard', 'metrics', 'parse', 'pipeline', 'read'],
  service: ['classify', 'config', 'engine', 'events', 'follow', 'health', 'leaderboard', 'log', 'metrics', 'overview', 'queue', 'read', 'receive', 'senders', 'storage'],
  cli: ['commands', 'config', 'engine', 'errors', 'heap', 'http', 'log', 'senders', 'service', 'sim', 'version'],
};

test('the import reader sees static, type-only and dynamic imports', () => {
  const of = (f: string) => (GRAPH.get(join(SRC, f)) ?? []).map((t) => relative(SRC, t));
  assert.ok(of('classify/classifier.ts').includes('parse/dispatch.ts'));
  assert.ok(of('classify/classifier.ts').includes('events/parsed-line.ts'), 'import type');
  assert.ok(of('cli.ts').includes('commands/report.ts'), 'import()');
});

test('every room is in the table of allowed imports', () => {
  const rooms = [...new Set(FILES.map(roomOf))].sort();
  assert.deepEqual(rooms.filter((r) => !(r in ALLOWED)), [], 'a new room: add it to ALLOWED with what it may import');
});

test('each room imports only the rooms below it', () => {
  const wrong: string[] = [];
  for (const [file, targets] of GRAPH) {
    const from = roomOf(file);
    for (const target of targets) {
      const to = roomOf(target);
      if (to !== from && !(ALLOWED[from] ?? []).includes(to)) wrong.push(`${relative(SRC, file)} → ${relative(SRC, target)}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test('nothing under src/parse imports the classifier, metrics, http, the follower or anything above', () => {
  for (const [file, targets] of GRAPH) {
    if (roomOf(file) !== 'parse') continue;
    for (const target of targets) assert.ok(['parse', 'events'].includes(roomOf(target)), `${relative(SRC, file)} imports ${relative(SRC, target)}`);
  }
});

test('src/events imports nothing of the project outside itself', () => {
  for (const [file, targets] of GRAPH) {
    if (roomOf(file) !== 'events') continue;
    for (const target of targets) assert.equal(roomOf(target), 'events', `${relative(SRC, file)} imports ${relative(SRC, target)}`);
  }
});

test('no import cycles between files', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    const s = state.get(file);
    if (s === 'done') return;
    if (s === 'open') {
      cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '));
      return;
    }
    state.set(file, 'open');
    for (const target of GRAPH.get(file) ?? []) if (GRAPH.has(target)) visit(target, [...path, file]);
    state.set(file, 'done');
  };
  for (const file of FILES) visit(file, []);
  assert.deepEqual(cycles, []);
});

/**
 * Entry points that are programs of their own: the exporter's cli.ts, and the Nagios plugin (a second
 * executable, which reads its own argv). The syslog receiver binds its socket from service start-up;
 * it is listed until that bind moves to cli.ts like the HTTP listeners'.
 */
const PROCESS_EXCEPTIONS: Record<string, RegExp> = {
  'cli.ts': /.*/,
  'nagios/check-qmail-exporter.ts': /process\.argv/,
  'receive/syslog-receiver.ts': /\.listen\(/,
  'service.ts': /\.listen\(/,
};

test('only cli.ts reads argv or the environment, listens, or handles signals', () => {
  const wrong: string[] = [];
  const touches = /process\.argv|process\.env|\.listen\(|process\.(?:on|once)\(\s*'SIG/g;
  for (const [file, text] of TEXT) {
    const name = relative(SRC, file);
    for (const m of text.matchAll(touches)) {
      const allowed = PROCESS_EXCEPTIONS[name];
      if (allowed === undefined || !allowed.test(m[0])) wrong.push(`${name}: ${m[0]}`);
    }
  }
  assert.deepEqual(wrong, []);
});
