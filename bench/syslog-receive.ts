/**
 * Syslog receiver throughput: SYSLOG_LINES (default 500,000) simulated lines sent as RFC 3164
 * syslog over one TCP connection (LF framing) to a live exporter service with a listener, as fast
 * as the socket takes them. Prints lines per second until every line is counted, the CPU seconds
 * the process spent, and whether every counter equals the simulator's truth.
 *
 *   node --import tsx bench/syslog-receive.ts
 *   SYSLOG_LINES=1000000 SYSLOG_FRAMING=octet node --import tsx bench/syslog-receive.ts
 */
import net from 'node:net';
import { Writable } from 'node:stream';
import { defaultConfig } from '../src/config.js';
import { createLogger } from '../src/log.js';
import { createService } from '../src/service.js';
import { createSimulation } from '../src/sim/host.js';
import { seriesKey } from '../src/metrics/series-key.js';
import { diffAgainst, readSeries } from '../test/helpers/exposition.js';
import { expectedFromTruth } from '../test/helpers/truth.js';

const LINES = Number(process.env.SYSLOG_LINES ?? 500_000);
const OCTET = process.env.SYSLOG_FRAMING === 'octet';

const sim = createSimulation({ startTime: Math.floor(Date.now() / 1000) - 8 * 86400, seed: 7, linesPerSecond: 2 });
const text = sim.takeText(LINES);
const truth = sim.host.truth();
const lines = text.split('\n').filter((l) => l !== '');
const payload = Buffer.from(lines.map((l) => (OCTET ? `${Buffer.byteLength(l) + 4} <22>${l}` : `<22>${l}\n`)).join(''), 'latin1');

const config = defaultConfig();
config.qmail.logPaths = [];
config.syslog = { ...config.syslog, listenAddresses: ['tcp://127.0.0.1:0'] };
const logger = createLogger({ level: 'error', format: 'json', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
const service = createService({ config, logger, hashKey: 'bench-key-0123456789abcdef', watch: false });
await service.start();
const { port } = await service.receivers[0]!.listen();
const address = 'tcp://127.0.0.1:0';

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
const socket = net.connect(port, '127.0.0.1');
await new Promise<void>((res) => socket.once('connect', () => res()));
socket.end(payload);
// the sender shares this process: wait for the socket to drain, then for the last line to be counted
let exposition = '';
for (;;) {
  await new Promise((r) => setTimeout(r, 50));
  exposition = await service.registry.metrics();
  const m = /^qmail_exporter_syslog_messages_total\{address="tcp:\/\/127\.0\.0\.1:0",result="accepted"\} (\d+)$/m.exec(exposition);
  if (m && Number(m[1]) >= lines.length) break;
}
const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
const cpu = process.cpuUsage(cpu0);
const actual = readSeries(exposition);
const problems = diffAgainst(expectedFromTruth(truth), actual);
const bytes = actual.get(seriesKey('qmail_exporter_syslog_received_bytes_total', { address })) ?? 0;
console.log(
  JSON.stringify({
    lines: lines.length,
    framing: OCTET ? 'octet-counted' : 'lf',
    megabytes: Math.round(bytes / 1e5) / 10,
    seconds: Math.round(seconds * 100) / 100,
    lines_per_second: Math.round(lines.length / seconds),
    cpu_seconds: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
    rss_mb: Math.round(process.memoryUsage().rss / 1e6),
    counters_equal_truth: problems.length === 0,
  }),
);
if (problems.length > 0) console.log(problems.slice(0, 10).join('\n'));
await service.stop();
process.exit(problems.length === 0 ? 0 : 1);
