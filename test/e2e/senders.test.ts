/**
 * Who is sending, end to end with a real exporter process: a website injecting 60 messages under
 * uid 48, root's cron mail, SMTP mail under qmail-smtpd's uid (89 by default), and 20 recipients
 * relayed without authentication from one untrusted IP plus the trusted webmail.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startExporter } from '../helpers/exporter-process.js';
import { readSeries } from '../helpers/exposition.js';

test('a live exporter: injecting uids and no-auth relay IPs on their leaderboards, origins and trust counted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'qx-senders-'));
  const file = join(dir, 'maillog');
  const lines: string[] = [];
  let t = Math.floor(Date.now() / 1000) - 120;
  let msg = 4979200;
  const stamp = (): string => `${t}.${String(lines.length % 1_000_000).padStart(6, '0')}`;
  const queued = (sender: string, uid: number): void => {
    msg++;
    lines.push(`Nov 24 13:10:00 mail qmail: ${stamp()} new msg ${msg}`);
    lines.push(`Nov 24 13:10:00 mail qmail: ${stamp()} info msg ${msg}: bytes 2817 from <${sender}> qp ${30000 + msg - 4979200} uid ${uid}`);
    lines.push(`Nov 24 13:10:00 mail qmail: ${stamp()} end msg ${msg}`);
  };
  // the website (PHP mail() → sendmail → qmail-inject as the web server's uid)
  for (let i = 0; i < 60; i++) {
    t += 1;
    queued('apache@web.example.com', 48);
  }
  // root's cron mail, and mail received over SMTP (qmail-smtpd runs as vpopmail, uid 89)
  queued('root@mail.example.com', 0);
  queued('root@mail.example.com', 0);
  for (let i = 0; i < 5; i++) queued(`user${i}@example.com`, 89);
  // 20 recipients relayed without authentication from one IP nobody listed as trusted, 3 from the webmail
  for (let i = 0; i < 20; i++) {
    lines.push(
      `Nov 24 13:10:00 mail smtp: ${stamp()} CHKUSER relaying rcpt: from <newsletter@example.com::> remote <office-pc:unknown:198.51.100.77> rcpt <r${i}@example.net> : client allowed to relay`,
    );
  }
  for (let i = 0; i < 3; i++) {
    lines.push(
      `Nov 24 13:10:00 mail smtp: ${stamp()} CHKUSER relaying rcpt: from <alice@example.com::> remote <localhost:unknown:127.0.0.1> rcpt <w${i}@example.net> : client allowed to relay`,
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  const x = await startExporter({ logPaths: [file] });
  try {
    let m = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      m = readSeries(await x.scrape());
      if ((m.get('qmail_smtp_no_auth_relay_recipients_total{listener="smtp",source="trusted"}') ?? 0) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const uid48 = [...m].filter(([k]) => k.startsWith('qmail_leaderboard_local_injection_uids{') && k.includes('uid="48"') && k.includes('window="5m"'));
    assert.equal(uid48.length, 1, uid48.join('\n'));
    assert.equal(uid48[0]![1], 60);
    assert.equal(m.get('qmail_leaderboard_local_injection_uids{uid="0",user="root",window="5m"}'), 2);
    assert.ok(![...m.keys()].some((k) => k.startsWith('qmail_leaderboard_local_injection_uids{') && k.includes('uid="89"')), 'SMTP mail is not local injection');
    assert.equal(m.get('qmail_leaderboard_no_auth_relay_ips{ip="198.51.100.77",source="untrusted",window="5m"}'), 20);
    assert.equal(m.get('qmail_leaderboard_no_auth_relay_ips{ip="127.0.0.1",source="trusted",window="5m"}'), 3);
    assert.equal(m.get('qmail_smtp_no_auth_relay_recipients_total{listener="smtp",source="untrusted"}'), 20);
    assert.equal(m.get('qmail_queue_messages_by_origin_total{origin="local"}'), 62);
    assert.equal(m.get('qmail_queue_messages_by_origin_total{origin="smtp"}'), 5);
    assert.equal(m.get('qmail_queue_messages_total'), 67);
  } finally {
    await x.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
