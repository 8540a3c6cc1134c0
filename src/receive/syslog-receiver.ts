/**
 * A syslog listener for one mail host: TCP (RFC 6587 framing, see ./framing.ts) or UDP (one message
 * per datagram). Each message becomes the line a log file would hold (./syslog-message.ts) and is
 * handed on in batches, as the follower hands on lines read from a file; messages from another host
 * than the one this listener serves are counted, not passed on.
 *
 * Created here, listened by src/cli.ts (listen()), like the HTTP server. Bounds against hostile
 * peers: at most maxConnections TCP connections (when full, the one idle longest is closed to admit
 * the new one, so a sender that keeps talking is never the one pushed out by idle connections), and
 * at most maxMessageBytes buffered per connection.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { createFrameDecoder, type FramingError } from './framing.js';
import { parseSyslogMessage } from './syslog-message.js';
import { parseSyslogAddress } from '../config.js';

export const SYSLOG_CONNECTION_RESULTS = ['accepted', 'evicted'] as const;
export type SyslogConnectionResult = (typeof SYSLOG_CONNECTION_RESULTS)[number];
export const SYSLOG_MESSAGE_RESULTS = ['accepted', 'foreign_host'] as const;
export type SyslogMessageResult = (typeof SYSLOG_MESSAGE_RESULTS)[number];

export const DEFAULT_MAX_CONNECTIONS = 100;
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024;

export { parseSyslogAddress } from '../config.js';
export type SyslogAddress = ReturnType<typeof parseSyslogAddress>;

/** What the receiver reports to the exporter metrics (one `address` label per listener). */
export interface ReceiveObserver {
  connection(address: string, result: SyslogConnectionResult): void;
  openConnections(address: string, n: number): void;
  bytes(address: string, n: number): void;
  messages(address: string, result: SyslogMessageResult, n: number): void;
  framingError(address: string, kind: FramingError): void;
}

export interface SyslogReceiverOptions {
  /** as given on the command line; also the `address` label */
  address: string;
  /** the mail host this listener serves; messages naming another host are foreign. null: any host */
  hostname: string | null;
  maxConnections?: number;
  maxMessageBytes?: number;
  observer: ReceiveObserver;
  /** the lines of one batch, in arrival order (per connection) */
  onLines(lines: string[]): void;
  now?: () => number;
}

export interface SyslogReceiverStatus {
  address: string;
  listening: boolean;
  /** the error that stopped the listener, or null */
  lastError: string | null;
  openConnections: number;
  /** ms clock of the newest message, null before the first */
  lastMessageAt: number | null;
}

export interface SyslogReceiver {
  readonly address: string;
  /** Bind and start accepting; resolves with the bound host and port (port 0 picks one). */
  listen(): Promise<{ host: string; port: number }>;
  /** Stop accepting, close every connection. */
  close(): Promise<void>;
  status(): SyslogReceiverStatus;
}

export function createSyslogReceiver(opts: SyslogReceiverOptions): SyslogReceiver {
  const addr = parseSyslogAddress(opts.address);
  const label = opts.address;
  const now = opts.now ?? Date.now;
  const maxConnections = opts.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  const maxMessageBytes = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const wanted = opts.hostname?.toLowerCase() ?? null;
  const { observer } = opts;
  let listening = false;
  let lastError: string | null = null;
  let lastMessageAt: number | null = null;

  /** Frames → lines of this host; foreign ones only counted. */
  function deliver(frames: Buffer[]): void {
    if (frames.length === 0) return;
    const lines: string[] = [];
    let foreign = 0;
    for (const f of frames) {
      const msg = parseSyslogMessage(f.toString('utf8'));
      if (wanted !== null && msg.hostname?.toLowerCase() !== wanted) foreign++;
      else lines.push(msg.line);
    }
    lastMessageAt = now();
    if (lines.length > 0) {
      observer.messages(label, 'accepted', lines.length);
      opts.onLines(lines);
    }
    if (foreign > 0) observer.messages(label, 'foreign_host', foreign);
  }

  const connections = new Map<net.Socket, { lastActivity: number }>();
  let tcp: net.Server | null = null;
  let udp: dgram.Socket | null = null;

  function onConnection(socket: net.Socket): void {
    if (connections.size >= maxConnections) {
      let idlest: net.Socket | null = null;
      let oldest = Infinity;
      for (const [s, c] of connections) {
        if (c.lastActivity < oldest) {
          oldest = c.lastActivity;
          idlest = s;
        }
      }
      if (idlest !== null) {
        connections.delete(idlest);
        idlest.destroy();
        observer.connection(label, 'evicted');
      }
    }
    const state = { lastActivity: now() };
    connections.set(socket, state);
    observer.connection(label, 'accepted');
    observer.openConnections(label, connections.size);
    socket.setKeepAlive(true, 60_000);
    let frames: Buffer[] = [];
    const decoder = createFrameDecoder({
      maxFrameBytes: maxMessageBytes,
      onFrame: (f) => frames.push(f),
      onError: (kind) => observer.framingError(label, kind),
    });
    const flush = () => {
      const batch = frames;
      frames = [];
      deliver(batch);
    };
    socket.on('data', (chunk: Buffer) => {
      state.lastActivity = now();
      observer.bytes(label, chunk.length);
      decoder.push(chunk);
      flush();
    });
    socket.on('end', () => {
      decoder.end();
      flush();
      socket.end();
    });
    // A reset peer is not our error: count nothing more, just forget the connection.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (connections.delete(socket)) observer.openConnections(label, connections.size);
    });
  }

  function onDatagram(msg: Buffer): void {
    observer.bytes(label, msg.length);
    let end = msg.length;
    while (end > 0 && (msg[end - 1] === 0x0a || msg[end - 1] === 0x0d || msg[end - 1] === 0)) end--;
    if (end === 0) return;
    if (end > maxMessageBytes) {
      observer.framingError(label, 'oversized');
      end = maxMessageBytes;
    }
    deliver([msg.subarray(0, end)]);
  }

  return {
    address: label,
    async listen() {
      if (addr.protocol === 'tcp') {
        const server = net.createServer(onConnection);
        tcp = server;
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port: addr.port, host: addr.host === '' ? undefined : addr.host }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', (err) => {
          lastError = err.message;
          listening = false;
        });
        listening = true;
        const a = server.address() as net.AddressInfo;
        return { host: a.address, port: a.port };
      }
      const type = net.isIPv6(addr.host) ? 'udp6' : 'udp4';
      const socket = dgram.createSocket({ type, recvBufferSize: 4 << 20 });
      udp = socket;
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(addr.port, addr.host === '' ? undefined : addr.host, () => {
          socket.off('error', reject);
          resolve();
        });
      });
      socket.on('error', (err) => {
        lastError = err.message;
        listening = false;
      });
      socket.on('message', onDatagram);
      listening = true;
      const a = socket.address();
      return { host: a.address, port: a.port };
    },
    async close() {
      listening = false;
      if (tcp !== null) {
        const server = tcp;
        for (const s of connections.keys()) s.destroy();
        connections.clear();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        tcp = null;
      }
      if (udp !== null) {
        const socket = udp;
        await new Promise<void>((resolve) => socket.close(() => resolve()));
        udp = null;
      }
    },
    status() {
      return { address: label, listening, lastError, openConnections: connections.size, lastMessageAt };
    },
  };
}
