/**
 * ucspi-tcp tcpserver -v (vanilla 0.88 `tcpserver.c`; fehcom ucspi-tcp6; indimail's tcpserver):
 *
 *   tcpserver: status: 1/200
 *   tcpserver: pid 210485 from 198.51.100.4
 *   tcpserver: ok 210485 mail.example.com:192.0.2.10:25 :198.51.100.4::56124
 *   tcpserver: end 210485 status 0
 *
 * 'ok'/'deny' fields: '{localhost}:{localip}:{localport} {remotehost}:{remoteip}:{remoteinfo}:{remoteport}'
 * ('-H' leaves remotehost empty, '-R' remoteinfo, '-l0' makes localhost '0'). IPv6 addresses contain
 * ':', so the local port is read after the last ':' and the remote IP between the first ':' and the
 * one before the port's. ucspi-tcp6 prints 'status: n/limit/x'; indimail appends ' sql: 0|1'.
 * 'warning:' and 'fatal:' lines are recognised and ignored. `end` status is the wait() status
 * (256 = exit 1, 25600 = exit 100).
 *
 * indimail's tcpserver (indimail-mta ucspi-tcp-x/tcpserver.c) brackets the addresses and appends the
 * per-IP limit, 'ok {pid} {localhost}[{localip}]{localport} {remotehost}[{remoteip}]{remoteinfo}:{remoteport}:maxperip={n}':
 *
 *   tcpserver: ok 68722 [::1]2025 [::1]:49105:maxperip=20          (indimail-virtualdomains README)
 *
 * and reports a child killed by a signal as 'end {pid} killed by signal {n}' (a wait status equal to
 * the signal number, as wait() gives it); 'stopped/continued by signal' lines are ignored. An IPv4
 * address mapped into IPv6 ('::ffff:192.0.2.8', ucspi-tcp6 without -4) is kept as written.
 */
import type { MailEvent } from '../events/events.js';
import type { ProgramContext, ProgramParser } from '../events/parsed-line.js';
import { lastIndexOfChar, parseUint } from './scan-text.js';

const PREFIX = 'tcpserver: ';

function parseStatus(s: string, start: number, ctx: ProgramContext): MailEvent | null {
  // 'n/limit', 'n/limit/x', 'n/limit sql: 0'
  const slash = s.indexOf('/', start);
  if (slash < 0) return null;
  const active = parseUint(s, start, slash);
  let end = slash + 1;
  while (end < s.length) {
    const d = s.charCodeAt(end) - 48;
    if (d < 0 || d > 9) break;
    end++;
  }
  const limit = parseUint(s, slash + 1, end);
  if (active < 0 || limit < 0) return null;
  if (end < s.length) {
    const c = s.charCodeAt(end);
    if (c !== 47 /* / */ && c !== 32) return null;
  }
  return { event: 'connection.status', time: ctx.time, listener: ctx.listener, active, limit };
}

function parseDecision(
  s: string,
  start: number,
  ctx: ProgramContext,
  event: 'connection.accepted' | 'connection.denied',
): MailEvent | null {
  const sp1 = s.indexOf(' ', start);
  if (sp1 < 0) return null;
  const pid = parseUint(s, start, sp1);
  const sp2 = s.indexOf(' ', sp1 + 1);
  if (pid < 0 || sp2 < 0) return null;
  // (the scans for ']' and ':' stop at sp1, the start of the local part: String.prototype.lastIndexOf
  // would run on to the start of the line, through a call into the runtime)
  if (s.charCodeAt(sp2 - 1) !== 58 /* : */ && lastIndexOfChar(s, 93 /* ] */, sp1 + 1, sp2 + 1) >= 0) return bracketedDecision(s, sp1, sp2, pid, ctx, event);
  // local part [sp1+1, sp2): port after the last ':'
  const localColon = lastIndexOfChar(s, 58 /* : */, sp1 + 1, sp2);
  if (localColon <= sp1) return null;
  const localPort = s.slice(localColon + 1, sp2);
  // remote part [sp2+1, end): host ':' ip ':' info ':' port
  let end = s.indexOf(' ', sp2 + 1);
  if (end < 0) end = s.length;
  const hostColon = s.indexOf(':', sp2 + 1);
  if (hostColon < 0 || hostColon >= end) return null;
  // info and port colons: the last two after the host colon (none there → malformed)
  const portColon = lastIndexOfChar(s, 58 /* : */, hostColon + 1, end);
  const infoColon = portColon > 0 ? lastIndexOfChar(s, 58 /* : */, hostColon + 1, portColon) : -1;
  if (infoColon <= hostColon) return null;
  const remoteIp = s.slice(hostColon + 1, infoColon);
  return { event, time: ctx.time, listener: ctx.listener, pid, remote_ip: remoteIp, local_port: localPort };
}

/** indimail's '{host}[{localip}]{localport} {host}[{remoteip}]{info}:{remoteport}:maxperip={n}' (after the pid). */
function bracketedDecision(
  s: string,
  sp1: number,
  sp2: number,
  pid: number,
  ctx: ProgramContext,
  event: 'connection.accepted' | 'connection.denied',
): MailEvent | null {
  const localClose = s.lastIndexOf(']', sp2);
  const localPort = s.slice(localClose + 1, sp2);
  // the remote address: inside the last '[...]' of the remote part (remotehost is the client's PTR name)
  let end = s.indexOf(':maxperip=', sp2 + 1);
  if (end < 0) end = s.length;
  const close = s.lastIndexOf(']', end);
  const open = close > sp2 ? s.lastIndexOf('[', close) : -1;
  if (open <= sp2) return null;
  return { event, time: ctx.time, listener: ctx.listener, pid, remote_ip: s.slice(open + 1, close), local_port: localPort };
}

/**
 * A tcpserver line: with its 'tcpserver: ' first word (multilog, splogger), or without it when the
 * syslog tag was 'tcpserver'.
 */
export const parseTcpserver: ProgramParser = (message, ctx) => {
  const s = message;
  const p = s.startsWith(PREFIX) ? PREFIX.length : 0;
  switch (s.charCodeAt(p)) {
    case 115: // s
      if (s.startsWith('status: ', p)) return parseStatus(s, p + 8, ctx);
      break;
    case 112: {
      // 'pid N from IP'
      if (!s.startsWith('pid ', p)) return null;
      const fromAt = s.indexOf(' from ', p + 4);
      if (fromAt < 0) return null;
      const pid = parseUint(s, p + 4, fromAt);
      const ip = s.slice(fromAt + 6);
      if (pid < 0 || ip.length === 0 || ip.includes(' ')) return null;
      return { event: 'connection.open', time: ctx.time, listener: ctx.listener, pid, remote_ip: ip };
    }
    case 111: // o
      return s.startsWith('ok ', p) ? parseDecision(s, p + 3, ctx, 'connection.accepted') : null;
    case 100: // d
      return s.startsWith('deny ', p) ? parseDecision(s, p + 5, ctx, 'connection.denied') : null;
    case 101: {
      // 'end N status S'
      if (!s.startsWith('end ', p)) return null;
      const statusAt = s.indexOf(' status ', p + 4);
      if (statusAt < 0) {
        // indimail: 'end {pid} killed by signal {n}' / 'stopped by signal' / 'continued by signal'
        const killed = s.indexOf(' killed by signal ', p + 4);
        if (killed >= 0) {
          const pid = parseUint(s, p + 4, killed);
          const signal = parseUint(s, killed + 18, s.length);
          if (pid < 0 || signal < 0) return null;
          return { event: 'connection.end', time: ctx.time, listener: ctx.listener, pid, status: signal };
        }
        if (s.includes(' by signal ', p + 4)) return { event: 'ignored', time: ctx.time, program: 'tcpserver' };
        return null;
      }
      const pid = parseUint(s, p + 4, statusAt);
      const status = parseUint(s, statusAt + 8, s.length);
      if (pid < 0 || status < 0) return null;
      return { event: 'connection.end', time: ctx.time, listener: ctx.listener, pid, status };
    }
    case 119: // w
    case 102: // f
      if (s.startsWith('warning: ', p) || s.startsWith('fatal: ', p)) {
        return { event: 'ignored', time: ctx.time, program: 'tcpserver' };
      }
      return null;
    default:
      break;
  }
  // indimail's other notes: 'sighup: 20/40', 'MySQL: Port 25: IPrule ...', '{slot}: IP {ip}: PID {pid}'
  if (p > 0 && (s.startsWith('sighup: ', p) || s.startsWith('MySQL: ', p) || /^\d+: IP /.test(s.slice(p, p + 16)))) {
    return { event: 'ignored', time: ctx.time, program: 'tcpserver' };
  }
  return null;
};
