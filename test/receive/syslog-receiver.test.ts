/**
 * The syslog listener on real loopback sockets, against hostile peers: a 1 MB frame, garbage and
 * invalid UTF-8, half frames, 1,000 idle connections, another host's lines.
 */
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, describe, test } from 'node:test';
import { createSyslogReceiver, parseSyslogAddress, type FramingError, type ReceiveObserver } from '../../src/receive/index.js';
import { pollUntil } from '../helpers/ports.js';

interface Recorded {
  lines: string[];
  counts: Map<string, number>;
  observer: ReceiveObserver;
}

function recorder(): Recorded {
  const counts = new Map<string, number>();
  const add = (k: string, n = 1) => counts.set(k, (counts.get(k) ?? 0) + n);
  return {
    lines: [],
    counts,
    observer: {
      connection: (_a, r) => add(`connection:${r}`),
      openConnections: (_a, n) => counts.set('open', n),
      bytes: (_a, n) => add('bytes', n),
      messages: (_a, r, n) => add(`messages:${r}`, n),
      framingError: (_a, k: FramingError) => add(`error:${k}`),
    },
  };
}

async function start(opts: { hostname?: string | null; maxConnections?: number; maxMessageBytes?: number; protocol?: 'tcp' | 'udp' } = {}) {
  const rec = recorder();
  const receiver = createSyslogReceiver({
    address: `${opts.protocol ?? 'tcp'}://127.0.0.1:0`,
    hostname: opts.hostname ?? null,
    maxConnections: opts.maxConnections,
    maxMessageBytes: opts.maxMessageBytes,
    observer: rec.observer,
    onLines: (lines) => rec.lines.push(...lines),
  });
  const { port } = await receiver.listen();
  return { rec, receiver, port };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

function send(port: number, ...chunks: Array<string | Buffer>): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', async () => {
      for (const c of chunks) await new Promise<void>((r) => s.write(c, () => r()));
      s.end();
    });
    s.on('error', reject);
    s.on('close', () => resolve());
  });
}

const waitFor = <T>(what: string, f: () => T | undefined) => pollUntil(f, { what, timeoutMs: 20_000, intervalMs: 20 });

describe('syslog receiver', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  test('addresses: tcp:// and udp://, empty host, bracketed IPv6; anything else is refused', () => {
    assert.deepEqual(parseSyslogAddress('tcp://0.0.0.0:5514'), { protocol: 'tcp', host: '0.0.0.0', port: 5514 });
    assert.deepEqual(parseSyslogAddress('udp://:514'), { protocol: 'udp', host: '', port: 514 });
    assert.deepEqual(parseSyslogAddress('tcp://[::1]:5514'), { protocol: 'tcp', host: '::1', port: 5514 });
    for (const bad of ['5514', 'tcp://host', 'http://h:1', 'tcp://h:70000', 'tcp://a b:1', 'tcp://h:1/x', 'tcp://[nope]:1', 'tcp://-x:1']) {
      assert.throws(() => parseSyslogAddress(bad), /--syslog\.listen-address: /, bad);
    }
  });

  test('lines of the served host pass, another host is counted as foreign, a message without host too', async () => {
    const { rec, receiver, port } = await start({ hostname: 'Mail' });
    closers.push(() => receiver.close());
    await send(port, '<22>Nov 14 22:13:20 mail qmail: 1700000000.000001 new msg 1\n<22>Nov 14 22:13:20 other qmail: x\n', '<22>no header at all\n');
    await waitFor('3 messages', () => ((rec.counts.get('messages:accepted') ?? 0) + (rec.counts.get('messages:foreign_host') ?? 0) === 3 ? true : undefined));
    assert.deepEqual(rec.lines, ['Nov 14 22:13:20 mail qmail: 1700000000.000001 new msg 1']);
    assert.equal(rec.counts.get('messages:foreign_host'), 2);
    assert.ok(receiver.status().lastMessageAt !== null);
  });

  test('a 1 MB frame (LF and octet-counted) is cut to the cap and counted; the next message is intact', async () => {
    const { rec, receiver, port } = await start({ maxMessageBytes: 4096 });
    closers.push(() => receiver.close());
    const big = `<22>Nov 14 22:13:20 mail qmail: ${'A'.repeat(1 << 20)}`;
    const chunks = [big, '\n<22>Nov 14 22:13:21 mail qmail: after LF\n', `${Buffer.byteLength(big)} ${big}`, '5 <1>ok'];
    await send(port, ...chunks);
    await waitFor('4 lines', () => (rec.lines.length === 4 ? true : undefined));
    assert.equal(rec.counts.get('error:oversized'), 2);
    assert.equal(rec.lines[0]!.length, 4096 - 4);
    assert.equal(rec.lines[1], 'Nov 14 22:13:21 mail qmail: after LF');
    assert.equal(rec.lines[2]!.length, 4096 - 4);
    assert.equal(rec.lines[3], 'ok');
    assert.equal(rec.counts.get('bytes'), chunks.reduce((n, c) => n + Buffer.byteLength(c), 0));
  });

  test('garbage, invalid UTF-8 and a half frame: lines or counters, never a crash', async () => {
    const { rec, receiver, port } = await start();
    closers.push(() => receiver.close());
    const garbage = Buffer.from(Array.from({ length: 20_000 }, (_, i) => (i * 7919 + 13) % 256));
    await send(port, garbage, Buffer.from([0x0a, 0x3c, 0x32, 0x32, 0x3e, 0xc3, 0x28, 0xff, 0x0a]), '40 <22>Nov 14 22:13:20 mail qmail: ha');
    await waitFor('the connection closed', () => (rec.counts.get('open') === 0 ? true : undefined));
    assert.equal(rec.counts.get('error:truncated'), 1);
    assert.ok(rec.lines.includes('\ufffd(\ufffd'));
    // still serving
    await send(port, '<22>Nov 14 22:13:20 mail qmail: still here\n');
    await waitFor('the next line', () => (rec.lines.at(-1) === 'Nov 14 22:13:20 mail qmail: still here' ? true : undefined));
  });

  test('1,000 idle connections: at most the cap stay open, the idlest go first, a talking sender keeps its connection', async () => {
    const { rec, receiver, port } = await start({ maxConnections: 50 });
    closers.push(() => receiver.close());
    const sender = await connect(port);
    sender.on('error', () => undefined);
    await waitFor('sender accepted', () => (rec.counts.get('connection:accepted') === 1 ? true : undefined));
    const idle: net.Socket[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = await connect(port);
      s.on('error', () => undefined);
      idle.push(s);
      // the sender talks now and then, so it is never the idlest
      if (i % 20 === 0) {
        sender.write(`<22>Nov 14 22:13:20 mail qmail: line ${i}\n`);
        await waitFor(`line ${i}`, () => (rec.lines.at(-1) === `Nov 14 22:13:20 mail qmail: line ${i}` ? true : undefined));
      }
    }
    await waitFor('1,001 accepted', () => (rec.counts.get('connection:accepted') === 1001 ? true : undefined));
    assert.equal(rec.counts.get('connection:evicted'), 1001 - 50);
    assert.ok(receiver.status().openConnections <= 50);
    assert.equal(rec.lines.length, 50);
    sender.write('<22>Nov 14 22:13:20 mail qmail: last\n');
    await waitFor('last line', () => (rec.lines.at(-1) === 'Nov 14 22:13:20 mail qmail: last' ? true : undefined));
    for (const s of idle) s.destroy();
    sender.destroy();
  });

  test('UDP: one message per datagram, oversized ones cut', async () => {
    const { rec, receiver, port } = await start({ protocol: 'udp', maxMessageBytes: 1000 });
    closers.push(() => receiver.close());
    const client = dgram.createSocket('udp4');
    const sendUdp = (m: string) => new Promise<void>((r) => client.send(m, port, '127.0.0.1', () => r()));
    await sendUdp('<22>Nov 14 22:13:20 mail qmail: one\n');
    await sendUdp(`<22>Nov 14 22:13:20 mail qmail: ${'B'.repeat(5000)}`);
    await waitFor('2 lines', () => (rec.lines.length === 2 ? true : undefined));
    client.close();
    assert.equal(rec.lines[0], 'Nov 14 22:13:20 mail qmail: one');
    assert.equal(rec.lines[1]!.length, 1000 - 4);
    assert.equal(rec.counts.get('error:oversized'), 1);
  });
});
