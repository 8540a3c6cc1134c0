/**
 * Cost per line of the program parsers that map straight to events (chkuser, vchkpw, dovecot,
 * qmail-smtpd patches, spamdyke): a realistic line of each, and an adversarial 100 KB line of ':' and
 * '<' where client text goes (HELO, sender, user name). The parsers scan with indexOf/lastIndexOf, so
 * the adversarial cost must stay linear: the run fails when any such line takes 10 ms or more.
 * Times are CPU time of this process (process.cpuUsage), so a busy shared machine distorts them less
 * than wall time would.
 *
 *   node --import tsx bench/program-parsers.ts            (BENCH_ITERATIONS=200000 by default)
 */
import type { ProgramContext, ProgramParser } from '../src/events/parsed-line.js';
import { parseChkuser } from '../src/parse/chkuser.js';
import { parseVchkpw } from '../src/parse/vchkpw.js';
import { parseDovecot } from '../src/parse/dovecot.js';
import { parseQmailSmtpd } from '../src/parse/qmail-smtpd.js';
import { parseSpamdyke } from '../src/parse/spamdyke.js';

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const ADVERSARIAL_ITERATIONS = 200;
const ADVERSARIAL_LIMIT_MS = 10;
const ctx: ProgramContext = { time: 1700000000, listener: 'smtp' };
const junk = ':<'.repeat(50_000);

interface Case {
  name: string;
  parse: ProgramParser;
  realistic: string[];
  adversarial: string;
}

const cases: Case[] = [
  {
    name: 'chkuser',
    parse: parseChkuser,
    realistic: [
      'CHKUSER relaying rcpt: from <info@example.com:info@example.com:> remote <laptop:unknown:192.0.2.44> rcpt <bob@example.net> : client allowed to relay',
      'CHKUSER rejected rcpt: from <x@example.org::> remote <mx.example.org:unknown:198.51.100.7> rcpt <nobody@example.com> : not existing recipient',
      'CHKUSER accepted rcpt: from <a@example.org|remoteinfo/auth:|chkuser-identify:> remote <helo:mx.example.org|remotehostname:unknown|remotehostip:2001:db8::25> rcpt <info@example.com> : found existing recipient',
    ],
    adversarial: `CHKUSER rejected relaying: from <a@example.org::> remote <${junk}:unknown:2001:db8::25> rcpt <b@example.net> : client not allowed to relay`,
  },
  {
    name: 'vchkpw',
    parse: parseVchkpw,
    realistic: [
      'vchkpw-pop3: password fail keith1@example.com:219.136.100.198',
      'vchkpw-submission: (LOGIN) login success info@example.com:198.51.100.20',
    ],
    adversarial: `vchkpw-smtp: invalid user/domain characters ${junk}:192.0.2.1`,
  },
  {
    name: 'dovecot',
    parse: parseDovecot,
    realistic: [
      'imap-login: Info: Login: user=<info@example.com>, method=PLAIN, rip=203.0.113.207, lip=192.0.2.10, mpid=70157, TLS, session=<fzDAEldbr82XVI7P>',
      'dovecot: pop3-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<ivo>, method=PLAIN, rip=192.0.2.4, lip=192.0.2.2, TLS: Disconnected, session=<q454Xu/vMwBZApgg>',
      'dovecot: auth-worker(31326): pam(username,192.0.2.4): unknown user',
    ],
    adversarial: `imap-login: Disconnected (auth failed, 1 attempts in 2 secs): user=<${junk}>, method=PLAIN, rip=192.0.2.1, lip=192.0.2.2`,
  },
  {
    name: 'qmail-smtpd',
    parse: parseQmailSmtpd,
    realistic: [
      'qlogenvelope: result=accepted code=250 reason=rcptto detail=chkuserrelay helo=laptop mailfrom=info@example.com rcptto=bob@example.net relay=yes rcpthosts=no size= authuser=info@example.com authtype=login encrypted=tls sslverified=no localip=192.0.2.10 localport=587 remoteip=198.51.100.20 remoteport=51515 remotehost= qp= pid=4242',
      'AUTH failed [198.51.100.20] info@example.com',
      "pid 4242 Accept::AUTH::login P:ESMTPSA S:198.51.100.20:unknown H:laptop F:info@example.com T:bob@example.net ?~ 'info@example.com'",
    ],
    adversarial: `qlogenvelope: result=rejected code=553 reason=not_in_rcpthosts detail= helo=${junk} mailfrom=a@example.org rcptto=b@example.net relay=no rcpthosts=no size= authuser= authtype= encrypted= sslverified=no localip=192.0.2.10 localport=25 remoteip=198.51.100.20 remoteport=1 remotehost= qp= pid=1`,
  },
  {
    name: 'spamdyke',
    parse: parseSpamdyke,
    realistic: [
      'ALLOWED from: info@example.com to: bob@example.net origin_ip: 198.51.100.20 origin_rdns: (unknown) auth: info@example.com encryption: TLS',
      'DENIED_RBL_MATCH from: x@example.org to: info@example.com origin_ip: 203.0.113.9 origin_rdns: host.example.org auth: (unknown) encryption: (none) reason: DENIED_RBL_MATCH',
    ],
    adversarial: `DENIED_GRAYLISTED from: ${junk} to: info@example.com origin_ip: 203.0.113.9 origin_rdns: (unknown) auth: (unknown) encryption: (none)`,
  },
];

let sink = 0;

function nsPerLine(parse: ProgramParser, lines: readonly string[], iterations: number): number {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) sink += parse(lines[i % lines.length] as string, ctx) === null ? 0 : 1;
  const t0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) sink += parse(lines[i % lines.length] as string, ctx) === null ? 0 : 1;
  return cpuNsSince(t0) / iterations;
}

function cpuNsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) * 1000;
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

let failed = false;
const realistic: string[] = [];
console.log(`parser        realistic ns/line   lines/s      adversarial 100 KB line   (CPU time)`);
for (const c of cases) {
  if (c.parse(c.adversarial, ctx) === null) {
    console.error(`${c.name}: the adversarial line was not recognised`);
    failed = true;
  }
  const ns = nsPerLine(c.parse, c.realistic, ITERATIONS);
  const adversarialMs = nsPerLine(c.parse, [c.adversarial], ADVERSARIAL_ITERATIONS) / 1e6;
  realistic.push(...c.realistic);
  const verdict = adversarialMs < ADVERSARIAL_LIMIT_MS ? 'ok' : `OVER ${ADVERSARIAL_LIMIT_MS} ms`;
  if (adversarialMs >= ADVERSARIAL_LIMIT_MS) failed = true;
  console.log(
    `${c.name.padEnd(13)} ${fmt(ns).padStart(17)}   ${fmt(1e9 / ns).padStart(10)}   ${fmt(adversarialMs * 1000, 1).padStart(8)} µs/line  ${verdict}`,
  );
}

// every realistic line once per round, each through its own parser: the mix a qmail host writes
const byParser = cases.flatMap((c) => c.realistic.map((line) => [c.parse, line] as const));
for (let i = 0; i < 20_000; i++) {
  const [parse, line] = byParser[i % byParser.length]!;
  sink += parse(line, ctx) === null ? 0 : 1;
}
const mixStart = process.cpuUsage();
for (let i = 0; i < ITERATIONS; i++) {
  const [parse, line] = byParser[i % byParser.length]!;
  sink += parse(line, ctx) === null ? 0 : 1;
}
const mixNs = cpuNsSince(mixStart) / ITERATIONS;
console.log(`${'mixed'.padEnd(13)} ${fmt(mixNs).padStart(17)}   ${fmt(1e9 / mixNs).padStart(10)}`);
if (sink === 0) console.log('');
if (failed) process.exitCode = 1;
