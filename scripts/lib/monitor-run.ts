import fs from 'node:fs';
import { getJson } from './http-json';
import { readMetrics } from './metrics-source/read-metrics';
import { JSON_SOURCE } from './metrics-source/source';
import { connectProbe } from './pg-connect';
import { alertsFor } from './judge/alerts';
import type { ResolvedMonitorConfig } from './judge/monitor-defaults';
import { judgeMonitor, type Judgement } from './judge/monitor-judge';
import { dbConnectionsSummary, summarise, windowVerdict, type MonitorWindow } from './judge/monitor-summary';
import { buildSample, initialState, type CpuObservation, type DbObservation, type P0Observation } from './judge/sample';
import type { CpuSource } from './db-cpu';
import type { HostRunner } from './ssh';
import type { Target } from './targets';
import { gateStop, stopFor } from './trigger';
import { shownVerdict } from './verdict';
import type { DatabaseTarget } from '../types/database';
import type { Alert, MonitorResult } from '../types/monitor-result';
import type { MonitorSample } from '../types/monitor-sample';
import type { ServiceMetrics } from '../types/service-metrics';
import { errorText } from './error-text';

/** Everything the monitoring loop touches, injectable so the loop itself is testable without a network. */
export interface MonitorIo {
  fetchMetrics(target: Target, timeoutMs: number): Promise<ServiceMetrics>;
  probeDb?: () => Promise<{ backends: number; sessions: number }>;
  cpu?: CpuSource;
  p0(): Promise<P0Observation>;
  now(): number;
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  onSample(sample: MonitorSample, alerts: Alert[], judgement: Judgement): void;
  onWindow?(w: MonitorWindow): void;
}

/**
 * Sample every `interval_s` from t=0 to t=duration (1 + duration/interval samples, on a fixed schedule so a slow
 * sample does not shift the next), judge after each, stop at the first trigger or outage verdict. Samples and
 * alerts go to `io.onSample` as they happen, so the evidence holds every measurement even if the run is killed.
 */
export async function runMonitor(
  cfg: ResolvedMonitorConfig,
  targets: readonly Target[],
  io: MonitorIo,
  signal: AbortSignal,
  dbProbe: boolean,
): Promise<Omit<MonitorResult, 'files'>> {
  const startedMs = io.now();
  const intervalMs = cfg.interval_s * 1000;
  const last = Math.floor((cfg.duration_s + 1e-9) / cfg.interval_s);
  const timeoutMs = Math.min(5000, Math.max(500, intervalMs * 0.8));
  let state = initialState(startedMs);
  const samples: MonitorSample[] = [];
  let judgement: Judgement = { state: 'continue' };
  let windowBuf: MonitorSample[] = [];
  const windows: MonitorWindow[] = [];
  const closeWindow = (): void => {
    if (windowBuf.length === 0) return;
    const w = windowVerdict(windows.length + 1, windowBuf, cfg, judgement);
    windows.push(w);
    io.onWindow?.(w);
    windowBuf = [];
  };

  let k = 0;
  for (; k <= last && !signal.aborted; k++) {
    const due = startedMs + k * intervalMs;
    const wait = due - io.now();
    if (wait > 0) await io.sleep(wait, signal);
    if (signal.aborted) break;
    const atMs = io.now();
    const [instances, db, cpu, p0] = await Promise.all([
      Promise.all(
        targets.map(async (t) => {
          try {
            return { name: t.name, metrics: await io.fetchMetrics(t, timeoutMs) };
          } catch (err) {
            return { name: t.name, error: errorText(err) };
          }
        }),
      ),
      observeDb(io.probeDb),
      io.cpu
        ? io.cpu.read(atMs).catch((err: unknown): CpuObservation => ({ configured: true, error: errorText(err) }))
        : Promise.resolve({ configured: false }),
      io.p0().catch((err: unknown): P0Observation => ({ signalled: false, error: errorText(err) })),
    ]);
    const built = buildSample(state, { at_ms: atMs, instances, db, cpu, p0 }, cfg.fleet_p95);
    state = built.state;
    const sample = built.sample;
    sample.alerts = alertsFor(sample, cfg.alerts);
    samples.push(sample);
    windowBuf.push(sample);
    judgement = judgeMonitor(samples, cfg);
    io.onSample(sample, sample.alerts, judgement);
    if (judgement.state !== 'continue') break;
    if (k * cfg.interval_s >= windows.length * cfg.window_s + cfg.window_s - 1e-9) closeWindow();
  }
  closeWindow();

  const completed = judgement.state === 'continue' && !signal.aborted && k > last;
  const allAlerts = samples.flatMap((s) => s.alerts ?? []);
  const base = {
    kind: 'monitor' as const,
    started_at: new Date(startedMs).toISOString(),
    ended_at: new Date(io.now()).toISOString(),
    completed,
    config: { ...cfg, db_probe: dbProbe },
    targets: targets.map((t) => t.name),
    samples: {
      total: samples.length,
      unmeasured: samples.filter((s) => s.unmeasured.length > 0).length,
      dropped_intervals: samples.reduce((n, s) => n + s.instances.filter((i) => i.rate_why === 'reset').length, 0),
    },
    alerts: {
      warning: allAlerts.filter((a) => a.level === 'warning').length,
      critical: allAlerts.filter((a) => a.level === 'critical').length,
      recent: allAlerts.slice(-50),
    },
    summary: { ...summarise(samples), db_connections: dbConnectionsSummary(samples, cfg.db_connections) },
    ...(windows.length ? { windows } : {}),
    ...(judgement.outage ? { outage: judgement.outage } : {}),
  };
  if (judgement.state === 'triggered') {
    return {
      ...base,
      verdict: 'FAIL',
      message: `FAIL: rollback trigger fired: ${judgement.trigger.message}`,
      stop: stopFor(judgement.trigger.name),
      exit_code: 1,
      trigger: judgement.trigger,
    };
  }
  if (judgement.state === 'could_not_measure') {
    return {
      ...base,
      verdict: 'COULD_NOT_MEASURE',
      message: `${shownVerdict('COULD_NOT_MEASURE')}: ${judgement.message}`,
      ...gateStop('monitor', 'COULD_NOT_MEASURE'),
      exit_code: 3,
    };
  }
  if (!completed) {
    return {
      ...base,
      verdict: 'COULD_NOT_MEASURE',
      message: `${shownVerdict('COULD_NOT_MEASURE')}: monitoring interrupted after ${samples.length} sample(s): the window was not completed`,
      ...gateStop('monitor', 'COULD_NOT_MEASURE'),
      exit_code: 3,
    };
  }
  const gaps = base.samples.unmeasured;
  return {
    ...base,
    verdict: 'PASS',
    exit_code: 0,
    message: `PASS: no rollback trigger in ${samples.length} samples over ${cfg.duration_s}s${gaps ? ` (${gaps} sample(s) with gaps tolerated by outage policy ${cfg.outage.policy})` : ''}`,
  };
}

async function observeDb(probe: MonitorIo['probeDb']): Promise<DbObservation> {
  if (!probe) return { configured: false };
  try {
    return { configured: true, ...(await probe()) };
  } catch (err) {
    return { configured: true, error: errorText(err) };
  }
}

/** The database probe of a monitoring run: one call per sample, close() when the run ends. */
export interface DbProber {
  (): Promise<{ backends: number; sessions: number }>;
  close(): Promise<void>;
}

/**
 * Backends now and the cumulative session counter over ONE connection kept for the whole run (the probe budget
 * is one connection): opening one per sample cost a TCP connect, a SCRAM handshake and a backend fork, two to five
 * times the query itself. A broken connection is dropped and the query retried once on a fresh one. Our own
 * sessions are subtracted from the counter so that a reconnect does not read as a new application backend.
 */
export function dbProber(
  db: DatabaseTarget,
  connect: (db: DatabaseTarget) => Promise<Queryable> = connectProbe,
): DbProber {
  let ownSessions = 0;
  let held: Queryable | null = null;
  const drop = async (c: Queryable): Promise<void> => {
    if (held === c) held = null;
    await c.end().catch(() => undefined);
  };
  const query = async (c: Queryable): Promise<{ backends: number; sessions: number }> => {
    const { rows } = await c.query<{ backends: number; sessions: string | null }>(
      `SELECT (SELECT count(*)::int FROM pg_stat_activity
                WHERE backend_type = 'client backend' AND datname = $1 AND pid <> pg_backend_pid()) AS backends,
              (SELECT sessions FROM pg_stat_database WHERE datname = $1) AS sessions`,
      [db.database],
    );
    const row = rows[0]!;
    if (row.sessions === null) throw new Error(`database ${db.database} has no pg_stat_database row`);
    return { backends: row.backends, sessions: Math.max(0, Number(row.sessions) - ownSessions) };
  };
  const fresh = async (): Promise<Queryable> => {
    ownSessions++;
    held = await connect(db);
    return held;
  };
  const probe = async (): Promise<{ backends: number; sessions: number }> => {
    const reused = held;
    const c = reused ?? (await fresh());
    try {
      return await query(c);
    } catch (err) {
      await drop(c);
      if (!reused) throw err;
    }
    const c2 = await fresh();
    try {
      return await query(c2);
    } catch (err) {
      await drop(c2);
      throw err;
    }
  };
  return Object.assign(probe, {
    close: async (): Promise<void> => {
      if (held) await drop(held);
    },
  });
}

/** What dbProber needs of a pg Client (a fake in tests). */
export interface Queryable {
  query<R>(text: string, values: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
}

/** A P0 is signalled by a file existing, or a URL answering {"p0": true}. An unreadable URL is unmeasured. */
export function p0Checker(p0: { file?: string; url?: string }, timeoutMs = 3000): () => Promise<P0Observation> {
  return async () => {
    if (p0.file && fs.existsSync(p0.file)) return { signalled: true, source: `file ${p0.file}` };
    if (p0.url) {
      const { body } = await getJson<{ p0: boolean; reason?: string }>(p0.url, 'p0-signal', { timeoutMs });
      if (body.p0) return { signalled: true, source: `url ${p0.url}${body.reason ? ` (${body.reason})` : ''}` };
    }
    return { signalled: false };
  };
}

export const realFetchMetrics = (t: Target, timeoutMs: number): Promise<ServiceMetrics> =>
  readMetrics(t, JSON_SOURCE, { timeoutMs });

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * A monitoring run's resources, released whatever happens: a stop signal that SIGINT and SIGTERM raise (the run ends
 * at its next sample and still writes what it measured), the database prober's one connection, and the shared SSH
 * connections of the runner that reads the hosts.
 */
export async function withMonitoringRun<T>(
  inputs: { database: DatabaseTarget | null; runner?: HostRunner },
  fn: (signal: AbortSignal, probeDb: DbProber | null) => Promise<T>,
): Promise<T> {
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const probeDb = inputs.database ? dbProber(inputs.database) : null;
  try {
    return await fn(abort.signal, probeDb);
  } finally {
    await probeDb?.close();
    await inputs.runner?.close();
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
}
