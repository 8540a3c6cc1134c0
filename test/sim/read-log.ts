/**
 * An independent reading of the simulator's log for its tests: every line must match one of the
 * formats the simulated host writes (docs/simulator.md), and the truth is recomputed here from the
 * lines alone, with the qmail-send and tcpserver state checked line by line. Deliberately separate
 * from src/parse and src/classify: it checks the simulator, not the exporter.
 */
import { seriesKey } from '../../src/metrics/series-key.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const IP = String.raw`(?:192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}`;
const IP_OR_LOOPBACK = String.raw`(?:${IP}|127\.0\.0\.1)`;
const ADDR = String.raw`[a-z0-9.+-]+@[a-z0-9.-]*example\.(?:com|net|org|edu)`;
const SESSION = String.raw`session=<[A-Za-z0-9+/]{16}>`;
const re = (s: string): RegExp => new RegExp(`^${s}$`);

export interface LogLine {
  /** unix seconds as written: the splogger stamp, else the syslog second */
  time: number;
  /** µs of the stamp, or null for plain syslog lines */
  stampUs: number | null;
  program: string;
  message: string;
}

const ENVELOPE = /^([A-Z][a-z]{2}) ([ \d]\d) (\d\d):(\d\d):(\d\d) mail ([A-Za-z]+)(?:\[(\d+)\])?: (.*)$/;
const STAMP = /^(\d{10})\.(\d{6}) (.*)$/;

/** The envelope of a simulated line, checking that the syslog header is the local time of the stamp. */
export function readEnvelope(line: string): LogLine {
  const m = ENVELOPE.exec(line);
  if (!m) throw new Error(`no syslog envelope: ${line}`);
  const [, mon, day, hh, mm, ss, program, , rest] = m as unknown as string[];
  let message = rest!;
  let stampUs: number | null = null;
  if (program === 'qmail' || program === 'smtp' || program === 'submission') {
    const s = STAMP.exec(message);
    if (!s) throw new Error(`no splogger stamp: ${line}`);
    stampUs = Number(s[1]) * 1e6 + Number(s[2]);
    message = s[3]!;
  }
  return { time: stampUs === null ? Number.NaN : stampUs / 1e6, stampUs, program: program!, message, header: { mon: mon!, day: day!, hh: hh!, mm: mm!, ss: ss! } } as LogLine & {
    header: { mon: string; day: string; hh: string; mm: string; ss: string };
  };
}

/** `Mmm dd hh:mm:ss` of a unix second in this process's local time zone, day padded with a space */
export function syslogTime(sec: number): string {
  const d = new Date(sec * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export interface Reading {
  lines: number;
  lineResults: Record<string, number>;
  counters: Record<string, number>;
  gauges: Record<string, number>;
  histograms: Record<string, { count: number; sum: number }>;
  hourly: Record<number, Record<string, number>>;
  leaderboards: Record<string, Record<string, number>>;
  lastLineTime: number;
  /** broken invariants (ids, ordering, concurrency), empty when the log is consistent */
  problems: string[];
  /** lines that matched no known format */
  unknown: string[];
}

/** an SMTP AUTH user: an address, or a bare name (vpopmail's default domain) */
const LOGIN = String.raw`(?:${ADDR}|[a-z0-9.+-]+)`;
const CHKUSER = re(
  String.raw`CHKUSER (accepted sender|rejected sender|accepted rcpt|rejected rcpt|relaying rcpt|rejected relaying): from <(${ADDR}|#@\[\]|)?:(${LOGIN})?:> remote <([^:<>]*):unknown:(${IP_OR_LOOPBACK})> rcpt <(${ADDR})?> : (.+)`,
);
const CHKUSER_DESCRIPTIONS: Record<string, string[]> = {
  'accepted sender': ['sender accepted', 'accepted null sender always'],
  'rejected sender': ['invalid sender MX domain'],
  'accepted rcpt': ['found existing recipient'],
  'rejected rcpt': ['not existing recipient'],
  'relaying rcpt': ['client allowed to relay'],
  'rejected relaying': ['client not allowed to relay'],
};

/**
 * Recompute the truth from the lines (in order, the first at or after startTime) and check the
 * host's bookkeeping on the way; limits are those the host configures for linesPerSecond.
 */
/**
 * The sender identity rule, written again from docs/log-mapping.md: case-insensitive, a bare login
 * matches the same local part, '-' and '+' start an extension, `aliases` lists allowed login→sender pairs.
 */
export function identityReason(login: string, sender: string, aliases: ReadonlyArray<readonly [string, string]> = []): 'none' | 'alias' | 'same_domain' | 'other_domain' {
  const l = login.toLowerCase();
  const s = sender.toLowerCase();
  if (l === s) return 'none';
  const [sl, sd] = [s.slice(0, s.lastIndexOf('@')), s.slice(s.lastIndexOf('@') + 1)];
  const at = l.lastIndexOf('@');
  const [ll, ld] = at < 0 ? [l, null] : [l.slice(0, at), l.slice(at + 1)];
  const ownLocal = sl === ll || (sl.startsWith(ll) && (sl[ll.length] === '-' || sl[ll.length] === '+'));
  if ((ld === null || ld === sd) && ownLocal) return 'none';
  if (aliases.some(([al, as]) => al === l && as === s)) return 'alias';
  return ld !== null && ld === sd ? 'same_domain' : 'other_domain';
}

export interface ReadLogOptions {
  /** the exporter reads the simulator's aliases file (SimOptions.senderAliases) */
  senderAliases?: ReadonlyArray<readonly [string, string]>;
}

export function readLog(lines: Iterable<string>, startTime: number, linesPerSecond = 20, opts: ReadLogOptions = {}): Reading {
  const scale = Math.max(1, Math.ceil(linesPerSecond / 40));
  const limits: Record<string, number> = { local: 10 * scale, remote: 20 * scale, smtp: 60 * scale, submission: 30 * scale };
  const r: Reading = {
    lines: 0,
    lineResults: { counted: 0, ignored: 0, unrecognised: 0, foreign: 0 },
    counters: {},
    gauges: {},
    histograms: {
      qmail_queue_message_size_bytes: { count: 0, sum: 0 },
      qmail_queue_message_duration_seconds: { count: 0, sum: 0 },
    },
    hourly: {},
    leaderboards: {
      auth_user_recipients: {},
      auth_user_source_ips: {},
      auth_user_sender_mismatches: {},
      relay_denied_ips: {},
      auth_failure_ips: {},
      auth_failure_users: {},
      no_auth_relay_ips: {},
      local_injection_uids: {},
      remote_blocklisting_domains: {},
    },
    lastLineTime: 0,
    problems: [],
    unknown: [],
  };
  const sourceIps = new Map<string, Set<string>>();
  let durationUs = 0;
  let hour = 0;
  const count = (name: string, labels: Record<string, string> = {}): void => {
    const key = seriesKey(name, labels);
    r.counters[key] = (r.counters[key] ?? 0) + 1;
    const h = (r.hourly[hour] ??= {});
    h[key] = (h[key] ?? 0) + 1;
  };
  const bump = (board: string, key: string): void => {
    const b = r.leaderboards[board]!;
    b[key] = (b[key] ?? 0) + 1;
  };
  const problem = (p: string): void => {
    if (r.problems.length < 50) r.problems.push(p);
  };

  // qmail-send state
  const liveMsgs = new Map<number, { newUs: number; open: number; infoSeen: boolean; done: Map<string, boolean> }>();
  const deliveries = new Map<number, { msg: number; channel: string; rcpt: string }>();
  /** qp of each `bounce msg` whose bounce message has not been queued yet */
  const bounceQps = new Set<number>();
  const inFlight: Record<string, number> = { local: 0, remote: 0 };
  let lastDelivery = -1;
  // tcpserver state
  const active: Record<string, number> = { smtp: 0, submission: 0 };
  const livePids: Record<string, Set<number>> = { smtp: new Set(), submission: new Set() };
  let prevUs = -1;
  let prevSec = -1;

  for (const line of lines) {
    r.lines++;
    let env: LogLine & { header: { mon: string; day: string; hh: string; mm: string; ss: string } };
    try {
      env = readEnvelope(line) as typeof env;
    } catch (err) {
      r.unknown.push(line);
      continue;
    }
    const sec = env.stampUs === null ? null : Math.floor(env.stampUs / 1e6);
    const header = `${env.header.mon} ${env.header.day} ${env.header.hh}:${env.header.mm}:${env.header.ss}`;
    let lineSec: number;
    if (sec !== null) {
      if (syslogTime(sec) !== header) problem(`syslog time ${header} is not the local time of stamp ${sec}: ${line}`);
      if (env.stampUs! < prevUs) problem(`stamp goes back: ${line}`);
      prevUs = env.stampUs!;
      lineSec = sec;
      r.lastLineTime = env.stampUs! / 1e6;
    } else {
      // a plain line has only the syslog second: the first second from the previous line's on that reads the same
      lineSec = Math.max(prevSec, Math.floor(startTime));
      const give = lineSec + 86_400;
      while (syslogTime(lineSec) !== header && lineSec < give) lineSec++;
      if (syslogTime(lineSec) !== header) problem(`plain line out of order: ${line}`);
      r.lastLineTime = lineSec;
    }
    if (lineSec < prevSec) problem(`time goes back: ${line}`);
    prevSec = lineSec;
    hour = Math.floor(r.lastLineTime / 3600) * 3600;

    const result = classify(env.program, env.message);
    if (result === null) {
      r.unknown.push(line);
      continue;
    }
    r.lineResults[result]!++;
    count('qmail_exporter_log_lines_total', { result });
  }

  function classify(program: string, msg: string): 'counted' | 'ignored' | 'foreign' | null {
    let m: RegExpExecArray | null;
    if (program === 'qmail') {
      if ((m = /^new msg (\d+)$/.exec(msg))) {
        const id = Number(m[1]);
        if (liveMsgs.has(id)) problem(`new msg ${id} while it is still queued`);
        liveMsgs.set(id, { newUs: prevUs, open: 0, infoSeen: false, done: new Map() });
        count('qmail_queue_messages_total');
        return 'counted';
      }
      if ((m = re(String.raw`info msg (\d+): bytes (\d+) from <(${ADDR}|#@\[\]|)> qp (\d+) uid (\d+)`).exec(msg))) {
        // uid 89 is qmail-smtpd's (vpopmail) on this host: everything else was injected locally
        if (m[5] === '89') count('qmail_queue_messages_by_origin_total', { origin: 'smtp' });
        else {
          count('qmail_queue_messages_by_origin_total', { origin: 'local' });
          bump('local_injection_uids', m[5]!);
        }
        // qmail-send's own bounces (uid qmails) were announced by `bounce msg … qp` with the same qp
        if (m[5] === '507' && !bounceQps.delete(Number(m[4]))) problem(`bounce queued without its bounce msg line: ${msg}`);
        if (m[5] === '507' && m[3] !== '' && m[3] !== '#@[]') problem(`a bounce from a sender: ${msg}`);
        const live = liveMsgs.get(Number(m[1]));
        if (!live) problem(`info for unknown msg: ${msg}`);
        else live.infoSeen = true;
        r.histograms.qmail_queue_message_size_bytes!.count++;
        r.histograms.qmail_queue_message_size_bytes!.sum += Number(m[2]);
        return 'counted';
      }
      if ((m = re(String.raw`starting delivery (\d+): msg (\d+) to (local|remote) (${ADDR})`).exec(msg))) {
        const [, d, id, channel, rcpt] = m as unknown as [string, string, string, string, string];
        if (Number(d) <= lastDelivery) problem(`delivery number not increasing: ${msg}`);
        lastDelivery = Number(d);
        const live = liveMsgs.get(Number(id));
        if (!live || !live.infoSeen) problem(`delivery for a message not queued: ${msg}`);
        else {
          live.open++;
          if (live.done.get(rcpt) === true) problem(`delivered twice to ${rcpt}: ${msg}`);
          live.done.set(rcpt, false);
        }
        if (channel === 'local' && !/^(example\.com|example\.org)-/.test(rcpt)) problem(`local rcpt without vpopmail domain prefix: ${msg}`);
        deliveries.set(Number(d), { msg: Number(id), channel, rcpt });
        inFlight[channel]!++;
        count('qmail_deliveries_started_total', { channel });
        return 'counted';
      }
      if ((m = /^status: local (\d+)\/(\d+) remote (\d+)\/(\d+)$/.exec(msg))) {
        const [l, ll, rr, rl] = m.slice(1).map(Number) as [number, number, number, number];
        if (l !== inFlight.local || rr !== inFlight.remote) problem(`status ${l}/${rr} but in flight ${inFlight.local}/${inFlight.remote}`);
        if (l > ll || rr > rl) problem(`over the concurrency limit: ${msg}`);
        if (ll !== limits.local || rl !== limits.remote) problem(`qmail-send limits: ${msg}`);
        r.gauges[seriesKey('qmail_send_concurrency', { channel: 'local' })] = l;
        r.gauges[seriesKey('qmail_send_concurrency', { channel: 'remote' })] = rr;
        r.gauges[seriesKey('qmail_send_concurrency_limit', { channel: 'local' })] = ll;
        r.gauges[seriesKey('qmail_send_concurrency_limit', { channel: 'remote' })] = rl;
        return 'counted';
      }
      if ((m = /^delivery (\d+): (success|deferral|failure): (.*)$/.exec(msg))) {
        const [, d, result, report] = m as unknown as [string, string, string, string];
        const started = deliveries.get(Number(d));
        if (!started) {
          problem(`result of a delivery never started: ${msg}`);
          return 'counted';
        }
        deliveries.delete(Number(d));
        inFlight[started.channel]!--;
        const live = liveMsgs.get(started.msg);
        if (live) {
          live.open--;
          if (result !== 'deferral') live.done.set(started.rcpt, true);
        }
        let reason: string | null = null;
        const ip = String.raw`(${IP})`;
        if (result === 'success' && started.channel === 'local' && report === 'did_0+0+1/') reason = 'none';
        else if (result === 'success' && started.channel === 'remote' && re(String.raw`${ip}_accepted_message\./Remote_host_said:_250_ok_\d+_qp_\d+/`).test(report)) reason = 'none';
        else if (result === 'deferral' && started.channel === 'remote' && report === "Sorry,_I_wasn't_able_to_establish_an_SMTP_connection._(#4.4.1)/") reason = 'connection_failed';
        else if (result === 'failure' && started.channel === 'local' && report === 'Sorry,_no_mailbox_here_by_that_name._(#5.1.1)/') reason = 'no_mailbox';
        else if (result === 'failure' && started.channel === 'remote') {
          const f = re(String.raw`${ip}_does_not_like_recipient\./Remote_host_said:_550_5\.1\.1_user_unknown/Giving_up_on_${ip}\./`).exec(report);
          if (f && f[1] === f[2]) reason = 'no_mailbox';
        } else if (result === 'deferral' && started.channel === 'remote') {
          // the simulated providers refusing this host: GMX's greeting wording, Yahoo's TSS04 at MAIL
          const domain = started.rcpt.slice(started.rcpt.lastIndexOf('@') + 1);
          const greeting = re(String.raw`Connected_to_${ip}_but_greeting_failed\./Remote_host_said:_554-mx\.${domain.replace(/\./g, '\\.')}_Nemesis_ESMTP_Service_not_available/554-No_SMTP_service/554-IP_address_is_black_listed\./554_For_explanation_visit_\S+/`);
          const mail = re(String.raw`Connected_to_${ip}_but_sender_was_rejected\./Remote_host_said:_421_4\.7\.0_\[TSS04\]_Messages_from_192\.0\.2\.10_temporarily_deferred_due_to_unexpected_volume_or_user_complaints_-_4\.16\.55\.1;_see_https://postmaster\.yahooinc\.com/error-codes/`);
          if (greeting.test(report)) reason = 'blocklisted';
          else if (mail.test(report)) reason = 'rate_limited';
          if (reason !== null) bump('remote_blocklisting_domains', domain);
        }
        if (reason === null) return null;
        count('qmail_deliveries_total', { channel: started.channel, result, reason });
        return 'counted';
      }
      if ((m = /^bounce msg (\d+) qp (\d+)$/.exec(msg))) {
        const live = liveMsgs.get(Number(m[1]));
        if (!live || live.open !== 0) problem(`bounce of a message with deliveries open: ${msg}`);
        bounceQps.add(Number(m[2]));
        count('qmail_bounces_total', { kind: 'bounce' });
        return 'counted';
      }
      if ((m = /^triple bounce: discarding bounce\/(\d+)$/.exec(msg))) {
        count('qmail_bounces_total', { kind: 'triple_bounce_discarded' });
        return 'counted';
      }
      if ((m = /^end msg (\d+)$/.exec(msg))) {
        const id = Number(m[1]);
        const live = liveMsgs.get(id);
        if (!live) problem(`end of unknown msg: ${msg}`);
        else {
          if (live.open !== 0) problem(`end msg with deliveries open: ${msg}`);
          for (const [rcpt, done] of live.done) if (!done) problem(`end msg before ${rcpt} was delivered or failed: ${msg}`);
          r.histograms.qmail_queue_message_duration_seconds!.count++;
          durationUs += prevUs - live.newUs;
          liveMsgs.delete(id);
        }
        return 'counted';
      }
      return null;
    }
    if (program === 'smtp' || program === 'submission') {
      const listener = program;
      if ((m = /^tcpserver: status: (\d+)\/(\d+)$/.exec(msg))) {
        const limit = limits[listener]!;
        if (Number(m[2]) !== limit) problem(`limit: ${msg}`);
        if (Number(m[1]) > limit) problem(`over the connection limit: ${msg}`);
        r.gauges[seriesKey('qmail_connections_active', { listener })] = Number(m[1]);
        r.gauges[seriesKey('qmail_connections_limit', { listener })] = limit;
        // the parent prints status after fork (count includes the new child) and after a child's end
        if (Number(m[1]) !== active[listener] && Number(m[1]) !== active[listener]! + 1)
          problem(`${listener} status ${m[1]} with ${active[listener]} children`);
        return 'counted';
      }
      if ((m = re(String.raw`tcpserver: pid (\d+) from (${IP_OR_LOOPBACK})`).exec(msg))) {
        const pid = Number(m[1]);
        if (livePids[listener]!.has(pid)) problem(`pid reused while alive: ${msg}`);
        livePids[listener]!.add(pid);
        active[listener]!++;
        return 'counted';
      }
      if ((m = re(String.raw`tcpserver: (ok|deny) (\d+) mail\.example\.com:(192\.0\.2\.10|127\.0\.0\.1):(25|587) :(${IP_OR_LOOPBACK})::\d+`).exec(msg))) {
        if (!livePids[listener]!.has(Number(m[2]))) problem(`ok/deny for unknown pid: ${msg}`);
        if (m[4] !== (listener === 'smtp' ? '25' : '587')) problem(`port does not match the listener: ${msg}`);
        count('qmail_connections_total', { listener, result: m[1] === 'ok' ? 'accepted' : 'denied' });
        return 'counted';
      }
      if ((m = /^tcpserver: end (\d+) status (0|25600)$/.exec(msg))) {
        if (!livePids[listener]!.delete(Number(m[1]))) problem(`end of unknown pid: ${msg}`);
        else active[listener]!--;
        return 'counted';
      }
      if ((m = re(String.raw`rblsmtpd: (${IP}) pid (\d+): 451 Blocked - see https://rbl\.example\.net/query/(${IP})`).exec(msg))) {
        if (!livePids[listener]!.has(Number(m[2]))) problem(`rblsmtpd pid is not a live connection: ${msg}`);
        count('qmail_rbl_rejections_total', { listener, code: '451' });
        return 'counted';
      }
      if ((m = CHKUSER.exec(msg))) {
        const [, title, sender, auth, , ip, rcpt, description] = m as unknown as (string | undefined)[];
        if (!CHKUSER_DESCRIPTIONS[title!]!.includes(description!)) problem(`description does not fit title: ${msg}`);
        const s = sender ?? '';
        const a = auth ?? '';
        const isRcpt = title!.endsWith('rcpt') || title === 'rejected relaying';
        if (isRcpt !== (rcpt !== undefined)) problem(`rcpt field: ${msg}`);
        if (title === 'accepted sender') count('qmail_smtp_senders_total', { listener, result: 'accepted', reason: 'none' });
        else if (title === 'rejected sender') count('qmail_smtp_senders_total', { listener, result: 'rejected', reason: 'invalid_domain' });
        else if (title === 'accepted rcpt' && a === '') count('qmail_smtp_recipients_total', { listener, case: 'inbound_accepted', reason: 'none' });
        else if (title === 'rejected rcpt') count('qmail_smtp_recipients_total', { listener, case: 'inbound_rejected', reason: 'no_mailbox' });
        else if (title === 'relaying rcpt' && a === '') {
          count('qmail_smtp_recipients_total', { listener, case: 'sent_no_auth', reason: 'none' });
          count('qmail_smtp_no_auth_relay_recipients_total', { listener, source: ip!.startsWith('127.') ? 'trusted' : 'untrusted' });
          bump('no_auth_relay_ips', ip!);
        }
        else if (title === 'relaying rcpt') {
          const reason = identityReason(a, s, opts.senderAliases);
          const same = reason === 'none' || reason === 'alias';
          count('qmail_smtp_recipients_total', { listener, case: same ? 'sent_auth_same_user' : 'sent_auth_different_user', reason });
          bump('auth_user_recipients', a);
          if (!same) bump('auth_user_sender_mismatches', a);
          let ips = sourceIps.get(a);
          if (!ips) sourceIps.set(a, (ips = new Set()));
          ips.add(ip!);
        } else if (title === 'rejected relaying') {
          count('qmail_smtp_recipients_total', { listener, case: a === '' ? 'rejected_no_auth' : 'rejected_auth_failed', reason: 'relay_denied' });
          bump('relay_denied_ips', ip!);
        } else return null;
        return 'counted';
      }
      return null;
    }
    if (program === 'vpopmail') {
      if ((m = re(String.raw`vchkpw-(smtp|submission): (password fail|vpopmail user not found) (${ADDR}):(${IP})`).exec(msg))) {
        const [, protocol, what, user, ip] = m as unknown as [string, string, string, string, string];
        count('qmail_auth_attempts_total', { protocol, result: 'failure', reason: what === 'password fail' ? 'bad_password' : 'unknown_user' });
        bump('auth_failure_ips', ip);
        bump('auth_failure_users', user);
        return 'counted';
      }
      return null;
    }
    if (program === 'dovecot') {
      if ((m = re(String.raw`(imap|pop3)-login: Login: user=<(${ADDR})>, method=PLAIN, rip=(${IP_OR_LOOPBACK}), lip=(192\.0\.2\.10|127\.0\.0\.1), mpid=\d+, (TLS|secured), ${SESSION}`).exec(msg))) {
        const webmail = m[3] === '127.0.0.1';
        if (webmail !== (m[4] === '127.0.0.1') || webmail !== (m[5] === 'secured')) problem(`webmail login fields: ${msg}`);
        count('qmail_auth_attempts_total', { protocol: webmail ? 'webmail' : m[1]!, result: 'success', reason: 'none' });
        return 'counted';
      }
      if ((m = re(String.raw`(imap|pop3)-login: (?:Disconnected|Disconnected: Connection closed|Aborted login) \(auth failed, [1-9]\d* attempts in \d+ secs\): user=<(${ADDR})>, method=PLAIN, rip=(${IP}), lip=192\.0\.2\.10, TLS, ${SESSION}`).exec(msg))) {
        count('qmail_auth_attempts_total', { protocol: m[1]!, result: 'failure', reason: 'auth_failed' });
        bump('auth_failure_ips', m[3]!);
        bump('auth_failure_users', m[2]!);
        return 'counted';
      }
      if (re(String.raw`(imap|pop3)-login: Disconnected \(no auth attempts in \d+ secs\): user=<>, rip=${IP}, lip=192\.0\.2\.10, TLS, ${SESSION}`).test(msg)) return 'ignored';
      return null;
    }
    if (program === 'sshd' && (re(String.raw`Accepted publickey for admin from ${IP} port \d+ ssh2: RSA SHA256:[A-Za-z0-9+/]{43}`).test(msg) || msg === 'pam_unix(sshd:session): session opened for user admin by (uid=0)'))
      return 'foreign';
    if (program === 'CROND' && /^\(root\) CMD \(.+\)$/.test(msg)) return 'foreign';
    return null;
  }

  if (bounceQps.size > 5) problem(`${bounceQps.size} bounces announced and never queued`);
  r.histograms.qmail_queue_message_duration_seconds!.sum = durationUs / 1e6;
  for (const [u, ips] of sourceIps) r.leaderboards.auth_user_source_ips![u] = ips.size;
  return r;
}
