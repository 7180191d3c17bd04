/* Generated from schemas/monitor-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * Alert levels, judged on every sample (no sustain); each rule gives above, below or both. Runbook: pool utilisation > 70 % warning, > 85 % critical; error rate > 0.5 % critical; p95 > 1 s critical.
 */
export type Alerts = {
  /**
   * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_backends: client backends connected to the database now (pg_stat_activity, the runbook's psql count). db_cpu_pct: database CPU, 0..100 of all cores.
   */
  metric:
    | 'error_rate'
    | 'p95_ms'
    | 'pool_utilization'
    | 'acquire_wait_p95_ms'
    | 'churn_per_s'
    | 'new_backends_per_s'
    | 'db_backends'
    | 'db_cpu_pct';
  /**
   * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s, db_backends and db_cpu_pct exist only at fleet scope.
   */
  scope?: 'each_instance' | 'fleet';
  level: 'warning' | 'critical';
  /**
   * Alert when the value is strictly greater.
   */
  above?: number;
  /**
   * Alert when the value is strictly lower (a floor, e.g. the DB connection range).
   */
  below?: number;
}[];
/**
 * Rollback triggers. A trigger fires when every sample of its trailing run breaches (value > above), the run spans at least sustained_s between its first and last sample, and holds at least min_samples samples. An unmeasured sample or a dropped interval (counter reset, no traffic) is not a breach and ends the run.
 */
export type Triggers = {
  name: string;
  /**
   * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_backends: client backends connected to the database now (pg_stat_activity, the runbook's psql count). db_cpu_pct: database CPU, 0..100 of all cores.
   */
  metric:
    | 'error_rate'
    | 'p95_ms'
    | 'pool_utilization'
    | 'acquire_wait_p95_ms'
    | 'churn_per_s'
    | 'new_backends_per_s'
    | 'db_backends'
    | 'db_cpu_pct';
  /**
   * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s, db_backends and db_cpu_pct exist only at fleet scope.
   */
  scope?: 'each_instance' | 'fleet';
  above: number;
  /**
   * 0 = fire on the first breaching sample.
   */
  sustained_s: number;
  /**
   * Default 2.
   */
  min_samples?: number;
}[];

/**
 * monitor_<ts>.json: the verdict of one sustained-monitoring run (poolgate monitor), what fired and why, and the figures the verification report needs. Every sample behind it is in monitor_samples.jsonl, every alert in alerts.log.
 */
export interface MonitorResult {
  kind: 'monitor';
  started_at: string;
  ended_at: string;
  verdict: 'passed' | 'triggered' | 'could_not_measure';
  exit_code: 0 | 1 | 3;
  /**
   * The configured duration elapsed (false when a trigger or an outage stopped it early).
   */
  completed: boolean;
  message?: string;
  trigger?: Firing;
  outage?: {
    policy: 'fail' | 'rollback' | 'ignore_until';
    consecutive_unmeasured: number;
    limit: number;
    what: string[];
  };
  config: {
    interval_s: number;
    duration_s: number;
    window_s: number;
    fleet_p95: 'max' | 'traffic_weighted';
    alerts: Alerts;
    triggers: Triggers;
    p0: P0;
    db_cpu: DbCpu;
    outage: {
      policy: 'fail' | 'rollback' | 'ignore_until';
      max_consecutive_unmeasured: number;
    };
    /**
     * Whether the database was probed for backends and sessions.
     */
    db_probe: boolean;
    db_connections?: DbConnectionsRange;
  };
  targets: string[];
  samples: {
    total: number;
    /**
     * Samples where something could not be measured.
     */
    unmeasured: number;
    /**
     * Instance intervals dropped for a counter reset (restart).
     */
    dropped_intervals: number;
  };
  alerts: {
    warning: number;
    critical: number;
    /**
     * The last 50 alerts (all are in alerts.log).
     */
    recent: Alert[];
  };
  summary: {
    requests: number;
    errors: number;
    /**
     * Σ errors / Σ requests over the whole run (null without traffic).
     */
    error_rate: number | null;
    acquire_timeouts: number;
    p95_ms: Stat;
    pool_utilization: Stat1;
    acquire_wait_p95_ms: Stat2;
    active_connections: Stat3;
    db_backends: Stat2;
    new_backends_per_s: Stat2;
    db_cpu_pct: Stat2;
    /**
     * The last pool max each instance reported.
     */
    pool_max: {
      [k: string]: number;
    };
    /**
     * Runbook Step 6 'Active DB connections (should be 20-60 under normal load)', judged: every sample's pg_stat_activity count against the range. WARNING when any sample fell outside, NOT MEASURED when no sample had a count (no database probe).
     */
    db_connections?: {
      min: number;
      max: number;
      basis: string;
      lowest: number | null;
      highest: number | null;
      measured_samples: number;
      outside_samples: number;
      verdict: 'OK' | 'WARNING' | 'NOT MEASURED';
    };
  };
  windows?: Window[];
  files: {
    samples: string;
    alerts: string;
  };
}
/**
 * The rollback trigger that fired (verdict triggered).
 */
export interface Firing {
  name: string;
  metric: string;
  subject: string;
  value: number | null;
  threshold: number | null;
  sustained_s: number;
  run_samples: number;
  run_span_s: number;
  message: string;
}
/**
 * A P0 incident rolls back immediately (no sustain). Signalled by a file existing, or a URL answering JSON {"p0": true}.
 */
export interface P0 {
  file?: string;
  url?: string;
}
/**
 * Where database CPU comes from: a command on the control node printing a percentage (0..100 of all cores), or the postmaster.pid file (the postmaster's and its children's CPU from /proc) — on the database host named by `host` (read over its connection in the plan's hosts, one reused SSH connection), or on the control node without `host`.
 */
export interface DbCpu {
  command?: string;
  pid_file?: string;
  /**
   * The database host (a key of the plan's hosts) whose pid_file and /proc are read.
   */
  host?: string;
}
/**
 * The active DB connections range judged (a warning-level alert outside it).
 */
export interface DbConnectionsRange {
  min: number;
  max: number;
  /**
   * Where the range comes from: the plan, or the runbook's 20-60 scaled to the fleet.
   */
  basis: string;
}
export interface Alert {
  at: string;
  level: 'warning' | 'critical';
  metric: string;
  /**
   * Instance name, or 'fleet'.
   */
  subject: string;
  value: number;
  threshold: number;
  /**
   * Whether the value was above the threshold (absent: above) or below a floor.
   */
  direction?: 'above' | 'below';
}
/**
 * Fleet p95 per sample.
 */
export interface Stat {
  max: number | null;
  mean: number | null;
  last: number | null;
  measured_samples: number;
}
/**
 * Fleet (max over instances) utilisation per sample.
 */
export interface Stat1 {
  max: number | null;
  mean: number | null;
  last: number | null;
  measured_samples: number;
}
export interface Stat2 {
  max: number | null;
  mean: number | null;
  last: number | null;
  measured_samples: number;
}
/**
 * Σ pool active per sample.
 */
export interface Stat3 {
  max: number | null;
  mean: number | null;
  last: number | null;
  measured_samples: number;
}
export interface Window {
  index: number;
  from: string;
  to: string;
  samples: number;
  unmeasured: number;
  verdict: 'ok' | 'alerts' | 'triggered' | 'could_not_measure';
  p95_ms_max: number | null;
  error_rate: number | null;
  pool_utilization_max: number | null;
  alerts: number;
}
