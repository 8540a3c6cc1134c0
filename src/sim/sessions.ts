/**
 * The conversations of the simulated host, one script each: SMTP sessions through tcpserver -v,
 * rblsmtpd and qmail-smtpd with chkuser 2.0.9 (port 25 logs as `smtp`, port 587 as `submission`),
 * vpopmail vchkpw failures, dovecot 2.3 logins, and a few lines of other programs.
 *
 *   smtp: 1700831700.472438 tcpserver: ok 8123 mail.example.com:192.0.2.10:25 :198.51.100.41::40112
 *   smtp: 1700831700.981233 CHKUSER accepted rcpt: from <john@example.net::> remote <mx1.example.net:unknown:198.51.100.41> rcpt <alice@example.com> : found existing recipient
 *   vpopmail[8200]: vchkpw-submission: password fail info@example.com:203.0.113.66
 *   dovecot: imap-login: Login: user=<alice@example.com>, method=PLAIN, rip=192.0.2.20, lip=192.0.2.10, mpid=8211, TLS, session=<kQ2b0Dx1xH8gAQAB>
 *
 * Each script writes lines, then yields the pause (µs) before its next step.
 */
import type { Timeline, Effect } from './timeline.js';
import { seconds } from './timeline.js';
import type { Script } from './scheduler.js';
import type { QmailSend, Recipient } from './send-queue.js';
import { FATE_FORGED, FATE_LOCAL, FATE_LOCAL_SURE, FATE_REMOTE, FATE_SPAM } from './send-queue.js';
import type { MailUser, World } from './world.js';
import { ALIASED_PAIR, MISSING_NAMES, OPEN_RELAY_IP, POSTMASTER, REMOTE_NAMES, SERVER_IP, SERVER_NAME, VPOPMAIL_UID, WEBSITE_UID } from './world.js';
import type { TruthBuilder } from './truth.js';
import { RESULT_COUNTED, RESULT_FOREIGN, RESULT_IGNORED } from './truth.js';

export type Listener = 'smtp' | 'submission';
const PORT: Record<Listener, number> = { smtp: 25, submission: 587 };
const ADMIN_IP = '192.0.2.5';
const WEBMAIL_IP = '127.0.0.1';
const FORGED_NAMES = ['invoice', 'billing', 'no-reply', 'security', 'support', 'payments', 'service', 'notice'];
const FORGED_DOMAINS = ['billing.example.net', 'secure-pay.example.net', 'account.example.edu', 'notify.example.edu', 'example.net'];
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export class Sessions {
  private readonly active: Record<Listener, number> = { smtp: 0, submission: 0 };
  /** counter and gauge series numbers, made once */
  private readonly ids: ReturnType<typeof seriesIds>;
  private readonly statusEffect: Record<Listener, number>;

  constructor(
    private readonly e: Timeline,
    private readonly world: World,
    private readonly send: QmailSend,
    /** tcpserver -c of each service */
    private readonly limits: Readonly<Record<Listener, number>>,
    /** the exporter reads SENDER_ALIASES_TEXT: the aliased pair may send */
    private readonly senderAliases = false,
  ) {
    const ids = (this.ids = seriesIds(e.truth));
    const t = e.truth;
    const effect = (listener: Listener): number =>
      e.codedEffect((_us, n) => {
        t.gauge(ids.active[listener], n);
        t.gauge(ids.limit[listener], this.limits[listener]);
      });
    this.statusEffect = { smtp: effect('smtp'), submission: effect('submission') };
  }

  // ---- building blocks

  /** tcpserver forks a child for a new client: `status`, `pid`, then `ok` (or `deny`) */
  private *connect(listener: Listener, ip: string, deny = false): Generator<number, number, void> {
    // at its limit tcpserver stops accepting; the client waits in the listen backlog
    while (this.active[listener] >= this.limits[listener]) yield seconds(0.5);
    const e = this.e;
    const pid = e.pid();
    e.holdPid(pid);
    this.status(listener, ++this.active[listener]);
    e.splog(listener, `tcpserver: pid ${pid} from ${ip}`, -1);
    const local = ip === WEBMAIL_IP ? WEBMAIL_IP : SERVER_IP;
    const fields = `${SERVER_NAME}:${local}:${PORT[listener]} :${ip}::${e.rng.int(32768, 60999)}`;
    if (deny) e.splog(listener, `tcpserver: deny ${pid} ${fields}`, this.ids.denied[listener]);
    else e.splog(listener, `tcpserver: ok ${pid} ${fields}`, this.ids.accepted[listener]);
    return pid;
  }

  /** the child exited: `end` with its wait status (0, or 25600 for exit 100 after deny), then `status` */
  private close(listener: Listener, pid: number, status = 0): void {
    this.e.splog(listener, `tcpserver: end ${pid} status ${status}`, -1);
    this.e.releasePid(pid);
    this.status(listener, --this.active[listener]);
  }

  private status(listener: Listener, n: number): void {
    this.e.splogCoded(listener, `tcpserver: status: ${n}/${this.limits[listener]}`, -1, null, this.statusEffect[listener], n, 0);
  }

  private chkuser(
    listener: Listener,
    title: string,
    sender: string,
    auth: string,
    remote: string,
    rcpt: string,
    description: string,
    counter: number,
    extra: Effect | null = null,
  ): void {
    this.e.splog(
      listener,
      `CHKUSER ${title}: from <${sender}:${auth}:> remote <${remote}> rcpt <${rcpt}> : ${description}`,
      counter,
      extra,
    );
  }

  private senderAccepted(listener: Listener, sender: string, auth: string, remote: string): void {
    const id = this.ids.senderAccepted[listener];
    const description = sender === '' ? 'accepted null sender always' : 'sender accepted';
    this.chkuser(listener, 'accepted sender', sender, auth, remote, '', description, id);
  }

  private remoteAddress(): string {
    const rng = this.e.rng;
    return `${rng.pick(REMOTE_NAMES)}@${rng.pick(this.world.remoteDomains)}`;
  }

  private size(): number {
    return Math.round(Math.min(25_000_000, Math.max(400, this.e.rng.logNormal(9000, 1.3))));
  }

  /** dovecot's session id: 12 random bytes in base64 */
  private session(): string {
    const rng = this.e.rng;
    let s = '';
    for (let i = 0; i < 4; i++) {
      const x = Math.floor(rng.next() * 16_777_216);
      s += B64[x >> 18]! + B64[(x >> 12) & 63]! + B64[(x >> 6) & 63]! + B64[x & 63]!;
    }
    return s;
  }

  private dovecotLogin(service: 'imap' | 'pop3', user: string, ip: string): void {
    const webmail = ip === WEBMAIL_IP;
    const e = this.e;
    const tail = webmail ? `lip=${WEBMAIL_IP}, mpid=${e.pid()}, secured` : `lip=${SERVER_IP}, mpid=${e.pid()}, TLS`;
    e.plain(
      'dovecot',
      `${service}-login: Login: user=<${user}>, method=PLAIN, rip=${ip}, ${tail}, session=<${this.session()}>`,
      RESULT_COUNTED,
      this.ids.loginOk[webmail ? 'webmail' : service],
    );
  }

  private dovecotFailure(service: 'imap' | 'pop3', user: string, ip: string, attempts: number): void {
    const e = this.e;
    const t = e.truth;
    const x = e.rng.next();
    const why = x < 0.7 ? 'Disconnected' : x < 0.9 ? 'Disconnected: Connection closed' : 'Aborted login';
    e.plain(
      'dovecot',
      `${service}-login: ${why} (auth failed, ${attempts} attempts in ${attempts * e.rng.int(1, 4)} secs): user=<${user}>, method=PLAIN, rip=${ip}, lip=${SERVER_IP}, TLS, session=<${this.session()}>`,
      RESULT_COUNTED,
      this.ids.dovecotFailed[service],
      () => t.authFailure(user, ip),
    );
  }

  /** vchkpw refuses an SMTP AUTH (successes are not logged at vpopmail's default log level) */
  private vchkpwFailure(listener: Listener, user: string, ip: string, known: boolean): void {
    const e = this.e;
    const t = e.truth;
    const what = known ? 'password fail' : 'vpopmail user not found';
    e.plain(
      `vpopmail[${e.pid()}]`,
      `vchkpw-${listener}: ${what} ${user}:${ip}`,
      RESULT_COUNTED,
      known ? this.ids.badPassword[listener] : this.ids.unknownUser[listener],
      () => t.authFailure(user, ip),
    );
  }

  // ---- normal traffic

  /** an MTA on the internet delivers mail for local mailboxes */
  *inbound(): Script {
    const e = this.e;
    const rng = e.rng;
    const mta = rng.pick(this.world.mtas);
    const remote = `${mta.helo}:unknown:${mta.ip}`;
    const pid = yield* this.connect('smtp', mta.ip);
    yield seconds(rng.range(0.2, 1.5));
    if (rng.chance(0.02)) {
      // a spam run with a made-up sender domain
      const id = this.ids.senderBadDomain;
      this.chkuser('smtp', 'rejected sender', `${rng.pick(REMOTE_NAMES)}@nx${rng.int(1, 99)}.example.net`, '', remote, '', 'invalid sender MX domain', id);
      yield seconds(rng.range(0.05, 0.5));
      this.close('smtp', pid);
      return;
    }
    const sender = rng.chance(0.04) ? '' : `${rng.pick(REMOTE_NAMES)}@${mta.domain}`;
    this.senderAccepted('smtp', sender, '', remote);
    const x = rng.next();
    const k = x < 0.7 ? 1 : x < 0.95 ? rng.int(2, 3) : rng.int(4, 8);
    const rcpts: Recipient[] = [];
    for (let i = 0; i < k; i++) {
      yield seconds(rng.range(0.03, 0.3));
      if (rng.chance(0.08)) {
        const rcpt = `${rng.pick(MISSING_NAMES)}@${rng.pick(this.world.localDomains)}`;
        this.chkuser('smtp', 'rejected rcpt', sender, '', remote, rcpt, 'not existing recipient', this.ids.inboundRejected);
      } else {
        const rcpt = rng.pick(this.world.users).address;
        this.chkuser('smtp', 'accepted rcpt', sender, '', remote, rcpt, 'found existing recipient', this.ids.inboundAccepted);
        rcpts.push({ address: rcpt, local: true, fate: FATE_LOCAL });
      }
    }
    if (rcpts.length > 0) {
      yield seconds(rng.range(0.3, 3));
      this.send.queue(sender, rcpts, this.size(), e.pid(), VPOPMAIL_UID, FATE_REMOTE);
    }
    yield seconds(rng.range(0.05, 0.3));
    this.close('smtp', pid);
  }

  /**
   * a mailbox owner sends through the submission port. Mostly logged in as its address and sending as
   * it; sometimes as vpopmail allows (the bare name, for the default domain example.com), sometimes
   * from one of its qmail extension addresses, the aliased pair as the sales desk, and now and then as
   * a colleague of the same domain (a shared office: sent_auth_different_user/same_domain).
   */
  *submission(): Script {
    const e = this.e;
    const rng = e.rng;
    const x = rng.next();
    // the aliased pair: alice sends as the sales desk (when the exporter has the aliases file)
    const aliased = this.senderAliases && x >= 0.18 && x < 0.28;
    const user = aliased ? this.world.users.find((u) => u.address === ALIASED_PAIR.login)! : rng.pick(this.world.users);
    const at = user.address.indexOf('@');
    const local = user.address.slice(0, at);
    const domain = user.address.slice(at + 1);
    let login = user.address;
    let sender = user.address;
    let id = this.ids.sentSameUser;
    let mismatch = false;
    if (x < 0.12 && domain === 'example.com') login = local;
    else if (x < 0.18) sender = `${local}${rng.chance(0.5) ? '-news' : '+lists'}@${domain}`;
    else if (aliased) {
      sender = ALIASED_PAIR.sender;
      id = this.ids.sentAlias;
    } else if (x >= 0.28 && x < 0.295 && user.address !== this.world.actors.hijackedUser) {
      // (not the hijacked account: its mismatches stay the hijacker's alone, as the tests read them)
      sender = `${local === 'info' ? 'sales' : 'info'}@${domain}`;
      id = this.ids.sentOtherUserSameDomain;
      mismatch = true;
    }
    yield* this.sendAs(user, rng.pick(user.ips), login, sender, id, mismatch);
  }

  private *sendAs(user: MailUser, ip: string, login = user.address, me = user.address, id = this.ids.sentSameUser, mismatch = false): Script {
    const e = this.e;
    const rng = e.rng;
    const t = e.truth;
    const remote = `${user.helo}:unknown:${ip}`;
    const pid = yield* this.connect('submission', ip);
    yield seconds(rng.range(0.4, 2));
    this.senderAccepted('submission', me, login, remote);
    const k = rng.chance(0.8) ? 1 : rng.int(2, 4);
    const rcpts: Recipient[] = [];
    for (let i = 0; i < k; i++) {
      yield seconds(rng.range(0.03, 0.3));
      const rcpt = this.remoteAddress();
      this.chkuser('submission', 'relaying rcpt', me, login, remote, rcpt, 'client allowed to relay', id, () => t.authRecipient(login, ip, mismatch));
      rcpts.push({ address: rcpt, local: false, fate: FATE_REMOTE });
    }
    yield seconds(rng.range(0.3, 4));
    this.send.queue(me, rcpts, this.size(), e.pid(), VPOPMAIL_UID, FATE_LOCAL_SURE);
    yield seconds(rng.range(0.05, 0.3));
    this.close('submission', pid);
  }

  /** root's cron mail to the postmaster, injected locally (uid 0) */
  *cronMail(): Script {
    const e = this.e;
    this.send.queue(`root@${SERVER_NAME}`, [{ address: POSTMASTER, local: true, fate: FATE_LOCAL_SURE }], Math.round(e.rng.range(600, 4000)), e.pid(), 0, FATE_LOCAL_SURE);
    yield seconds(1);
  }

  /** webmail on 127.0.0.1: IMAP logins while the user reads, then SMTP on port 25 with RELAYCLIENT set */
  *webmail(): Script {
    const e = this.e;
    const rng = e.rng;
    const user = rng.pick(this.world.users);
    const logins = rng.int(1, 4);
    for (let i = 0; i < logins; i++) {
      this.dovecotLogin('imap', user.address, WEBMAIL_IP);
      yield seconds(rng.range(3, 60));
    }
    const t = e.truth;
    const remote = `localhost:unknown:${WEBMAIL_IP}`;
    const pid = yield* this.connect('smtp', WEBMAIL_IP);
    yield seconds(rng.range(0.01, 0.1));
    const me = user.address;
    this.senderAccepted('smtp', me, '', remote);
    const k = rng.chance(0.85) ? 1 : 2;
    const rcpts: Recipient[] = [];
    const id = this.ids.sentNoAuth;
    for (let i = 0; i < k; i++) {
      yield seconds(rng.range(0.005, 0.05));
      const rcpt = this.remoteAddress();
      this.chkuser('smtp', 'relaying rcpt', me, '', remote, rcpt, 'client allowed to relay', id, () => {
        t.inc(this.ids.noAuthTrusted);
        t.noAuthRelay(WEBMAIL_IP);
      });
      rcpts.push({ address: rcpt, local: false, fate: FATE_REMOTE });
    }
    yield seconds(rng.range(0.05, 0.5));
    this.send.queue(me, rcpts, this.size(), e.pid(), VPOPMAIL_UID, FATE_LOCAL_SURE);
    yield seconds(rng.range(0.01, 0.1));
    this.close('smtp', pid);
  }

  /** a mail client checks a mailbox */
  *mailboxLogin(): Script {
    const rng = this.e.rng;
    const user = rng.pick(this.world.users);
    this.dovecotLogin(rng.chance(0.85) ? 'imap' : 'pop3', user.address, rng.pick(user.ips));
  }

  /** a scanner opens IMAP/POP3 and leaves without trying to log in (dovecot logs it; nothing to count) */
  *noAuthAttempt(): Script {
    const e = this.e;
    const rng = e.rng;
    const service = rng.chance(0.6) ? 'imap' : 'pop3';
    e.plain(
      'dovecot',
      `${service}-login: Disconnected (no auth attempts in ${rng.int(0, 20)} secs): user=<>, rip=${rng.pick(this.world.scanners)}, lip=${SERVER_IP}, TLS, session=<${this.session()}>`,
      RESULT_IGNORED,
      -1,
    );
  }

  /** a client listed in the RBL: rblsmtpd answers 451 to everything and the client gives up */
  *rblRejected(): Script {
    const e = this.e;
    const rng = e.rng;
    const ip = rng.pick(this.world.rblListed);
    const pid = yield* this.connect('smtp', ip);
    yield seconds(rng.range(0.001, 0.01));
    e.splog('smtp', `rblsmtpd: ${ip} pid ${pid}: 451 Blocked - see https://rbl.example.net/query/${ip}`, this.ids.rbl451);
    yield seconds(rng.range(0.5, 8));
    this.close('smtp', pid);
  }

  /** a client tcprules denies: tcpserver's child exits 100 at once */
  *denied(): Script {
    const rng = this.e.rng;
    const pid = yield* this.connect('smtp', rng.pick(this.world.denied), true);
    yield seconds(rng.range(0.0005, 0.003));
    this.close('smtp', pid, 25600);
  }

  /** a user mistypes a password, then gets it right (a success vchkpw does not log) */
  *typo(): Script {
    const e = this.e;
    const rng = e.rng;
    const user = rng.pick(this.world.users);
    const ip = rng.pick(user.ips);
    if (rng.chance(0.6)) {
      this.dovecotFailure('imap', user.address, ip, 1);
      yield seconds(rng.range(3, 20));
      this.dovecotLogin('imap', user.address, ip);
      return;
    }
    const pid = yield* this.connect('submission', ip);
    yield seconds(rng.range(0.3, 1.5));
    this.vchkpwFailure('submission', user.address, ip, true);
    yield seconds(rng.range(0.05, 0.5));
    this.close('submission', pid);
  }

  /** lines of other programs that the syslog configuration also sends to maillog */
  *foreign(): Script {
    const e = this.e;
    const rng = e.rng;
    const x = rng.next();
    if (x < 0.4) {
      let key = '';
      for (let i = 0; i < 43; i++) key += B64[Math.floor(rng.next() * 64)];
      const pid = e.pid();
      e.plain(`sshd[${pid}]`, `Accepted publickey for admin from ${ADMIN_IP} port ${rng.int(40000, 60999)} ssh2: RSA SHA256:${key}`, RESULT_FOREIGN, -1);
      yield seconds(rng.range(0.005, 0.05));
      e.plain(`sshd[${pid}]`, 'pam_unix(sshd:session): session opened for user admin by (uid=0)', RESULT_FOREIGN, -1);
    } else if (x < 0.7) {
      e.plain(`CROND[${e.pid()}]`, '(root) CMD (run-parts /etc/cron.hourly)', RESULT_FOREIGN, -1);
    } else {
      e.plain(`CROND[${e.pid()}]`, '(root) CMD (/usr/lib64/sa/sa1 1 1)', RESULT_FOREIGN, -1);
    }
  }

  // ---- abuse

  /** a bot looking for an open relay: many recipients at foreign domains, all refused */
  *relayBot(): Script {
    const e = this.e;
    const rng = e.rng;
    const t = e.truth;
    const ip = rng.pick(this.world.actors.relayBotIps);
    const remote = `${rng.chance(0.5) ? `[${ip}]` : rng.pick(['User', 'ylmf-pc', 'WIN-3MSP8K2LCGC', 'localhost'])}:unknown:${ip}`;
    const pid = yield* this.connect('smtp', ip);
    yield seconds(rng.range(0.3, 1.2));
    const sender = rng.chance(0.5) ? `${rng.pick(MISSING_NAMES)}@${rng.pick(this.world.localDomains)}` : this.remoteAddress();
    this.senderAccepted('smtp', sender, '', remote);
    const id = this.ids.relayDenied;
    const k = rng.int(3, 20);
    for (let i = 0; i < k; i++) {
      yield seconds(rng.range(0.1, 1.2));
      this.chkuser('smtp', 'rejected relaying', sender, '', remote, `${rng.pick(REMOTE_NAMES)}${rng.int(1, 99)}@${rng.pick(this.world.remoteDomains)}`, 'client not allowed to relay', id, () => t.relayDenied(ip));
    }
    yield seconds(rng.range(0.05, 0.5));
    this.close('smtp', pid);
  }

  /** one IP guessing passwords through SMTP AUTH (submission, sometimes port 25) and IMAP */
  *bruteForce(): Script {
    const e = this.e;
    const rng = e.rng;
    const { bruteForceIp: ip, bruteForcedUsers } = this.world.actors;
    const known = (u: string): boolean => this.world.users.some((m) => m.address === u);
    const x = rng.next();
    if (x < 0.25) {
      const user = rng.pick(bruteForcedUsers);
      this.dovecotFailure('imap', user, ip, rng.int(1, 3));
      return;
    }
    const listener: Listener = x < 0.35 ? 'smtp' : 'submission';
    const pid = yield* this.connect(listener, ip);
    const tries = rng.int(1, 3);
    let user = '';
    for (let i = 0; i < tries; i++) {
      yield seconds(rng.range(0.3, 2));
      user = rng.pick(bruteForcedUsers);
      this.vchkpwFailure(listener, user, ip, known(user));
    }
    if (listener === 'smtp' && rng.chance(0.6)) {
      // it tries to relay anyway, naming the user in MAIL FROM's AUTH=: chkuser logs it as remoteinfo
      const t = e.truth;
      const remote = `[${ip}]:unknown:${ip}`;
      const sender = this.remoteAddress();
      yield seconds(rng.range(0.1, 0.5));
      this.senderAccepted('smtp', sender, user, remote);
      for (let i = rng.int(1, 3); i > 0; i--) {
        yield seconds(rng.range(0.05, 0.3));
        const rcpt = `${rng.pick(REMOTE_NAMES)}${rng.int(1, 99)}@${rng.pick(this.world.remoteDomains)}`;
        this.chkuser('smtp', 'rejected relaying', sender, user, remote, rcpt, 'client not allowed to relay', this.ids.relayDeniedAuthFailed, () => t.relayDenied(ip));
      }
    }
    yield seconds(rng.range(0.05, 0.5));
    this.close(listener, pid);
  }

  /** a client of a too-wide RELAYCLIENT range relays mail without authenticating (sent_no_auth, untrusted) */
  *openRelay(): Script {
    const e = this.e;
    const rng = e.rng;
    const t = e.truth;
    const ip = OPEN_RELAY_IP;
    const remote = `OFFICE-PC:unknown:${ip}`;
    const pid = yield* this.connect('smtp', ip);
    yield seconds(rng.range(0.2, 1));
    const sender = this.remoteAddress();
    this.senderAccepted('smtp', sender, '', remote);
    const k = rng.int(2, 8);
    const rcpts: Recipient[] = [];
    for (let i = 0; i < k; i++) {
      yield seconds(rng.range(0.02, 0.2));
      const rcpt = `${rng.pick(REMOTE_NAMES)}${rng.int(1, 999)}@${rng.pick(this.world.remoteDomains)}`;
      this.chkuser('smtp', 'relaying rcpt', sender, '', remote, rcpt, 'client allowed to relay', this.ids.sentNoAuth, () => {
        t.inc(this.ids.noAuthUntrusted);
        t.noAuthRelay(ip);
      });
      rcpts.push({ address: rcpt, local: false, fate: FATE_SPAM });
    }
    yield seconds(rng.range(0.3, 2));
    this.send.queue(sender, rcpts, this.size(), e.pid(), VPOPMAIL_UID, FATE_FORGED);
    yield seconds(rng.range(0.05, 0.3));
    this.close('smtp', pid);
  }

  /** a compromised website sends spam through PHP mail(): only qmail-send's lines show it, under uid 48 */
  *websiteSpam(): Script {
    const e = this.e;
    const rng = e.rng;
    const sender = rng.chance(0.5) ? `apache@${SERVER_NAME}` : `${rng.pick(FORGED_NAMES)}@${rng.pick(FORGED_DOMAINS)}`;
    const rcpts: Recipient[] = [];
    const k = rng.int(1, 3);
    for (let i = 0; i < k; i++) {
      rcpts.push({ address: `${rng.pick(REMOTE_NAMES)}${rng.int(1, 999)}@${rng.pick(this.world.remoteDomains)}`, local: false, fate: FATE_SPAM });
    }
    this.send.queue(sender, rcpts, Math.round(rng.range(1500, 6000)), e.pid(), WEBSITE_UID, FATE_FORGED);
    yield seconds(rng.range(0.5, 3));
  }

  /** the stolen account: logs in from many IPs and relays spam with forged envelope senders */
  *hijack(): Script {
    const e = this.e;
    const rng = e.rng;
    const t = e.truth;
    const { hijackedUser: user, hijackIps } = this.world.actors;
    const ip = rng.pick(hijackIps);
    const remote = `${rng.chance(0.5) ? `[${ip}]` : 'User'}:unknown:${ip}`;
    const pid = yield* this.connect('submission', ip);
    yield seconds(rng.range(0.5, 2.5));
    const id = this.ids.sentOtherUser;
    const messages = rng.int(1, 3);
    for (let m = 0; m < messages; m++) {
      const sender = `${rng.pick(FORGED_NAMES)}@${rng.pick(FORGED_DOMAINS)}`;
      this.senderAccepted('submission', sender, user, remote);
      const k = rng.int(8, 25);
      const rcpts: Recipient[] = [];
      for (let i = 0; i < k; i++) {
        yield seconds(rng.range(0.02, 0.2));
        const rcpt = `${rng.pick(REMOTE_NAMES)}${rng.int(1, 999)}@${rng.pick(this.world.remoteDomains)}`;
        this.chkuser('submission', 'relaying rcpt', sender, user, remote, rcpt, 'client allowed to relay', id, () => t.authRecipient(user, ip, true));
        rcpts.push({ address: rcpt, local: false, fate: FATE_SPAM });
      }
      yield seconds(rng.range(0.5, 2));
      this.send.queue(sender, rcpts, Math.round(rng.range(3000, 40000)), e.pid(), VPOPMAIL_UID, FATE_FORGED);
    }
    yield seconds(rng.range(0.05, 0.3));
    this.close('submission', pid);
  }
}

function seriesIds(t: TruthBuilder) {
  const byListener = (f: (listener: Listener) => number): Record<Listener, number> => ({ smtp: f('smtp'), submission: f('submission') });
  const rcpt = (listener: Listener, kase: string, reason: string): number =>
    t.series('qmail_smtp_recipients_total', { listener, case: kase, reason });
  const auth = (protocol: string, result: string, reason: string): number =>
    t.series('qmail_auth_attempts_total', { protocol, result, reason });
  return {
    accepted: byListener((listener) => t.series('qmail_connections_total', { listener, result: 'accepted' })),
    denied: byListener((listener) => t.series('qmail_connections_total', { listener, result: 'denied' })),
    active: byListener((listener) => t.gaugeSeries('qmail_connections_active', { listener })),
    limit: byListener((listener) => t.gaugeSeries('qmail_connections_limit', { listener })),
    senderAccepted: byListener((listener) => t.series('qmail_smtp_senders_total', { listener, result: 'accepted', reason: 'none' })),
    senderBadDomain: t.series('qmail_smtp_senders_total', { listener: 'smtp', result: 'rejected', reason: 'invalid_domain' }),
    inboundAccepted: rcpt('smtp', 'inbound_accepted', 'none'),
    inboundRejected: rcpt('smtp', 'inbound_rejected', 'no_mailbox'),
    sentNoAuth: rcpt('smtp', 'sent_no_auth', 'none'),
    noAuthTrusted: t.series('qmail_smtp_no_auth_relay_recipients_total', { listener: 'smtp', source: 'trusted' }),
    noAuthUntrusted: t.series('qmail_smtp_no_auth_relay_recipients_total', { listener: 'smtp', source: 'untrusted' }),
    relayDenied: rcpt('smtp', 'rejected_no_auth', 'relay_denied'),
    sentSameUser: rcpt('submission', 'sent_auth_same_user', 'none'),
    sentAlias: rcpt('submission', 'sent_auth_same_user', 'alias'),
    sentOtherUserSameDomain: rcpt('submission', 'sent_auth_different_user', 'same_domain'),
    relayDeniedAuthFailed: rcpt('smtp', 'rejected_auth_failed', 'relay_denied'),
    sentOtherUser: rcpt('submission', 'sent_auth_different_user', 'other_domain'),
    rbl451: t.series('qmail_rbl_rejections_total', { listener: 'smtp', code: '451' }),
    loginOk: { imap: auth('imap', 'success', 'none'), pop3: auth('pop3', 'success', 'none'), webmail: auth('webmail', 'success', 'none') },
    dovecotFailed: { imap: auth('imap', 'failure', 'auth_failed'), pop3: auth('pop3', 'failure', 'auth_failed') },
    badPassword: byListener((listener) => auth(listener, 'failure', 'bad_password')),
    unknownUser: byListener((listener) => auth(listener, 'failure', 'unknown_user')),
  };
}
