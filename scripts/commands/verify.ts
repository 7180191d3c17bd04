import type { Argv, CommandModule } from 'yargs';
import { checklistMessage, renderItems, unknown, verdictOf, type Item } from '../lib/checklist';
import { gateStop } from '../lib/trigger';
import { exitCodeOfVerdict, shownVerdict } from '../lib/verdict';
import { commonOptions, poolgateVersion, readJsonFile, resolveCommon, type CommonArgs } from '../lib/command-inputs';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence/files';
import { getJson } from '../lib/http-json';
import { readInForce } from '../lib/in-force';
import { authHeaders } from '../lib/target-auth';
import { toInstanceSample } from '../lib/instance-sample';
import { logPath } from '../lib/log-scan';
import { sampleFleet, type InstanceSample } from '../lib/metrics-sampler';
import type { Target } from '../lib/targets';
import type { ServiceMetrics } from '../types/service-metrics';
import { printResult, progress, progressDone } from '../lib/output';
import { withProbe } from '../lib/pg-connect';
import * as probes from '../lib/pg-probes';
import { assertValid } from '../lib/schema';
import { withDefaults } from '../lib/schema-defaults';
import * as V from '../lib/verify-items';
import type { PoolConfig } from '../types/pool-config';
import type { ServiceHealth } from '../types/service-health';
import type { Snapshot } from '../types/snapshot';
import type { VerifyConfig } from '../types/verify-config';
import type { VerifyResult } from '../types/verify-result';
import { errorText } from '../lib/error-text';

interface Args extends CommonArgs {
  baseline?: string;
  expectMax?: number;
  expectMin?: number;
  windowS?: number;
  since?: string;
  maxP95Ms?: number;
}

function builder(y: Argv): Argv<Args> {
  return commonOptions(y)
    .option('baseline', {
      type: 'string',
      describe: 'pre_change_snapshot_<ts>.json to judge latency regression and error-rate spikes against',
    })
    .option('expect-max', {
      type: 'number',
      describe: 'Pool max every instance must report (default plan.change.to.max)',
    })
    .option('expect-min', {
      type: 'number',
      describe: 'Pool min every instance must report (default plan.change.to.min)',
    })
    .option('window-s', { type: 'number', describe: 'Sample window in seconds (default 10)' })
    .option('since', {
      type: 'string',
      describe: "Error log lines at or after this ISO time are new (default: the baseline's time, else now)",
    })
    .option('max-p95-ms', { type: 'number', describe: 'p95 must be below this (default 500)' })
    .example(
      '$0 verify --plan evidence/run1/plan.json --baseline evidence/run1/pre_change_snapshot_20260201T021000Z.json',
      'Step 4 against the baseline',
    )
    .example(
      '$0 verify --target primary-1=http://127.0.0.21:3000 --expect-max 200 --expect-min 20 --json',
      'only the pool and the metrics, no database',
    ) as unknown as Argv<Args>;
}

async function handler(args: Args): Promise<void> {
  const started = new Date();
  const inputs = resolveCommon(args, started);
  const operator = inputs.operator ?? 'unknown';
  const expected: Partial<PoolConfig> = { ...(inputs.plan?.change.to ?? {}) };
  if (args.expectMax !== undefined) expected.max = args.expectMax;
  if (args.expectMin !== undefined) expected.min = args.expectMin;
  if (expected.max === undefined)
    throw new InputError('no expected pool: give --expect-max (and --expect-min) or --plan with change.to');
  for (const [k, v] of Object.entries(expected))
    if (!Number.isInteger(v) || (v as number) < 0)
      throw new InputError(`expected ${k} must be a non-negative integer, got ${v}`);
  const raw: VerifyConfig = structuredClone(inputs.plan?.verify ?? {});
  if (args.windowS !== undefined) raw.window_s = args.windowS;
  if (args.since !== undefined) raw.since = args.since;
  if (args.maxP95Ms !== undefined) raw.max_p95_ms = args.maxP95Ms;
  assertValid<VerifyConfig>('verify-config', raw, 'verify config (plan.verify + flags)');
  const baseline = args.baseline
    ? assertValid<Snapshot>('snapshot', readJsonFile(args.baseline, 'baseline snapshot'), `baseline ${args.baseline}`)
    : null;
  const cfg = withDefaults<VerifyConfig>('verify-config', raw);
  const since = new Date(cfg.since ?? baseline?.timestamp ?? started.toISOString());
  const conn = cfg.connections!;
  const sumMin = expected.min !== undefined ? expected.min * inputs.targets.length : 0;
  const range = {
    min: conn.min ?? sumMin,
    max:
      conn.max ??
      (expected.min !== undefined ? sumMin + (conn.allowance ?? sumMin) : expected.max * inputs.targets.length),
  };
  if (range.min > range.max) throw new InputError(`verify.connections range ${range.min}–${range.max} is empty`);
  const evidence = new EvidenceDir(inputs.evidenceDir);

  const windowS = cfg.window_s!;
  progress(`verify: sampling ${inputs.targets.length} instances for ${windowS} s…`);
  const windowStart = Date.now();
  const [samples, configs, health] = await Promise.all([
    sampleFleet(inputs.targets, windowS, inputs.fetchMetrics),
    readInForce(inputs.targets),
    Promise.all(
      inputs.targets.map((t) =>
        getJson<ServiceHealth>(`${t.url}/health`, 'service-health', {
          timeoutMs: 3000,
          acceptStatus: [200, 503],
          headers: authHeaders(t),
        }).then(
          (r) => ({ status: r.body.status as string, error: null }),
          (err: unknown) => ({ status: null, error: errorText(err) }),
        ),
      ),
    ),
  ]);
  // The database is read at the end of the window, so backend_start covers the window just sampled.
  const db = inputs.database;
  const names = new Set(inputs.targets.map((t) => t.name));
  const dbPart = db
    ? await withProbe(db, async (client) => {
        const c = client as unknown as probes.Queryable;
        // The window as it really was (sampling may overrun window_s), measured on our clock as a duration.
        const elapsedS = (Date.now() - windowStart) / 1000;
        return {
          act: await probes.activity(c, db.database),
          fresh: await probes.newBackends(c, db.database, elapsedS),
          elapsedS,
        };
      }).then(
        (r) => ({ r, error: null }),
        (err: unknown) => ({ r: null, error: errorText(err) }),
      )
    : null;
  progressDone();
  const logs = await Promise.all(
    Object.entries(inputs.logs).map(([name, source]) =>
      inputs
        .readLog(name, since, cfg.log_lines!)
        .catch((err: unknown) => ({ name, path: logPath(source), error: errorText(err) })),
    ),
  );

  const baseByName = new Map(
    (baseline?.instances ?? []).map((i) => [
      i.name,
      i.summary ? { latency_p95_ms: i.summary.latency_p95_ms, error_rate: i.summary.error_rate } : null,
    ]),
  );
  const thresholds = {
    max_p95_ms: cfg.max_p95_ms!,
    max_p95_regression: cfg.max_p95_regression!,
    min_regression_ms: cfg.min_regression_ms!,
    max_error_rate_spike: cfg.max_error_rate_spike!,
    max_pool_churn_per_s: cfg.thrashing!.max_pool_churn_per_s!,
  };
  const sampled = inputs.targets.map((t, i) => V.sampleItems(samples[i]!, baseByName.get(t.name) ?? null, thresholds));
  const warm = cfg.warm_latency as V.WarmLatency;
  const warmRead = await readWarm(inputs.targets, samples, sampled, warm, thresholds.max_p95_ms, inputs.fetchMetrics);
  await inputs.runner.close();
  const items: Item[] = [];
  inputs.targets.forEach((t, i) => {
    items.push(V.poolItem(t.name, expected, configs[i]!.config, configs[i]!.error));
    items.push(V.healthItem(t.name, health[i]!.status, health[i]!.error));
    const read = warmRead[i];
    items.push(
      ...sampled[i]!.map((item) =>
        read === undefined || !item.id.startsWith('p95:')
          ? item
          : V.warmP95Item(t.name, item, samples[i]!.second!, read, baseByName.get(t.name) ?? null, {
              ...thresholds,
              warmup_s: warm.warmup_s,
            }),
      ),
    );
  });
  let database: VerifyResult['database'] = null;
  if (!db) {
    items.push(
      unknown(
        'db_connections',
        'db connections',
        `${range.min}–${range.max}`,
        'no database given: --db-host/--db-port/--db-name/--db-user or plan.database',
      ),
    );
  } else if (!dbPart?.r) {
    items.push(unknown('db_connections', 'db connections', `${range.min}–${range.max}`, dbPart?.error ?? 'no answer'));
    items.push(
      unknown(
        'thrashing:db',
        'new db backends',
        `≤ ${cfg.thrashing!.max_new_backends_per_s}/s`,
        dbPart?.error ?? 'no answer',
      ),
    );
  } else {
    const { act, fresh, elapsedS } = dbPart.r;
    const scope = conn.scope!;
    const counted =
      scope === 'database'
        ? act.db_total
        : Object.entries(act.db_by_application).reduce((s, [app, n]) => s + (names.has(app) ? n : 0), 0);
    items.push(V.connectionsItem(counted, range, conn.below_min!, scope));
    items.push(V.newBackendsItem(fresh, elapsedS, cfg.thrashing!.max_new_backends_per_s!));
    database = {
      activity: {
        db_total: act.db_total,
        db_by_state: act.db_by_state,
        db_by_application: act.db_by_application,
        server_total: act.server_total,
      },
      counted,
      range,
      new_backends: fresh,
      window_s: elapsedS,
    };
  }
  if (logs.length === 0)
    items.push({
      id: 'log',
      item: 'error log lines',
      verdict: 'WARN',
      measured: 'no logs given',
      value: null,
      threshold: '0 new',
      detail: 'not checked: give --log name=path, or targets[].log or targets[].journal in the plan',
    });
  for (const l of logs) items.push(V.logItem(l));

  const verdict = verdictOf(items);
  const exitCode = exitCodeOfVerdict(verdict);
  const result: VerifyResult = {
    command: 'verify',
    run: {
      ...(inputs.runId ? { run_id: inputs.runId } : {}),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      operator,
      poolgate_version: poolgateVersion,
    },
    verdict,
    message: checklistMessage(verdict, items),
    ...gateStop('verify', verdict),
    exit_code: exitCode,
    items,
    expected,
    instances: inputs.targets.map((t, i) => ({
      name: t.name,
      health: health[i]!.status,
      pool_config: configs[i]!.config,
      sample: toInstanceSample(samples[i]!),
      ...(typeof warmRead[i] === 'object'
        ? {
            warm_read: {
              timestamp: warmRead[i].timestamp,
              pid: warmRead[i].pid,
              uptime_s: warmRead[i].uptime_s,
              window_s: warmRead[i].window_s ?? 0,
              latency_p95_ms: warmRead[i].latency.count > 0 ? warmRead[i].latency.p95 : null,
            },
          }
        : {}),
    })),
    database,
    logs,
    baseline: baseline ? { file: args.baseline!, timestamp: baseline.timestamp } : null,
    since: since.toISOString(),
    config: cfg,
  };
  const file = evidence.writeJson(evidenceFile('verify', started), 'verify-result', result);
  printResult({ json: args.json }, result, () => {
    const failed = items.filter((i) => i.verdict === 'FAIL');
    const last =
      verdict === 'PASS'
        ? 'PASS: the change is in force and healthy'
        : verdict === 'FAIL'
          ? `FAIL: ${failed.map((i) => i.item).join(', ')} — trigger the rollback`
          : `${shownVerdict('COULD_NOT_MEASURE')}: ${items
              .filter((i) => i.verdict === 'COULD_NOT_MEASURE')
              .map((i) => i.item)
              .join(', ')} — not a pass`;
    return `${renderItems(items)}\n\nevidence: ${file}\n${last}`;
  });
  process.exitCode = exitCode;
}

/**
 * Step 4 right after a restart: a p95 that regressed in a latency window still holding an instance's start is read
 * once more when that window is warm (config.warm_latency). One wait, the longest, then every such instance read at
 * once: the metrics document, or why it could not be read; undefined for the instances not read again.
 */
async function readWarm(
  targets: Target[],
  samples: InstanceSample[],
  sampled: Item[][],
  warm: V.WarmLatency,
  maxP95Ms: number,
  fetchMetrics: (url: string) => Promise<ServiceMetrics>,
): Promise<Array<ServiceMetrics | string | undefined>> {
  const waits = targets.map((_, i) => {
    const p95 = sampled[i]!.find((item) => item.id.startsWith('p95:'));
    return p95 ? V.coldRegressionWait(samples[i]!.second, p95, maxP95Ms, warm) : null;
  });
  const cold = targets.filter((_, i) => waits[i] !== null);
  if (cold.length === 0) return targets.map(() => undefined);
  const waitS = Math.max(...waits.filter((w): w is number => w !== null));
  progress(
    `verify: p95 of ${cold.map((t) => t.name).join(', ')} regressed in a latency window that holds the instance's start: read again in ${Math.ceil(waitS)} s, once warm…`,
  );
  await new Promise((r) => setTimeout(r, Math.ceil(waitS * 1000) + 250));
  progressDone();
  return Promise.all(
    targets.map((t, i) =>
      waits[i] === null ? undefined : fetchMetrics(t.url).catch((err: unknown) => `no answer: ${errorText(err)}`),
    ),
  );
}

export const verifyCommand: CommandModule<object, Args> = {
  command: 'verify',
  describe: 'Immediate verification (runbook Step 4): pool in force, connections, errors, latency, thrashing',
  builder,
  handler,
};
