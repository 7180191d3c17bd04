import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { InputError } from './errors';
import { fileTimestamp } from './run-evidence/files';
import { parseLogFlags, readLog, type LogSource, type LogSummary } from './log-scan';
import { metricsFetcherFor } from './metrics-source/read-metrics';
import { metricsSourceOptions, resolveMetricsSource, type MetricsSourceArgs } from './metrics-source/flags';
import type { MetricsSource } from './metrics-source/source';
import { packageRoot } from './paths';
import { loadPlan } from './plan';
import { assertValid } from './schema';
import { hostRunner, type HostMap, type HostRunner } from './ssh';
import { loadTargets, type Target } from './targets';
import type { DatabaseTarget } from '../types/database';
import type { Plan } from '../types/plan';
import type { ServiceMetrics } from '../types/service-metrics';

export { metricsSourceOptions, type MetricsSourceArgs };

/**
 * The flags preflight, snapshot and verify share, and how they combine with a plan file: each command reads
 * its plan section and flags override. Everything here is validated before anything is measured or written.
 */
export interface CommonArgs {
  plan?: string;
  target?: string[];
  targetsFile?: string;
  dbHost?: string;
  dbPort?: number;
  dbName?: string;
  dbUser?: string;
  dbPasswordFile?: string;
  log?: string[];
  evidenceDir?: string;
  json: boolean;
  operator?: string;
}

export function commonOptions<T>(y: Argv<T>): Argv<T & CommonArgs & MetricsSourceArgs> {
  return metricsSourceOptions(y)
    .option('plan', { type: 'string', describe: 'Plan file (schemas/plan.schema.json); flags override its sections' })
    .option('target', {
      type: 'string',
      array: true,
      describe: "An instance as name=url (repeatable); replaces the plan's targets",
    })
    .option('targets-file', { type: 'string', describe: 'Targets JSON (schemas/targets.schema.json)' })
    .option('db-host', { type: 'string', describe: 'PostgreSQL host for the probes' })
    .option('db-port', { type: 'number', describe: 'PostgreSQL port' })
    .option('db-name', { type: 'string', describe: "The application's database" })
    .option('db-user', { type: 'string', describe: 'A monitoring role with pg_monitor' })
    .option('db-password-file', { type: 'string', describe: "File holding that role's password (or set PGPASSWORD)" })
    .option('log', {
      type: 'string',
      array: true,
      describe:
        "An instance's JSON-lines log as name=path (repeatable), read on the instance's host (the plan's hosts.<name>; without one, here)",
    })
    .option('evidence-dir', {
      type: 'string',
      describe: 'Where evidence files go (default evidence/<run_id> or evidence/adhoc-<ts>)',
    })
    .option('json', { type: 'boolean', default: false, describe: 'Print the result as JSON (for Ansible)' })
    .option('operator', {
      type: 'string',
      describe: "Who runs the change (default: the plan's operator, or $POOLGATE_OPERATOR)",
    }) as unknown as Argv<T & CommonArgs & MetricsSourceArgs>;
}

export interface CommonInputs {
  plan: Plan | null;
  targets: Target[];
  database: DatabaseTarget | null;
  operator: string | null;
  logs: Record<string, LogSource>;
  /** How to reach each host of the plan (empty without a plan). */
  hosts: HostMap;
  /** Runs the reads only a host can answer; the command closes it when it ends. */
  runner: HostRunner;
  /** Reads and summarises one target's log on its host; "could not measure" throws. */
  readLog: (name: string, since: Date | null, lastN: number) => Promise<LogSummary>;
  evidenceDir: string;
  runId: string | undefined;
  metricsSource: MetricsSource;
  /** Reads one target's metrics (by its URL) from that source. */
  fetchMetrics: (url: string, timeoutMs?: number) => Promise<ServiceMetrics>;
}

/** One log read (a file's last 8 MiB, or a journal's newest 20,000 entries) may take this long. */
const LOG_READ_TIMEOUT_MS = 30_000;

export function resolveCommon(args: CommonArgs & MetricsSourceArgs, now = new Date()): CommonInputs {
  const plan = args.plan ? loadPlan(args.plan) : null;
  let targets: Target[];
  if ((args.target && args.target.length > 0) || args.targetsFile)
    targets = loadTargets({ target: args.target, targetsFile: args.targetsFile });
  else if (plan) targets = plan.targets as Target[];
  else throw new InputError('no targets: give --target name=url (repeatable), --targets-file or --plan');

  const dbFlags: Partial<DatabaseTarget> = {};
  if (args.dbHost !== undefined) dbFlags.host = args.dbHost;
  if (args.dbPort !== undefined) dbFlags.port = args.dbPort;
  if (args.dbName !== undefined) dbFlags.database = args.dbName;
  if (args.dbUser !== undefined) dbFlags.user = args.dbUser;
  if (args.dbPasswordFile !== undefined) dbFlags.password_file = args.dbPasswordFile;
  const merged = { ...(plan?.database ?? {}), ...dbFlags };
  const database =
    Object.keys(merged).length > 0
      ? assertValid<DatabaseTarget>('database', merged, 'database (plan.database + --db-* flags)')
      : null;

  const logs: Record<string, LogSource> = {};
  for (const t of targets) {
    if (t.log && t.journal) throw new InputError(`target ${t.name} names both a log file and a journal: give one`);
    if (t.log) logs[t.name] = { file: t.log };
    if (t.journal) logs[t.name] = { journal: t.journal };
  }
  for (const [name, file] of Object.entries(parseLogFlags(args.log))) logs[name] = { file };
  const names = new Set(targets.map((t) => t.name));
  for (const name of Object.keys(logs))
    if (!names.has(name)) throw new InputError(`--log names "${name}", which is not a target`);

  const operator = args.operator ?? plan?.operator ?? process.env.POOLGATE_OPERATOR ?? null;
  const runId = plan?.run_id;
  const evidenceDir = args.evidenceDir ?? path.join('evidence', runId ?? `adhoc-${fileTimestamp(now)}`);
  const metricsSource = resolveMetricsSource(args, plan);
  const hosts: HostMap = plan?.hosts ?? {};
  const runner = hostRunner(hosts);
  return {
    plan,
    targets,
    database,
    operator: operator && operator.trim() !== '' ? operator : null,
    logs,
    hosts,
    runner,
    readLog: (name, since, lastN) => {
      const source = logs[name];
      if (!source) throw new InputError(`no log for ${name}`);
      const host = name in hosts ? name : null;
      return readLog(
        name,
        source,
        (script, what) => runner.run(host, script, { what, timeoutMs: LOG_READ_TIMEOUT_MS }),
        since,
        lastN,
      );
    },
    evidenceDir,
    runId,
    metricsSource,
    fetchMetrics: metricsFetcherFor(metricsSource, targets),
  };
}

export const poolgateVersion: string = (() => {
  try {
    return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/** Read a JSON input file given on the command line; unreadable or not JSON is bad input. */
export function readJsonFile(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
}
