import type { Argv, CommandModule } from 'yargs';
import { adviseFromSnapshot, adviseFromWindow, type AdviseOptions } from '../lib/advise/advise';
import { DEFAULT_PARAMETERS, DEFAULT_SPINDLES, severityAtLeast, type Severity } from '../lib/advise/parameters';
import { renderAdvice } from '../lib/advise/render';
import { metricsSourceOptions, readJsonFile, resolveCommon, type MetricsSourceArgs } from '../lib/command-inputs';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence/files';
import { parseDurationS } from '../lib/duration';
import { printResult, progress, progressDone } from '../lib/output';
import { withProbe } from '../lib/pg-connect';
import { assertValid } from '../lib/schema';
import type { Advice } from '../types/advice';

interface AdviseArgs extends MetricsSourceArgs {
  plan?: string;
  target?: string[];
  targetsFile?: string;
  snapshot?: string;
  window: string;
  samples: number;
  dbHost?: string;
  dbPort?: number;
  dbName?: string;
  dbUser?: string;
  dbPasswordFile?: string;
  dbCores?: number;
  dbLocal: boolean;
  dbSpindles: number;
  dbUsableSlots?: number;
  instances?: number;
  serving?: number;
  plannedMax?: number;
  safety: number;
  headroom: number;
  farAbove: number;
  failOn?: Severity;
  evidenceDir?: string;
  json: boolean;
}

const MAX_WINDOW_S = 3600;

function builder(y: Argv): Argv<AdviseArgs> {
  return metricsSourceOptions(y)
    .option('plan', {
      type: 'string',
      describe: 'Plan file: its targets, database and change.to.max (the planned value)',
    })
    .option('target', { type: 'string', array: true, describe: 'An instance as name=url (repeatable)' })
    .option('targets-file', { type: 'string', describe: 'Targets JSON (schemas/targets.schema.json)' })
    .option('snapshot', {
      type: 'string',
      describe: 'A pre_change_snapshot_*.json: its one sample per instance is paired with one taken now',
    })
    .option('window', { type: 'string', default: '30s', describe: 'Live sample window (e.g. 30s, 5m)' })
    .option('samples', {
      type: 'number',
      default: 6,
      describe: 'Samples per instance over the window (>= 2; the ones between find the peak)',
    })
    .option('db-host', { type: 'string', describe: 'PostgreSQL host, to read the usable connection slots' })
    .option('db-port', { type: 'number', describe: 'PostgreSQL port' })
    .option('db-name', { type: 'string', describe: "The application's database" })
    .option('db-user', { type: 'string', describe: 'A monitoring role' })
    .option('db-password-file', { type: 'string', describe: "File holding that role's password (or set PGPASSWORD)" })
    .option('db-cores', { type: 'number', describe: "The database server's CPU cores" })
    .option('db-local', {
      type: 'boolean',
      default: false,
      describe: "PostgreSQL runs on this host: use this host's cores",
    })
    .option('db-spindles', {
      type: 'number',
      default: DEFAULT_SPINDLES,
      describe: 'Effective spindles (0 = data fully cached)',
    })
    .option('db-usable-slots', {
      type: 'number',
      describe: 'Connection slots the app may use (skips the database probe)',
    })
    .option('instances', { type: 'number', describe: 'Instances holding a pool, if more than those sampled' })
    .option('serving', {
      type: 'number',
      describe: 'Fewest instances that carry all traffic at once (default: those with traffic)',
    })
    .option('planned-max', {
      type: 'number',
      describe: "The pool max you plan to set (default: the plan's change.to.max)",
    })
    .option('safety', {
      type: 'number',
      default: DEFAULT_PARAMETERS.safety_factor,
      describe: 'Multiplier on the busy count at the p95 moment',
    })
    .option('headroom', {
      type: 'number',
      default: DEFAULT_PARAMETERS.headroom,
      describe: 'Connections above the busiest peak seen the max never goes below',
    })
    .option('far-above', {
      type: 'number',
      default: DEFAULT_PARAMETERS.far_above_ratio,
      describe: 'Warn when planned max > this x recommended',
    })
    .option('fail-on', {
      choices: ['warning', 'critical'] as const,
      describe: 'Exit 1 when the advice reaches this severity (default: never)',
    })
    .option('evidence-dir', { type: 'string', describe: 'Write advice_<ts>.json there' })
    .option('json', { type: 'boolean', default: false, describe: 'Print the advice as JSON' })
    .conflicts('snapshot', ['target', 'targets-file'])
    .example(
      '$0 advise --plan plan.json --db-local',
      'Sample 30 s, read the slots from the plan database, judge change.to.max',
    )
    .example(
      '$0 advise --target primary-1=http://127.0.0.21:3000 --window 1m --db-cores 8 --db-usable-slots 97 --planned-max 200',
      'Standalone',
    )
    .example(
      '$0 advise --snapshot evidence/run1/pre_change_snapshot_20260201T023000Z.json --db-cores 8 --json',
      'From a snapshot',
    ) as unknown as Argv<AdviseArgs>;
}

function positiveInt(v: number | undefined, flag: string, min = 1): void {
  if (v !== undefined && (!Number.isInteger(v) || v < min))
    throw new InputError(`${flag} must be a whole number >= ${min}, got ${v}`, 'E_ADVISE_FLAG');
}

async function handler(args: AdviseArgs): Promise<void> {
  positiveInt(args.samples, '--samples', 2);
  positiveInt(args.instances, '--instances');
  positiveInt(args.serving, '--serving');
  positiveInt(args.plannedMax, '--planned-max');
  positiveInt(args.headroom, '--headroom', 0);
  if (!(args.safety >= 1)) throw new InputError(`--safety must be >= 1, got ${args.safety}`, 'E_ADVISE_FLAG');
  if (!(args.farAbove > 1)) throw new InputError(`--far-above must be > 1, got ${args.farAbove}`, 'E_ADVISE_FLAG');
  const windowS = parseDurationS(args.window, '--window');
  if (!(windowS > 0 && windowS <= MAX_WINDOW_S))
    throw new InputError(`--window must be over 0 and at most ${MAX_WINDOW_S}s, got ${args.window}`, 'E_ADVISE_FLAG');

  const snapshot = args.snapshot ? readJsonFile(args.snapshot, 'snapshot') : undefined;
  // A snapshot names its own instances; the plan may still give the database and the planned max.
  const snapshotTargets = (snapshot as { instances?: { name?: unknown; url?: unknown }[] } | undefined)?.instances?.map(
    (i) => `${String(i.name)}=${String(i.url)}`,
  );
  const inputs = resolveCommon({ ...args, target: snapshotTargets ?? args.target, json: args.json });
  const plannedMax = args.plannedMax ?? inputs.plan?.change.to.max;
  const opts: AdviseOptions = {
    params: {
      ...DEFAULT_PARAMETERS,
      safety_factor: args.safety,
      headroom: args.headroom,
      far_above_ratio: args.farAbove,
    },
    db: {
      cores: args.dbCores,
      local: args.dbLocal,
      spindles: args.dbSpindles,
      usableSlots: args.dbUsableSlots,
      database: inputs.database,
      probe: (db, fn) => withProbe(db, fn),
    },
    fetcher: inputs.fetchMetrics,
    instanceCount: args.instances,
    serving: args.serving,
    planned:
      plannedMax === undefined ? null : { max: plannedMax, source: args.plannedMax !== undefined ? 'flag' : 'plan' },
    onSample: (i, of) =>
      progress(`advise: sample ${i}/${of} of ${inputs.targets.length} instances over ${args.window}`),
  };
  let advice: Advice;
  try {
    advice =
      snapshot !== undefined
        ? await adviseFromSnapshot(snapshot, args.snapshot!, opts)
        : await adviseFromWindow(inputs.targets, { windowS, samples: args.samples }, opts);
  } finally {
    progressDone();
  }
  assertValid<Advice>('advice', advice, 'advice (a poolgate bug if this fails)');
  if (args.evidenceDir) {
    const file = new EvidenceDir(args.evidenceDir).writeJson(
      evidenceFile('advice', new Date(advice.generated_at)),
      'advice',
      advice,
    );
    if (!args.json) process.stderr.write(`advise: wrote ${file}\n`);
  }
  printResult({ json: args.json }, advice, () => renderAdvice(advice));
  if (args.failOn && severityAtLeast(advice.severity, args.failOn)) process.exitCode = 1;
}

export const adviseCommand: CommandModule<object, AdviseArgs> = {
  command: 'advise',
  describe: "Recommend the pool max/min from measured load (Little's law), bounded by the database's cores and slots",
  builder,
  handler,
};
