/**
 * A real Prometheus server for tests (the Debian package's /usr/bin/prometheus, or
 * $PROMETHEUS_BIN): its own temporary config and data directory, listening on a free
 * 127.0.0.1 port, scraping the given targets every second. Queries go through the HTTP API,
 * exactly as Grafana and Alertmanager would see them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, pollUntil } from './ports.js';

export const PROMETHEUS_BIN = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

export interface PrometheusOptions {
  /** host:port of each target of the one scrape job */
  targets: string[];
  /** default 'qmail' (the job name the shipped alerts and dashboards expect) */
  jobName?: string;
  /** default '1s' */
  scrapeInterval?: string;
  /** default '1s' */
  evaluationInterval?: string;
  /** absolute paths of rule files to load */
  ruleFiles?: string[];
  /** extra command-line flags */
  args?: string[];
}

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export type PromApiResponse<T> =
  | { status: 'success'; data: T; warnings?: string[] }
  | { status: 'error'; errorType: string; error: string };

export interface PromQueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  result: unknown;
}

export interface PromAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  activeAt: string;
  value: string;
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** GET /api/v1/query; the raw API answer, errors included (never throws on a PromQL error) */
  queryRaw(expr: string): Promise<PromApiResponse<PromQueryData>>;
  /** GET /api/v1/query_range over [start, end] (unix seconds) every `step` seconds; the raw API answer */
  queryRangeRaw(expr: string, start: number, end: number, step: number): Promise<PromApiResponse<PromQueryData>>;
  /** an instant vector query; throws on any error or a non-vector result */
  queryVector(expr: string): Promise<PromSample[]>;
  /** GET /api/v1/label/NAME/values with optional match[] selectors */
  labelValues(label: string, match?: string[]): Promise<string[]>;
  /** GET /api/v1/alerts: pending and firing alerts */
  alerts(): Promise<PromAlert[]>;
  /** resolves once every target of the job has been scraped successfully at least `scrapes` times */
  waitForScrapes(scrapes?: number, timeoutMs?: number): Promise<void>;
  /** what Prometheus printed so far (for failure messages) */
  output(): string;
  stop(): Promise<void>;
}

async function getJson<T>(url: string): Promise<PromApiResponse<T>> {
  const r = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await r.json()) as PromApiResponse<T>;
}

/** Starts Prometheus and waits until /-/ready answers 200 (deadline 20 s). */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), 'qx-prometheus-'));
  const port = await freePort();
  const interval = opts.scrapeInterval ?? '1s';
  const config = {
    global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: opts.evaluationInterval ?? '1s' },
    rule_files: opts.ruleFiles ?? [],
    scrape_configs: [{ job_name: opts.jobName ?? 'qmail', static_configs: [{ targets: opts.targets }] }],
  };
  // JSON is YAML: no dependency needed to write the config.
  writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify(config, null, 2));
  let log = '';
  let exited: string | null = null;
  const child: ChildProcess = spawn(
    PROMETHEUS_BIN,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
      ...(opts.args ?? []),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const append = (chunk: Buffer): void => {
    if (log.length < 200_000) log += chunk.toString('utf8');
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = `prometheus exited (code ${code}, signal ${signal}): ${log.slice(-2000)}`;
      resolve();
    });
    child.once('error', (err) => {
      exited = `prometheus could not start (${PROMETHEUS_BIN}): ${err.message}`;
      resolve();
    });
  });
  const url = `http://127.0.0.1:${port}`;

  const stop = async (): Promise<void> => {
    if (exited === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exitedPromise;
      clearTimeout(killer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await pollUntil(
      async () => {
        const r = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) });
        return r.status === 200 ? true : undefined;
      },
      { what: 'prometheus /-/ready', timeoutMs: 20_000, abort: () => exited },
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const server: PrometheusServer = {
    url,
    port,
    async queryRaw(expr) {
      return getJson<PromQueryData>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    },
    async queryRangeRaw(expr, start, end, step) {
      const q = `query=${encodeURIComponent(expr)}&start=${start}&end=${end}&step=${step}`;
      return getJson<PromQueryData>(`${url}/api/v1/query_range?${q}`);
    },
    async queryVector(expr) {
      const r = await server.queryRaw(expr);
      if (r.status !== 'success') throw new Error(`query ${expr}: ${r.errorType}: ${r.error}`);
      if (r.data.resultType !== 'vector') throw new Error(`query ${expr}: ${r.data.resultType} result, not a vector`);
      return r.data.result as PromSample[];
    },
    async labelValues(label, match = []) {
      const params = match.map((m) => `match[]=${encodeURIComponent(m)}`).join('&');
      const r = await getJson<string[]>(`${url}/api/v1/label/${encodeURIComponent(label)}/values${params ? `?${params}` : ''}`);
      if (r.status !== 'success') throw new Error(`label values ${label}: ${r.error}`);
      return r.data;
    },
    async alerts() {
      const r = await getJson<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`);
      if (r.status !== 'success') throw new Error(`alerts: ${r.error}`);
      return r.data.alerts;
    },
    async waitForScrapes(scrapes = 2, timeoutMs = 20_000) {
      const job = opts.jobName ?? 'qmail';
      // sum_over_time(up[1h]) counts the successful scrapes so far; every target must be up at the last one.
      await pollUntil(
        async () => {
          const counts = await server.queryVector(`sum_over_time(up{job="${job}"}[1h]) and up{job="${job}"} == 1`);
          if (counts.length < opts.targets.length) return undefined;
          return counts.every((s) => Number(s.value[1]) >= scrapes) ? true : undefined;
        },
        { what: `prometheus: ${scrapes} successful scrapes of ${opts.targets.join(', ')}`, timeoutMs, abort: () => exited },
      );
    },
    output: () => log,
    stop,
  };
  return server;
}
