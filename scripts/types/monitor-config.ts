/* Generated from schemas/monitor-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_cpu_pct: database CPU, 0..100 of all cores.
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
  | 'db_cpu_pct';
/**
 * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s and db_cpu_pct exist only at fleet scope.
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
   * Alert levels, judged on every sample (no sustain). Runbook: pool utilisation > 70 % warning, > 85 % critical; error rate > 0.5 % critical; p95 > 1 s critical.
   */
  alerts?: {
    metric: Metric;
    scope?: Scope;
    level: 'warning' | 'critical';
    /**
     * Alert when the value is strictly greater.
     */
    above: number;
  }[];
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
   * Where database CPU comes from: a command printing a percentage (0..100 of all cores), or, for a database on this host, the postmaster.pid file (the postmaster's and its children's CPU from /proc).
   */
  db_cpu?: {
    command?: string;
    pid_file?: string;
  };
  /**
   * What a monitoring outage (a sample where an instance, the database or a configured source could not be measured) does. fail: the first unmeasured sample ends monitoring with 'could not measure' (exit 3). ignore_until: unmeasured samples are gaps until max_consecutive_unmeasured in a row, then exit 3. rollback: like ignore_until but the limit fires the monitoring_outage trigger (exit 1).
   */
  outage?: {
    policy?: 'fail' | 'rollback' | 'ignore_until';
    max_consecutive_unmeasured?: number;
  };
}
