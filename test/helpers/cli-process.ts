/**
 * A real exporter process from the sources (tsx), listening on 127.0.0.1 port 0: its address is read
 * from its own 'listening' log line, so tests running side by side never race for a port.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface CliProcess {
  proc: ChildProcess;
  /** http://127.0.0.1:PORT once the exporter listens */
  url: Promise<string>;
  /** everything the process wrote to stderr so far */
  stderr(): string;
  /** SIGTERM (or the given signal) and wait for the exit */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function spawnCli(args: string[]): CliProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--web.listen-address=127.0.0.1:0', '--log.level=info'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let buf = '';
  const url = new Promise<string>((res, rej) => {
    proc.stderr!.on('data', (d: Buffer) => {
      buf += d;
      const m = /msg=listening address=127\.0\.0\.1:(\d+)/.exec(buf);
      if (m) res(`http://127.0.0.1:${m[1]}`);
    });
    proc.once('exit', (code) => rej(new Error(`exporter exited with ${code} before listening:\n${buf}`)));
  });
  url.catch(() => {}); // a caller that never awaits it must not see an unhandled rejection
  return {
    proc,
    url,
    stderr: () => buf,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(signal);
      await exited;
    },
  };
}
