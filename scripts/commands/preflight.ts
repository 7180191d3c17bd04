import type { Argv, CommandModule } from 'yargs';
import { adviseFromPairs } from '../lib/advise/advise';
import { adviceChecklistItem } from '../lib/advise/checklist-item';
import { DEFAULT_PARAMETERS, DEFAULT_SPINDLES, type Severity } from '../lib/advise/parameters';
import { judgeAttestation } from '../lib/attestation';
import { backupConfigProblem, backupFromArchiver, findBackup, type BackupFinding } from '../lib/backup-age';
import { checkCapacityRamp, usableSlots, type CapacityInput, type CapacityResult } from '../lib/capacity';
import { judgeWindow, judgeWindowFit } from '../lib/change-window';
import { checklistMessage, renderItems, unknown, verdictOf, type Item } from '../lib/checklist';
import { gateStop } from '../lib/trigger';
import { exitCodeOfVerdict, shownVerdict } from '../lib/verdict';
import { commonOptions, poolgateVersion, readJsonFile, resolveCommon, type CommonArgs } from '../lib/command-inputs';
import { checkTargets, contractChecklistItem } from '../lib/contract/check';
import { InputError, MeasureError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { evidenceFile } from '../lib/run-evidence/files';
import { sampleFleet, type InstanceSample } from '../lib/metrics-sampler';
import { printResult, progress, progressDone } from '../lib/output';
import * as probes from '../lib/pg-probes';
import { withProbe } from '../lib/pg-connect';
import * as P from '../lib/preflight-items';
import { sourceItems } from '../lib/preflight-sources';
import { toInstanceSample } from '../lib/instance-sample';
import { assertValid } from '../lib/schema';
import { describeRunLength, expectedRunLength } from '../lib/run-length';
import { takeSnapshot } from '../lib/snapshot-take';
import { stakeholderItems } from '../lib/stakeholders';
import { withDefaults } from '../lib/schema-defaults';
import type { Target } from '../lib/targets';
import type { DatabaseTarget } from '../types/database';
import type { PoolChange } from '../types/pool-change';
import type { PreflightConfig } from '../types/preflight-config';
import type { PreflightResult } from '../types/preflight-result';
import { errorText } from '../lib/error-text';

interface Args extends CommonArgs {
  changeFile?: string;
  windowS?: number;
  maxErrorRate?: number;
  maxP95Ms?: number;
  backupFile?: string;
  dbCores?: number;
  dbLocal?: boolean;
  adviceFailOn?: Severity;
  snapshot: boolean;
  snapshotWindowS: number;
}

function builder(y: Argv): Argv<Args> {
  return commonOptions(y)
    .option('change-file', {
      type: 'string',
      describe: 'The pool change (schemas/pool-change.schema.json) when there is no plan',
    })
    .option('window-s', { type: 'number', describe: 'Metrics sample window in seconds (default 10)' })
    .option('max-error-rate', { type: 'number', describe: 'Error rate must be below this (default 0.001)' })
    .option('max-p95-ms', { type: 'number', describe: 'p95 latency must be below this (default 500)' })
    .option('backup-file', {
      type: 'string',
      describe: 'Take the last backup time from this file (sets backup.source=file)',
    })
    .option('db-cores', {
      type: 'number',
      describe: "The database server's cores, for the pool-size advice (2 x cores + spindles)",
    })
    .option('db-local', { type: 'boolean', describe: 'PostgreSQL runs on this host: take its cores from here' })
    .option('advice-fail-on', {
      choices: ['warning', 'critical'] as const,
      describe:
        'Make the pool-size advice a gate: fail preflight when the advice reaches this level (default: advice only, a WARN)',
    })
    .option('snapshot', {
      type: 'boolean',
      default: false,
      describe:
        'Also take the baseline snapshot (pre_change_snapshot_<ts>.json, as `poolgate snapshot` does) during the sample window, so the rollout does not sample the fleet twice',
    })
    .option('snapshot-window-s', {
      type: 'number',
      default: 5,
      describe: "The snapshot's own window (at most preflight's): metrics sampled twice this far apart",
    })
    .example('$0 preflight --plan evidence/run1/plan.json', 'every checklist item from the plan')
    .example(
      '$0 preflight --plan evidence/run1/plan.json --snapshot --json',
      'the checklist and the baseline snapshot from one sample window (what the playbook runs)',
    )
    .example(
      '$0 preflight --plan plan.json --window-s 30 --json',
      'a longer sample window, JSON for Ansible',
    ) as unknown as Argv<Args>;
}

/** Rollout order: the configured one, or standbys first then primaries (then the rest), each in target order. */
function rolloutOrder(targets: Target[], order: string[] | undefined): Target[] {
  if (order) {
    const byName = new Map(targets.map((t) => [t.name, t]));
    const missing = order.filter((n) => !byName.has(n));
    if (missing.length > 0)
      throw new InputError(`preflight.capacity.order names unknown instances: ${missing.join(', ')}`);
    const rest = targets.filter((t) => !order.includes(t.name));
    return [...order.map((n) => byName.get(n)!), ...rest];
  }
  const rank = (t: Target): number => (t.role === 'standby' ? 0 : t.role === 'primary' ? 1 : 2);
  return targets
    .map((t, i) => ({ t, i }))
    .sort((a, b) => rank(a.t) - rank(b.t) || a.i - b.i)
    .map((x) => x.t);
}

interface DbMeasured {
  server: probes.ServerFacts;
  activity: probes.Activity;
  blocked: probes.BlockedSession[];
  transactions: probes.Transaction[];
  replicas: probes.PrimaryReplica[];
  self: probes.ReplicaSelf | null;
  capacity: probes.CapacityFacts;
  archiver: probes.ArchiverFacts | null;
}

async function measureDb(db: DatabaseTarget, instanceNames: string[], wantArchiver: boolean): Promise<DbMeasured> {
  return withProbe(db, async (client) => {
    const c = client as unknown as probes.Queryable;
    const server = await probes.serverFacts(c);
    const activity = await probes.activity(c, db.database);
    return {
      server,
      activity,
      blocked: await probes.blockedSessions(c, db.database),
      transactions: await probes.openTransactions(c, db.database),
      replicas: server.in_recovery ? [] : await probes.primaryReplicas(c),
      self: server.in_recovery ? await probes.replicaSelf(c) : null,
      capacity: await probes.capacityFacts(c, server, activity, {
        database: db.database,
        appUser: db.app_user,
        instanceNames,
      }),
      archiver: wantArchiver ? await probes.archiver(c) : null,
    };
  });
}

async function probeReplica(
  r: DatabaseTarget,
): Promise<{ name: string; error: string | null; self?: probes.ReplicaSelf }> {
  const name = `${r.host}:${r.port}`;
  try {
    const self = await withProbe(r, async (client) => {
      const c = client as unknown as probes.Queryable;
      const facts = await probes.serverFacts(c);
      if (!facts.in_recovery) throw new MeasureError(`${name} is not a replica (pg_is_in_recovery() is false)`);
      return probes.replicaSelf(c);
    });
    return { name, error: null, self };
  } catch (err) {
    return { name, error: (err as Error).message };
  }
}

async function handler(args: Args): Promise<void> {
  const started = new Date();
  // 1. Inputs: everything validated before anything is measured or written (bad input: exit 2, nothing written).
  const inputs = resolveCommon(args, started);
  if (!inputs.operator)
    throw new InputError('no operator: give --operator NAME (or plan.operator, or $POOLGATE_OPERATOR)');
  const change: PoolChange | undefined = args.changeFile
    ? assertValid<PoolChange>(
        'pool-change',
        readJsonFile(args.changeFile, 'change file'),
        `change file ${args.changeFile}`,
      )
    : inputs.plan?.change;
  if (!change) throw new InputError('no pool change: give --plan (plan.change) or --change-file');
  const raw: PreflightConfig = structuredClone(inputs.plan?.preflight ?? {});
  if (args.windowS !== undefined) raw.window_s = args.windowS;
  if (args.maxErrorRate !== undefined) raw.max_error_rate = args.maxErrorRate;
  if (args.maxP95Ms !== undefined) raw.max_p95_ms = args.maxP95Ms;
  if (args.backupFile !== undefined) raw.backup = { ...raw.backup, source: 'file', file: args.backupFile };
  assertValid<PreflightConfig>('preflight-config', raw, 'preflight config (plan.preflight + flags)');
  const cfg = withDefaults<PreflightConfig>('preflight-config', raw);
  const backup = cfg.backup!;
  const backupProblem = backupConfigProblem(backup, inputs.hosts);
  if (backupProblem) throw new InputError(backupProblem);
  const windowSpec = { start: cfg.change_window!.start!, end: cfg.change_window!.end! };
  const window = judgeWindow(started, windowSpec);
  // The run's expected length needs the whole plan (its sample windows, load test, monitoring, rollback); without a
  // plan, preflight alone is judged for the window it runs in (its own window_s).
  const runLength = inputs.plan
    ? expectedRunLength({ ...inputs.plan, preflight: raw })
    : { total_s: cfg.window_s!, parts: [{ what: 'preflight (no plan: nothing else known)', s: cfg.window_s! }] };
  const fit = judgeWindowFit(started, windowSpec, runLength.total_s);
  const order = rolloutOrder(inputs.targets, cfg.capacity!.order);
  const evidence = new EvidenceDir(inputs.evidenceDir);

  // 2. Measure: metrics over the window, the database, replicas, backup and attestations, all at once.
  const windowS = cfg.window_s!;
  if (args.snapshot && !(args.snapshotWindowS >= 0)) throw new InputError('--snapshot-window-s must be 0 or more');
  progress(`preflight: sampling ${inputs.targets.length} instances for ${windowS} s…`);
  // The baseline snapshot measures the same fleet: taken inside this window, it costs the rollout no time of its own.
  const snapshot = args.snapshot
    ? takeSnapshot(inputs, {
        windowS: Math.min(args.snapshotWindowS, windowS),
        logLines: 100,
        repo: process.cwd(),
        started,
      }).then(
        (r) => `baseline snapshot ${r.result.complete ? 'complete' : 'INCOMPLETE'}: ${r.file}`,
        (err: unknown) => `baseline snapshot not taken: ${errorText(err)}`,
      )
    : null;
  const db = inputs.database;
  const names = inputs.targets.map((t) => t.name);
  const att = cfg.attestations ?? {};
  const maxAgeH = cfg.attestation_max_age_h!;
  const [samples, dbResult, replicaProbes, backupResult, attItems, sources, contract] = await Promise.all([
    sampleFleet(inputs.targets, windowS, inputs.fetchMetrics),
    db
      ? measureDb(db, names, backup.source === 'pg_stat_archiver').then(
          (m) => ({ m }),
          (err: unknown) => ({ error: errorText(err) }),
        )
      : Promise.resolve(null),
    Promise.all((cfg.database!.replicas ?? []).map(probeReplica)),
    // pg_stat_archiver is read with the database probes: findBackup gives null for it
    findBackup(backup, inputs.runner).catch((err: unknown) => ({ error: errorText(err) })),
    Promise.all([
      judgeAttestation('system_stable', 'system stable, no incident', att.system_stable, started, maxAgeH),
      judgeAttestation('rollback_plan_tested', 'rollback plan tested', att.rollback_plan_tested, started, maxAgeH),
      judgeAttestation('dashboards_visible', 'dashboards visible', att.dashboards_visible, started, maxAgeH),
    ]),
    sourceItems(inputs, started),
    // Inside the sample window: a service that does not conform refuses the change before any host is touched.
    cfg.contract_check
      ? checkTargets(inputs.targets, { intervalMs: Math.min(1000, windowS * 500), timeoutMs: 3000, reloadTimeoutS: 30 })
      : Promise.resolve([]),
  ]);
  progressDone();
  // On stderr, always: stdout is the verdict (JSON for Ansible), and the playbook finds the snapshot by its name.
  if (snapshot) process.stderr.write(`preflight: ${await snapshot}\n`);
  await inputs.runner.close();
  const now = new Date();

  // 3. Judge.
  const items: Item[] = [
    { id: 'operator', item: 'operator', verdict: 'PASS', measured: inputs.operator, value: null, threshold: 'named' },
    P.poolChangeItem(change),
    P.changeWindowItem(window, fit, describeRunLength(runLength), cfg.change_window!.override),
    ...attItems,
    P.onCallItem(att.on_call, cfg.max_on_call_response_minutes!),
    ...stakeholderItems(inputs.plan?.stakeholders),
    ...P.instanceItems(samples, cfg.max_error_rate!, cfg.max_p95_ms!),
    ...sources,
    ...contract.map(contractChecklistItem),
  ];
  if (att.on_call?.url)
    items.push(await judgeAttestation('on_call_url', 'on-call schedule', { url: att.on_call.url }, now, maxAgeH));

  const dbCfg = cfg.database!;
  const dbWhy = !db
    ? 'no database given: --db-host/--db-port/--db-name/--db-user or plan.database'
    : dbResult && 'error' in dbResult
      ? dbResult.error
      : '';
  const m = dbResult && 'm' in dbResult ? dbResult.m : null;
  let capacity: CapacityResult | null = null;
  let capacityInputs: (CapacityInput & { other_clients_source: 'configured' | 'measured now' }) | null = null;
  if (m) {
    items.push(P.blockedItem(m.blocked, dbCfg.max_blocked_sessions!));
    items.push(...P.transactionItems(m.transactions, dbCfg.max_long_transaction_s!, dbCfg.max_idle_in_transaction_s!));
    const selfProbe = m.self ? [{ name: `${db!.host}:${db!.port} (this server)`, error: null, self: m.self }] : [];
    items.push(...P.replicationItems(m.replicas, [...selfProbe, ...replicaProbes], dbCfg));
    const measuredMax = new Map(samples.map((s) => [s.name, s.second?.pool.max ?? s.first?.pool.max ?? 0]));
    const configured = cfg.capacity!.other_clients_peak;
    capacityInputs = {
      instances: order.map((t) => ({
        name: t.name,
        old_max: Math.max(change.from.max, measuredMax.get(t.name) ?? 0),
        new_max: change.to.max,
      })),
      max_connections: m.capacity.max_connections,
      superuser_reserved_connections: m.capacity.superuser_reserved_connections,
      reserved_connections: m.capacity.reserved_connections,
      other_clients_peak: configured ?? m.capacity.other_clients_now,
      other_clients_source: configured === undefined ? 'measured now' : 'configured',
      headroom: cfg.capacity!.headroom!,
      overlap: cfg.capacity!.overlap!,
      role_conn_limit: m.capacity.role_conn_limit,
      db_conn_limit: m.capacity.db_conn_limit,
      other_clients_in_db: m.capacity.other_clients_in_db_now,
    };
    capacity = checkCapacityRamp(capacityInputs, change.steps ?? []);
    items.push(...P.capacityItems(capacity, capacityInputs.other_clients_source));
  } else {
    const unmeasured: [string, string, string][] = [
      ['blocked_sessions', 'blocked sessions', `≤ ${dbCfg.max_blocked_sessions}`],
      ['long_transactions', 'longest transaction', `≤ ${dbCfg.max_long_transaction_s} s`],
      ['idle_in_transaction', 'idle in transaction', `≤ ${dbCfg.max_idle_in_transaction_s} s`],
      [
        'replication',
        'replication lag',
        `≤ ${dbCfg.max_replication_lag_bytes} B and ≤ ${dbCfg.max_replication_lag_s} s`,
      ],
      ['capacity', 'connection capacity (worst step)', '≤ usable slots'],
    ];
    for (const [id, label, threshold] of unmeasured) items.push(unknown(id, label, threshold, dbWhy));
    items.push(
      ...P.replicationItems([], replicaProbes, { ...dbCfg, expect_replicas: 0 }).filter((i) =>
        i.id.startsWith('replica:'),
      ),
    );
  }

  // Whether the planned pool is the right size (issue 8): advice from the same window, a WARN unless asked to gate.
  const slots = capacityInputs ? usableSlots(capacityInputs) : undefined;
  const { item: adviceItem } = await adviceChecklistItem(
    () =>
      adviseFromPairs(samples, {
        params: DEFAULT_PARAMETERS,
        planned: { max: change.to.max, source: 'plan' },
        db: { spindles: DEFAULT_SPINDLES, usableSlots: slots, cores: args.dbCores, local: args.dbLocal },
      }),
    args.adviceFailOn,
  );
  items.push(adviceItem);

  let backupEvidence: PreflightResult['backup'] = null;
  let finding: BackupFinding | null = null;
  let backupWhy = '';
  if (backup.source === 'pg_stat_archiver') {
    if (m?.archiver) finding = backupFromArchiver(m.archiver);
    else backupWhy = dbWhy;
  } else if (backupResult && 'error' in backupResult) backupWhy = backupResult.error;
  else finding = backupResult;
  if (finding) {
    const b = P.backupItem(finding, now, backup.max_age_h!);
    items.push(b.item);
    backupEvidence = { ...finding, ...(b.age_h !== null ? { age_h: b.age_h } : {}) };
  } else items.push(unknown('backup_age', `last backup (${backup.source})`, `< ${backup.max_age_h} h`, backupWhy));
  const rt = cfg.restore_tested;
  const rtMaxH = cfg.restore_tested_max_age_d! * 24;
  items.push(
    rt
      ? judgeRestore(rt, now, rtMaxH, cfg.restore_tested_max_age_d!)
      : {
          id: 'restore_tested',
          item: 'restore tested',
          verdict: 'FAIL',
          measured: 'not attested',
          value: null,
          threshold: `≤ ${cfg.restore_tested_max_age_d} d ago`,
          detail: 'restore a backup, then record plan.preflight.restore_tested = {by, at}',
        },
  );

  const verdict = verdictOf(items);
  const exitCode = exitCodeOfVerdict(verdict);
  const result: PreflightResult = {
    command: 'preflight',
    run: {
      ...(inputs.runId ? { run_id: inputs.runId } : {}),
      started_at: started.toISOString(),
      finished_at: new Date().toISOString(),
      operator: inputs.operator,
      poolgate_version: poolgateVersion,
    },
    verdict,
    message: checklistMessage(verdict, items),
    ...gateStop('preflight', verdict),
    exit_code: exitCode,
    items,
    change,
    instances: samples.map((s: InstanceSample) => toInstanceSample(s)),
    database: m
      ? {
          version_num: m.server.version_num,
          in_recovery: m.server.in_recovery,
          activity: {
            db_total: m.activity.db_total,
            db_by_state: m.activity.db_by_state,
            db_by_application: m.activity.db_by_application,
            server_total: m.activity.server_total,
          },
          blocked: m.blocked,
          transactions: m.transactions.slice(0, 10),
          replicas: m.replicas,
          replica_probes: [
            ...(m.self ? [{ name: 'this server', error: null, ...m.self }] : []),
            ...replicaProbes.map((p) => ({ name: p.name, error: p.error, ...(p.self ?? {}) })),
          ],
        }
      : null,
    capacity: capacity && capacityInputs ? { inputs: capacityInputs, ...capacity } : null,
    backup: backupEvidence,
    change_window: {
      ...window,
      ...fit,
      run_length: runLength.parts,
      ...(cfg.change_window!.override ? { override: cfg.change_window!.override } : {}),
    },
    config: cfg,
  };
  const file = evidence.writeJson(evidenceFile('preflight', started), 'preflight-result', result);
  printResult({ json: args.json }, result, () => human(result, file));
  process.exitCode = exitCode;
}

function judgeRestore(rt: { by: string; at: string }, now: Date, maxH: number, maxD: number): Item {
  const ageD = (now.getTime() - Date.parse(rt.at)) / 86_400_000;
  const ok = ageD <= maxD && ageD > -1 / 288;
  return {
    id: 'restore_tested',
    item: 'restore tested',
    verdict: ok ? 'PASS' : 'FAIL',
    measured: `by ${rt.by} at ${rt.at}`,
    value: ageD,
    threshold: `≤ ${maxD} d ago (${maxH} h)`,
    ...(ok
      ? {}
      : { detail: ageD < 0 ? 'dated in the future' : 'the last restore test is too old: test a restore again' }),
  };
}

function human(r: PreflightResult, file: string): string {
  const failed = r.items.filter((i) => i.verdict === 'FAIL');
  const unknownItems = r.items.filter((i) => i.verdict === 'COULD_NOT_MEASURE');
  const last =
    r.verdict === 'PASS'
      ? `PASS: every checklist item passed (${r.items.filter((i) => i.verdict === 'WARN').length} warnings) — you may proceed`
      : r.verdict === 'FAIL'
        ? `DO NOT PROCEED: ${failed.length} item(s) failed: ${failed.map((i) => i.item).join(', ')}`
        : `DO NOT PROCEED (${shownVerdict('COULD_NOT_MEASURE')}): ${unknownItems.map((i) => i.item).join(', ')} — fix access and run again`;
  return `${renderItems(r.items)}\n\nevidence: ${file}\n${last}`;
}

export const preflightCommand: CommandModule<object, Args> = {
  command: 'preflight',
  describe: "The runbook's pre-implementation checklist; DO NOT PROCEED (exit 1) if any item fails",
  builder,
  handler,
};
