import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { commonOptions, resolveCommon, type CommonArgs } from '../lib/command-inputs';
import { InputError } from '../lib/errors';
import { printResult, progress, progressDone, table } from '../lib/output';
import { takeSnapshot } from '../lib/snapshot-take';
import type { Snapshot } from '../types/snapshot';

interface Args extends CommonArgs {
  repo?: string;
  windowS: number;
  logLines: number;
}

function builder(y: Argv): Argv<Args> {
  return commonOptions(y)
    .option('repo', {
      type: 'string',
      describe: 'The inventory git repo whose commit is recorded (default: the current folder)',
    })
    .option('window-s', {
      type: 'number',
      default: 5,
      describe: 'Sample metrics twice this far apart for an exact error rate (0: one sample, rate since start)',
    })
    .option('log-lines', {
      type: 'number',
      default: 100,
      describe: 'How many of the last pool/error log lines to keep per instance',
    })
    .example(
      '$0 snapshot --plan evidence/run1/plan.json --operator "A. Engineer"',
      "writes pre_change_snapshot_<ts>.json into the run's evidence folder",
    )
    .example(
      '$0 snapshot --target primary-1=http://127.0.0.21:3000 --db-host 127.0.0.1 --db-port 54320 --db-name ledger --db-user poolgate_monitor --db-password-file secrets/monitor --operator me --json',
      'standalone',
    ) as unknown as Argv<Args>;
}

async function handler(args: Args): Promise<void> {
  const started = new Date();
  const inputs = resolveCommon(args, started);
  if (!inputs.operator)
    throw new InputError(
      'no operator: give --operator NAME (or plan.operator, or $POOLGATE_OPERATOR): the runbook records who took the snapshot',
    );
  if (!(args.windowS >= 0 && args.windowS <= 3600)) throw new InputError('--window-s must be between 0 and 3600');
  if (!(Number.isInteger(args.logLines) && args.logLines >= 0 && args.logLines <= 1000))
    throw new InputError('--log-lines must be an integer from 0 to 1000');
  const repo = path.resolve(args.repo ?? process.cwd());

  progress(`snapshot: sampling ${inputs.targets.length} instances…`);
  const { result, file } = await takeSnapshot(inputs, {
    windowS: args.windowS,
    logLines: args.logLines,
    repo,
    started,
  }).finally(() => inputs.runner.close());
  progressDone();
  printResult({ json: args.json }, result, () => human(result, file));
  process.exitCode = result.exit_code;
}

function human(r: Snapshot, file: string): string {
  const f = (v: number | null | undefined, unit: string, digits = 1): string =>
    v === null || v === undefined ? '—' : `${v.toFixed(digits)}${unit}`;
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
    lines.push(
      '',
      r.database.error
        ? `database ${r.database.database}: could not measure: ${r.database.error}`
        : `database ${r.database.database}: ${r.database.activity!.db_total} connections; by state ${JSON.stringify(r.database.activity!.db_by_state)}; by application ${JSON.stringify(r.database.activity!.db_by_application)}`,
    );
  }
  for (const l of r.logs)
    lines.push(
      'error' in l
        ? `log ${l.name}: could not read: ${l.error}`
        : `log ${l.name}: ${l.pool_lines} pool lines, ${l.error_lines} error lines`,
    );
  lines.push(
    `git ${r.git.repo}: ${r.git.commit ? `${r.git.commit.slice(0, 12)}${r.git.dirty ? ' (dirty: uncommitted changes)' : ''}` : `unknown (${r.git.error})`}`,
  );
  lines.push(`operator ${r.operator}, ${r.timestamp}`, `evidence: ${file}`);
  lines.push(
    r.complete ? 'SNAPSHOT COMPLETE' : 'SNAPSHOT INCOMPLETE (could not measure everything, see above) — exit 3',
  );
  return lines.join('\n');
}

export const snapshotCommand: CommandModule<object, Args> = {
  command: 'snapshot',
  describe: 'Capture the pre-change state (runbook Step 1): pool config, metrics, pg_stat_activity, logs, git commit',
  builder,
  handler,
};
