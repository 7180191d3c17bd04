import fs from 'node:fs';
import net from 'node:net';
import { Client } from 'pg';
import { labConfig, type LabConfig } from '../../lab/lab-config';
import { PidFileCpuSource } from '../lib/db-cpu';
import { resolveMonitorConfig } from '../lib/judge/monitor-defaults';
import { dbProber, p0Checker, realFetchMetrics, runMonitor } from '../lib/monitor-run';
import type { DatabaseTarget } from '../types/database';
import { median } from './child';

/**
 * Issue 7 item 6: what one monitoring sample of the lab (four instances, the database, its CPU) costs, timed
 * in-process through the very functions `poolgate monitor` runs (runMonitor with a zero-length window = one
 * sample, judged). Connections are counted where they are opened: every TCP connect of this process is tallied
 * by destination (pg and undici both go through net.Socket#connect), and pg_stat_database.sessions is read
 * around the run as a cross-check seen from the server (noisy if anything else connects meanwhile).
 */
export interface ProbeCost {
  samples: number;
  first_ms: number;
  median_ms: number;
  p90_ms: number;
  max_ms: number;
  db_connections_per_sample: number;
  /** every DB connection the run opened, its first (cold) sample included: the prober holds one for the run */
  db_connections_run: number;
  http_connections_per_sample: number;
  /** pg_stat_database.sessions delta over the timed samples, per sample (server's view, includes others) */
  server_sessions_per_sample: number;
}

/** Counts TCP connects by destination port while installed; restore() puts net.Socket#connect back. */
function countConnects(): { byPort: Map<number, number>; restore: () => void } {
  const byPort = new Map<number, number>();
  const original = net.Socket.prototype.connect;
  net.Socket.prototype.connect = function patched(this: net.Socket, ...args: unknown[]) {
    const first = args[0];
    const port =
      typeof first === 'object' && first !== null ? Number((first as { port?: unknown }).port) : Number(first);
    if (Number.isFinite(port)) byPort.set(port, (byPort.get(port) ?? 0) + 1);
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  } as typeof original;
  return { byPort, restore: () => void (net.Socket.prototype.connect = original) };
}

export function labDatabase(lab: LabConfig): DatabaseTarget {
  return {
    host: lab.pg.host,
    port: lab.pg.port,
    database: lab.pg.database,
    user: lab.pg.monitorUser,
    password_file: lab.pg.monitorPasswordFile,
  };
}

async function serverSessions(c: Client, database: string): Promise<number> {
  const { rows } = await c.query<{ sessions: string }>('SELECT sessions FROM pg_stat_database WHERE datname = $1', [
    database,
  ]);
  return Number(rows[0]!.sessions);
}

export async function measureProbeCost(runs: number, lab: LabConfig = labConfig()): Promise<ProbeCost> {
  const db = labDatabase(lab);
  const targets = lab.instances.map((i) => ({ name: i.name, url: i.url }));
  // The runbook's config with the window cut to its first sample (runMonitor takes 1 + duration/interval samples).
  const cfg = {
    ...resolveMonitorConfig({}, { interval_s: 1, duration_s: 1, window_s: 1, sustained_s: 1, min_samples: 1 }),
    duration_s: 0,
  };
  // One prober and one CPU source for the whole run, as one `poolgate monitor` process holds them.
  const probeDb = dbProber(db);
  const cpu = new PidFileCpuSource(`${lab.pg.dataDir}/postmaster.pid`);
  const p0 = p0Checker({});
  let lastUnmeasured = '';
  const oneSample = async (): Promise<number> => {
    const started = performance.now();
    const r = await runMonitor(
      cfg,
      targets,
      {
        fetchMetrics: realFetchMetrics,
        probeDb,
        cpu,
        p0,
        now: Date.now,
        sleep: async () => undefined,
        onSample: (s) =>
          void (lastUnmeasured = s.unmeasured.length ? JSON.stringify({ unmeasured: s.unmeasured, db: s.db }) : ''),
      },
      new AbortController().signal,
      true,
    );
    const ms = performance.now() - started;
    if (r.samples.unmeasured > 0 || r.samples.total !== 1)
      throw new Error(`probe sample incomplete: ${lastUnmeasured}`);
    return ms;
  };

  // The counter connection is opened before counting starts, so it is not in the tally.
  const counter = new Client({
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password: fs.readFileSync(db.password_file!, 'utf8').trim(),
    application_name: 'poolgate-bench',
  });
  await counter.connect();
  try {
    const conn = countConnects();
    let first: number;
    const times: number[] = [];
    let sessionsBefore: number;
    let timedConnects: Map<number, number>;
    try {
      first = await oneSample();
      sessionsBefore = await serverSessions(counter, db.database);
      const before = new Map(conn.byPort);
      for (let i = 0; i < runs; i++) times.push(await oneSample());
      timedConnects = new Map([...conn.byPort].map(([p, n]) => [p, n - (before.get(p) ?? 0)]));
    } finally {
      conn.restore();
    }
    const sessions = (await serverSessions(counter, db.database)) - sessionsBefore;
    const sorted = [...times].sort((a, b) => a - b);
    const round = (v: number): number => Math.round(v * 10) / 10;
    const httpPorts = new Set(lab.instances.map((i) => i.port));
    const httpConnects = [...timedConnects].filter(([p]) => httpPorts.has(p)).reduce((s, [, n]) => s + n, 0);
    return {
      samples: runs,
      first_ms: round(first),
      median_ms: round(median(times)),
      p90_ms: round(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.9))]!),
      max_ms: round(sorted[sorted.length - 1]!),
      db_connections_per_sample: round((timedConnects.get(db.port) ?? 0) / runs),
      db_connections_run: conn.byPort.get(db.port) ?? 0,
      http_connections_per_sample: round(httpConnects / runs),
      server_sessions_per_sample: round(sessions / runs),
    };
  } finally {
    // the prober's connection would otherwise keep the bench process alive
    await probeDb.close();
    await counter.end().catch(() => undefined);
  }
}
