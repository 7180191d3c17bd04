import { InputError } from '../errors';
import type { MonitorConfig, Metric, Scope } from '../../types/monitor-config';
import type { MonitorResult } from '../../types/monitor-result';

/** An alert rule with its scope resolved: it fires strictly above `above` or strictly below `below`. */
export type AlertRule = NonNullable<MonitorConfig['alerts']>[number] & { scope: Scope };
export type TriggerRule = Required<NonNullable<MonitorConfig['triggers']>[number]>;
type RecordedConfig = Omit<MonitorResult['config'], 'db_probe'>;
export type OutagePolicy = RecordedConfig['outage']['policy'];

/**
 * A monitor config with every default applied: what a run actually judges with (recorded in its result, which also
 * says whether the database was probed), every alert and trigger with all its fields.
 */
export type ResolvedMonitorConfig = Omit<RecordedConfig, 'alerts' | 'triggers' | 'db_connections'> & {
  alerts: AlertRule[];
  triggers: TriggerRule[];
  db_connections: DbConnectionsRange;
};

/** The active DB connections range a run judges, and where it comes from. */
export type DbConnectionsRange = NonNullable<RecordedConfig['db_connections']>;

/** Metrics measured at the database: one series for the whole fleet. */
export const DB_METRICS: ReadonlySet<Metric> = new Set<Metric>(['new_backends_per_s', 'db_backends', 'db_cpu_pct']);

/** The runbook's Step 6 alert thresholds. Fractions (0.70), not percents, like the service's `utilization`. */
export const RUNBOOK_ALERTS: AlertRule[] = [
  { metric: 'pool_utilization', scope: 'each_instance', level: 'warning', above: 0.7 },
  { metric: 'pool_utilization', scope: 'each_instance', level: 'critical', above: 0.85 },
  { metric: 'error_rate', scope: 'fleet', level: 'critical', above: 0.005 },
  { metric: 'p95_ms', scope: 'each_instance', level: 'critical', above: 1000 },
];

/**
 * The runbook's rollback triggers. "Connection thrashing (rapid connect/disconnect)" has no number in the runbook:
 * a healthy pool opens connections in bursts and closes them after idleTimeoutMillis (30 s), so even a burst of
 * 100 averages under 1 connect+disconnect event per second over five minutes, and an idle-eviction wave lasts a
 * second or two; a pool that connects per request does hundreds per second. Hence 10/s per instance and 20 new
 * PostgreSQL sessions/s for the fleet, sustained (with lab-sized windows a wave still spans fewer samples than
 * a 3 s sustain needs). The service's p95 is over its own window (metrics `window_s`), so one slow burst keeps
 * p95 high for up to that window: "p95 sustained" inherits that smoothing.
 */
export const RUNBOOK_TRIGGERS: TriggerRule[] = [
  { name: 'error_rate_sustained', metric: 'error_rate', scope: 'fleet', above: 0.01, sustained_s: 300, min_samples: 2 },
  { name: 'p95_latency_sustained', metric: 'p95_ms', scope: 'fleet', above: 1000, sustained_s: 300, min_samples: 2 },
  {
    name: 'connection_thrashing',
    metric: 'churn_per_s',
    scope: 'each_instance',
    above: 10,
    sustained_s: 300,
    min_samples: 2,
  },
  {
    name: 'db_connection_thrashing',
    metric: 'new_backends_per_s',
    scope: 'fleet',
    above: 20,
    sustained_s: 300,
    min_samples: 2,
  },
  { name: 'db_cpu_sustained', metric: 'db_cpu_pct', scope: 'fleet', above: 90, sustained_s: 300, min_samples: 2 },
];

/**
 * Runbook Step 6, "Active DB connections (should be 20-60 under normal load)", read as the range for a fleet of
 * four instances (the runbook's fleet) and scaled linearly: 5-15 per instance.
 */
export const RUNBOOK_DB_CONNECTIONS = { min: 20, max: 60, instances: 4 } as const;

/** The plan's range, or the runbook's scaled to `instances`; either is a warning-level alert outside it. */
export function dbConnectionsRange(cfg: MonitorConfig['db_connections'], instances: number): DbConnectionsRange {
  if (cfg) {
    if (cfg.min > cfg.max)
      throw new InputError(`monitor.db_connections: min ${cfg.min} is greater than max ${cfg.max}`);
    return { ...cfg, basis: 'plan monitor.db_connections' };
  }
  const r = RUNBOOK_DB_CONNECTIONS;
  const n = Math.max(1, instances);
  return {
    min: Math.round((r.min * n) / r.instances),
    max: Math.round((r.max * n) / r.instances),
    basis: `runbook ${r.min}-${r.max} for ${r.instances} instances, scaled to ${n} (${r.min / r.instances}-${r.max / r.instances} each)`,
  };
}

/** The range as alert rules: a WARNING below its min or above its max, never a trigger. */
export function dbConnectionsAlerts(range: DbConnectionsRange): AlertRule[] {
  return [
    { metric: 'db_backends', scope: 'fleet', level: 'warning', above: range.max },
    { metric: 'db_backends', scope: 'fleet', level: 'warning', below: range.min },
  ];
}

export const RUNBOOK_MONITOR = {
  interval_s: 300,
  duration_s: 3600,
  window_s: 300,
  outage: { policy: 'ignore_until' as OutagePolicy, max_consecutive_unmeasured: 3 },
};

function defaultScope(metric: Metric, scope: Scope | undefined): Scope {
  if (DB_METRICS.has(metric)) {
    if (scope === 'each_instance')
      throw new InputError(`monitor: ${metric} is measured at the database; its scope can only be "fleet"`);
    return 'fleet';
  }
  return scope ?? (metric === 'error_rate' ? 'fleet' : 'each_instance');
}

/** Overrides that come from flags (they win over the config file, which wins over the defaults). */
export interface MonitorOverrides {
  interval_s?: number;
  duration_s?: number;
  window_s?: number;
  sustained_s?: number;
  min_samples?: number;
  p0_file?: string;
  p0_url?: string;
  db_cpu_command?: string;
  db_cpu_pid_file?: string;
  outage?: OutagePolicy;
  max_consecutive_unmeasured?: number;
  fleet_p95?: 'max' | 'traffic_weighted';
  /** How many instances the run watches: scales the runbook's DB connection range (default its four). */
  instances?: number;
}

/** Apply the runbook's defaults to a (schema-valid) config and the flags; reject combinations no schema can. */
export function resolveMonitorConfig(cfg: MonitorConfig = {}, o: MonitorOverrides = {}): ResolvedMonitorConfig {
  const dbConnections = dbConnectionsRange(cfg.db_connections, o.instances ?? RUNBOOK_DB_CONNECTIONS.instances);
  const alerts = [
    ...(cfg.alerts ?? RUNBOOK_ALERTS).map((a) => ({ ...a, scope: defaultScope(a.metric, a.scope) })),
    ...dbConnectionsAlerts(dbConnections),
  ];
  const triggers = (cfg.triggers ?? RUNBOOK_TRIGGERS).map((tr) => ({
    ...tr,
    scope: defaultScope(tr.metric, tr.scope),
    sustained_s: o.sustained_s ?? tr.sustained_s,
    min_samples: o.min_samples ?? tr.min_samples ?? 2,
  }));
  const blind = alerts.findIndex((a) => a.above === undefined && a.below === undefined);
  if (blind >= 0)
    throw new InputError(`monitor.alerts[${blind}] (${alerts[blind]!.metric}): give above, below or both`);
  const names = new Set<string>();
  for (const tr of triggers) {
    if (names.has(tr.name)) throw new InputError(`monitor: trigger name "${tr.name}" appears twice`);
    names.add(tr.name);
  }
  const resolved: ResolvedMonitorConfig = {
    interval_s: o.interval_s ?? cfg.interval_s ?? RUNBOOK_MONITOR.interval_s,
    duration_s: o.duration_s ?? cfg.duration_s ?? RUNBOOK_MONITOR.duration_s,
    window_s: o.window_s ?? cfg.window_s ?? RUNBOOK_MONITOR.window_s,
    fleet_p95: o.fleet_p95 ?? cfg.fleet_p95 ?? 'max',
    alerts,
    triggers,
    p0: stripUndefined({ file: o.p0_file ?? cfg.p0?.file, url: o.p0_url ?? cfg.p0?.url }),
    // A source named on the command line replaces the configured one whole (a --db-cpu-pid-file is on this host).
    db_cpu:
      o.db_cpu_command !== undefined || o.db_cpu_pid_file !== undefined
        ? stripUndefined({ command: o.db_cpu_command, pid_file: o.db_cpu_pid_file })
        : stripUndefined({ command: cfg.db_cpu?.command, pid_file: cfg.db_cpu?.pid_file, host: cfg.db_cpu?.host }),
    outage: {
      policy: o.outage ?? cfg.outage?.policy ?? RUNBOOK_MONITOR.outage.policy,
      max_consecutive_unmeasured:
        o.max_consecutive_unmeasured ??
        cfg.outage?.max_consecutive_unmeasured ??
        RUNBOOK_MONITOR.outage.max_consecutive_unmeasured,
    },
    db_connections: dbConnections,
  };
  if (!(resolved.interval_s > 0)) throw new InputError('monitor: interval must be > 0');
  if (resolved.duration_s < resolved.interval_s) {
    throw new InputError(
      `monitor: duration (${resolved.duration_s}s) is shorter than one interval (${resolved.interval_s}s)`,
    );
  }
  // a trigger that cannot fire inside the run would let the run pass without ever judging it
  const idle = resolved.triggers.filter((tr) => tr.sustained_s > resolved.duration_s);
  if (idle.length) {
    throw new InputError(
      `monitor: ${idle.map((tr) => `${tr.name} (sustained ${tr.sustained_s}s)`).join(', ')} can never fire within duration ${resolved.duration_s}s: ` +
        'lengthen --duration or shorten the sustain (--sustained)',
    );
  }
  if (resolved.db_cpu.host && !resolved.db_cpu.pid_file) {
    throw new InputError('monitor: db_cpu.host names the database host whose pid_file is read: give pid_file too');
  }
  if (resolved.db_cpu.command && resolved.db_cpu.pid_file) {
    throw new InputError('monitor: give one DB CPU source, --db-cpu-command or --db-cpu-pid-file, not both');
  }
  if (!Number.isInteger(resolved.outage.max_consecutive_unmeasured) || resolved.outage.max_consecutive_unmeasured < 1) {
    throw new InputError('monitor: max consecutive unmeasured samples must be an integer >= 1');
  }
  return resolved;
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
