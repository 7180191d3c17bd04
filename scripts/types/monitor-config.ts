/* Generated from schemas/monitor-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_backends: client backends connected to the database now (pg_stat_activity, the runbook's psql count). db_cpu_pct: database CPU, 0..100 of all cores.
 *
 * This interface was referenced by `MonitorConfig`'s JSON-Schema
 * via the `definition` "metric".
 */
export type Metric =
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
 *
 * This interface was referenced by `MonitorConfig`'s JSON-Schema
 * via the `definition` "scope".
 */
export type Scope = 'each_instance' | 'fleet';

/**
 * The runbook's Step 6 (sustained monitoring) as data: sampling cadence, alert levels, rollback triggers with their 'sustained for' windows, the P0 signal, the DB CPU source and the monitoring-outage policy. Every key is optional; the runbook's values are the defaults (scripts/lib/judge/monitor-defaults.ts). A list given here (alerts, triggers) replaces the default list whole.
 */
export interface MonitorConfig {
  /**
   * Seconds between samples (runbook: 300).
   */
  interval_s?: number;
  /**
   * How long to monitor (runbook: 3600).
   */
  duration_s?: number;
  /**
   * Length of a reporting window for --windowed (default: 300, the runbook's 5-minute capture cadence).
   */
  window_s?: number;
  /**
   * Fleet p95: max over instances (default; the worst instance's users see it), or the instances' p95 weighted by their requests in the interval (an approximation: percentiles do not average).
   */
  fleet_p95?: 'max' | 'traffic_weighted';
  /**
   * Alert levels, judged on every sample (no sustain); each rule gives above, below or both. Runbook: pool utilisation > 70 % warning, > 85 % critical; error rate > 0.5 % critical; p95 > 1 s critical.
   */
  alerts?: {
    metric: Metric;
    scope?: Scope;
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
   * Runbook Step 6, 'Active DB connections (should be 20-60 under normal load)': the client backends connected to the database (pg_stat_activity for the plan's database, the runbook's own psql count), judged on every sample as a WARNING when strictly below min or above max (never a rollback trigger), with its own line in the verification report. A range for this fleet, set per inventory. Absent: the runbook's 20-60, read as the range for a fleet of four instances and scaled linearly with the number of targets, 5-15 per instance (n instances: 5n to 15n; four: 20-60, eight: 40-120). Each instance keeps at least its pool's min open (pg-pool does not evict below min, the agent prewarms it): with the runbook's new min 20 on four instances the pools alone hold 80, above the default's 60, so set the range your fleet really runs at.
   */
  db_connections?: {
    min: number;
    max: number;
  };
  /**
   * Rollback triggers. A trigger fires when every sample of its trailing run breaches (value > above), the run spans at least sustained_s between its first and last sample, and holds at least min_samples samples. An unmeasured sample or a dropped interval (counter reset, no traffic) is not a breach and ends the run.
   */
  triggers?: {
    name: string;
    metric: Metric;
    scope?: Scope;
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
   * A P0 incident rolls back immediately (no sustain). Signalled by a file existing, or a URL answering JSON {"p0": true}.
   */
  p0?: {
    file?: string;
    url?: string;
  };
  /**
   * Where database CPU comes from: a command on the control node printing a percentage (0..100 of all cores), or the postmaster.pid file (the postmaster's and its children's CPU from /proc) — on the database host named by `host` (read over its connection in the plan's hosts, one reused SSH connection), or on the control node without `host`.
   */
  db_cpu?: {
    command?: string;
    pid_file?: string;
    /**
     * The database host (a key of the plan's hosts) whose pid_file and /proc are read.
     */
    host?: string;
  };
  /**
   * What a monitoring outage (a sample where an instance, the database or a configured source could not be measured) does. fail: the first unmeasured sample ends monitoring with 'could not measure' (exit 3). ignore_until: unmeasured samples are gaps until max_consecutive_unmeasured in a row, then exit 3. rollback: like ignore_until but the limit fires the monitoring_outage trigger (exit 1).
   */
  outage?: {
    policy?: 'fail' | 'rollback' | 'ignore_until';
    max_consecutive_unmeasured?: number;
  };
}
