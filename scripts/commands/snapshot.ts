import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { commonOptions, poolgateVersion, resolveCommon, type CommonArgs } from '../lib/command-inputs';
import { InputError } from '../lib/errors';
import { EvidenceDir, fileTimestamp } from '../lib/evidence';
import { gitState } from '../lib/git-state';
import { getJson } from '../lib/http-json';
import { scanLog } from '../lib/log-scan';
import { sampleFleet, type InstanceSample } from '../lib/metrics-sampler';
import { printResult, progress, progressDone, table } from '../lib/output';
import { withProbe } from '../lib/pg-connect';
import * as probes from '../lib/pg-probes';
import type { ServicePoolConfig } from '../types/service-pool-config';
import type { Snapshot } from '../types/snapshot';

interface Args extends CommonArgs {
  repo?: string;
  windowS: number;
  logLines: number;
}

function builder(y: Argv): Argv<Args> {
  return commonOptions(y)
    .option('repo', { type: 'string', describe: 'The inventory git repo whose commit is recorded (default: the current folder)' })
    .option('window-s', { type: 'number', default: 5, describe: 'Sample metrics twice this far apart for an exact error rate (0: one sample, rate since start)' })
    .option('log-lines', { type: 'number', default: 100, describe: 'How many of the last pool/error log lines to keep per instance' })
    .example('$0 snapshot --plan evidence/run1/plan.json --operator "A. Engineer"', 'writes pre_change_snapshot_<ts>.json into the run\'s evidence folder')
    .example('$0 snapshot --target primary-1=http://127.0.0.21:3000 --db-host 127.0.0.1 --db-port 54320 --db-name ledger --db-user poolgate_monitor --db-password-file secrets/monitor --operator me --json', 'standalone') as unknown as Argv<Args>;
}

const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

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
  };
}

async function handler(args: Args): Promise<void> {
  const started = new Date();
  const inputs = resolveCommon(args, started);
  if (!inputs.operator) throw new InputError('no operator: give --operator NAME (or plan.operator, or $POOLGATE_OPERATOR): the runbook records who took the snapshot');
  if (!(args.windowS >= 0 && args.windowS <= 3600)) throw new InputError('--window-s must be between 0 and 3600');
  if (!(Number.isInteger(args.logLines) && args.logLines >= 0 && args.logLines <= 1000)) throw new InputError('--log-lines must be an integer from 0 to 1000');
  const repo = path.resolve(args.repo ?? process.cwd());
  const evidence = new EvidenceDir(inputs.evidenceDir);

  progress(`snapshot: sampling ${inputs.targets.length} instances…`);
  const db = inputs.database;
  const [samples, configs, dbPart, git] = await Promise.all([
    sampleFleet(inputs.targets, args.windowS, inputs.fetchMetrics),
    Promise.all(
      inputs.targets.map((t) =>
        getJson<ServicePoolConfig>(`${t.url}/api/health/pool-config`, 'service-pool-config', { timeoutMs: 3000 }).then(
          (r) => ({ config: r.body, error: null as string | null }),
          (err: unknown) => ({ config: null, error: errorText(err) }),
        ),
      ),
    ),
    db
      ? withProbe(db, async (client) => {
          const c = client as unknown as probes.Queryable;
          const server = await probes.serverFacts(c);
          return { server, act: await probes.activity(c, db.database) };
        }).then(
          (r) => ({ database: db.database, error: null, activity: { db_total: r.act.db_total, db_by_state: r.act.db_by_state, db_by_application: r.act.db_by_application, server_total: r.act.server_total }, max_connections: r.server.max_connections }),
          (err: unknown) => ({ database: db.database, error: errorText(err) }),
        )
      : Promise.resolve(null),
    gitState(repo),
  ]);
  progressDone();

  const logs: Snapshot['logs'] = Object.entries(inputs.logs).map(([name, file]) => {
    try {
      return scanLog(name, file, null, args.logLines);
    } catch (err) {
      return { name, path: file, error: errorText(err) };
    }
  });
  const instances: Snapshot['instances'] = inputs.targets.map((t, i) => {
    const s = samples[i]!;
    const c = configs[i]!;
    const errors = [s.error, c.error].filter((e): e is string => e !== null);
    return { name: t.name, url: t.url, error: errors.length > 0 ? errors.join('; ') : null, pool_config: c.config, metrics: s.second ?? s.first, summary: summaryOf(s) };
  });
  const complete =
    instances.every((x) => x.error === null) && (dbPart === null || dbPart.error === null) && logs.every((l) => !('error' in l)) && git.error === null;
  const result: Snapshot = {
    command: 'snapshot',
    run: { ...(inputs.runId ? { run_id: inputs.runId } : {}), started_at: started.toISOString(), finished_at: new Date().toISOString(), operator: inputs.operator, poolgate_version: poolgateVersion },
    timestamp: started.toISOString(),
    operator: inputs.operator,
    git,
    instances,
    database: dbPart,
    logs,
    complete,
    exit_code: complete ? 0 : 3,
  };
  const file = evidence.writeJson(`pre_change_snapshot_${fileTimestamp(started)}.json`, 'snapshot', result);
  printResult({ json: args.json }, result, () => human(result, file));
  process.exitCode = result.exit_code;
}

function human(r: Snapshot, file: string): string {
  const f = (v: number | null | undefined, unit: string, digits = 1): string => (v === null || v === undefined ? '—' : `${v.toFixed(digits)}${unit}`);
  const rows = [['INSTANCE', 'POOL (min/max)', 'ACTIVE', 'UTIL', 'ACQ WAIT p95', 'ERROR RATE', 'p95', 'NOTE']];
  for (const i of r.instances) {
    const s = i.summary;
    rows.push([
      i.name,
      i.pool_config ? `${i.pool_config.pool.min}/${i.pool_config.pool.max}` : '—',
      s ? String(s.active_connections) : '—',
      s ? f(s.pool_utilization * 100, ' %') : '—',
      s ? f(s.acquire_wait_p95_ms, ' ms') : '—',
      s ? f(s.error_rate === null ? null : s.error_rate * 100, ' %', 3) : '—',
      s ? f(s.latency_p95_ms, ' ms') : '—',
      i.error ?? '',
    ]);
  }
  const lines = [table(rows)];
  if (r.database) {
    lines.push('', r.database.error ? `database ${r.database.database}: could not measure: ${r.database.error}` : `database ${r.database.database}: ${r.database.activity!.db_total} connections; by state ${JSON.stringify(r.database.activity!.db_by_state)}; by application ${JSON.stringify(r.database.activity!.db_by_application)}`);
  }
  for (const l of r.logs) lines.push('error' in l ? `log ${l.name}: could not read: ${l.error}` : `log ${l.name}: ${l.pool_lines} pool lines, ${l.error_lines} error lines`);
  lines.push(`git ${r.git.repo}: ${r.git.commit ? `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty: uncommitted changes)' : ''}` : `unknown (${r.git.error})`}`);
  lines.push(`operator ${r.operator}, ${r.timestamp}`, `evidence: ${file}`);
  lines.push(r.complete ? 'SNAPSHOT COMPLETE' : 'SNAPSHOT INCOMPLETE (could not measure everything, see above) — exit 3');
  return lines.join('\n');
}

export const snapshotCommand: CommandModule<object, Args> = {
  command: 'snapshot',
  describe: "Capture the pre-change state (runbook Step 1): pool config, metrics, pg_stat_activity, logs, git commit",
  builder,
  handler,
};
