import type { CommonInputs } from './command-inputs';
import { poolgateVersion } from './command-inputs';
import { InputError } from './errors';
import { EvidenceDir } from './evidence';
import { evidenceFile } from './run-evidence/files';
import { gitState } from './git-state';
import { readInForce } from './in-force';
import { logPath } from './log-scan';
import { sampleFleet, type InstanceSample } from './metrics-sampler';
import { withProbe } from './pg-connect';
import * as probes from './pg-probes';
import type { Snapshot } from '../types/snapshot';
import { errorText } from './error-text';

export interface SnapshotOptions {
  /** metrics are sampled twice this far apart (0: once) */
  windowS: number;
  logLines: number;
  /** the inventory repo whose commit is recorded */
  repo: string;
  started: Date;
}

/** The runbook's five "current metrics" for one instance. */
function summaryOf(s: InstanceSample): Snapshot['instances'][number]['summary'] {
  const m = s.second ?? s.first;
  if (!m) return null;
  let errorRate: number | null = null;
  let basis: string;
  if (s.rates?.usable && s.rates.requests > 0) {
    errorRate = s.rates.error_rate;
    basis = `${s.rates.requests} requests over ${s.rates.interval_s.toFixed(1)} s`;
  } else {
    // No traffic (or a restart) in the window: fall back on the counters since the process started.
    errorRate = m.requests.total > 0 ? m.requests.errors / m.requests.total : null;
    basis = `${m.requests.total} requests since the process started (${Math.round(m.uptime_s)} s)`;
  }
  return {
    active_connections: m.pool.active,
    pool_utilization: m.pool.utilization,
    acquire_wait_p95_ms: m.pool.acquire_wait_ms.p95,
    error_rate: errorRate,
    error_rate_basis: basis,
    latency_p95_ms: m.latency.count > 0 ? m.latency.p95 : null,
    requests_per_s: s.rates?.usable ? s.rates.requests_per_s : null,
  };
}

/**
 * The runbook's Step 1 (pre-change snapshot), written to <evidence>/pre_change_snapshot_<ts>.json: each instance's
 * pool config and metrics over the window, pg_stat_activity, the logs' last pool/error lines, the git commit. Used by
 * `poolgate snapshot`, and by `poolgate preflight --snapshot`, which takes it during its own sample window.
 */
export async function takeSnapshot(
  inputs: CommonInputs,
  opts: SnapshotOptions,
): Promise<{ result: Snapshot; file: string }> {
  const started = opts.started;
  const operator = inputs.operator;
  if (!operator)
    throw new InputError(
      'no operator: give --operator NAME (or plan.operator, or $POOLGATE_OPERATOR): the runbook records who took the snapshot',
    );
  const evidence = new EvidenceDir(inputs.evidenceDir);
  const db = inputs.database;
  const [samples, configs, dbPart, git] = await Promise.all([
    sampleFleet(inputs.targets, opts.windowS, inputs.fetchMetrics),
    readInForce(inputs.targets),
    db
      ? withProbe(db, async (client) => {
          const c = client as unknown as probes.Queryable;
          const server = await probes.serverFacts(c);
          return { server, act: await probes.activity(c, db.database) };
        }).then(
          (r) => ({
            database: db.database,
            error: null,
            activity: {
              db_total: r.act.db_total,
              db_by_state: r.act.db_by_state,
              db_by_application: r.act.db_by_application,
              server_total: r.act.server_total,
            },
            max_connections: r.server.max_connections,
          }),
          (err: unknown) => ({ database: db.database, error: errorText(err) }),
        )
      : Promise.resolve(null),
    gitState(opts.repo),
  ]);

  const logs: Snapshot['logs'] = await Promise.all(
    Object.entries(inputs.logs).map(([name, source]) =>
      inputs
        .readLog(name, null, opts.logLines)
        .catch((err: unknown) => ({ name, path: logPath(source), error: errorText(err) })),
    ),
  );
  const instances: Snapshot['instances'] = inputs.targets.map((t, i) => {
    const s = samples[i]!;
    const c = configs[i]!;
    const errors = [s.error, c.error].filter((e): e is string => e !== null);
    return {
      name: t.name,
      url: t.url,
      error: errors.length > 0 ? errors.join('; ') : null,
      pool_config: c.config,
      metrics: s.second ?? s.first,
      summary: summaryOf(s),
    };
  });
  const complete =
    instances.every((x) => x.error === null) &&
    (dbPart === null || dbPart.error === null) &&
    logs.every((l) => !('error' in l)) &&
    git.error === null;
  const result: Snapshot = {
    command: 'snapshot',
    run: {
      ...(inputs.runId ? { run_id: inputs.runId } : {}),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      operator: operator,
      poolgate_version: poolgateVersion,
    },
    timestamp: started.toISOString(),
    operator: operator,
    git,
    instances,
    database: dbPart,
    logs,
    complete,
    exit_code: complete ? 0 : 3,
  };
  const file = evidence.writeJson(evidenceFile('snapshot', started), 'snapshot', result);
  return { result, file };
}
