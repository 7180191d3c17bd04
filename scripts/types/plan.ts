/* Generated from schemas/plan.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * @minItems 1
 */
export type Targets = [
  {
    name: string;
    /**
     * Base URL of the instance, no path.
     */
    url: string;
    role?: 'standby' | 'primary';
  },
  ...{
    name: string;
    /**
     * Base URL of the instance, no path.
     */
    url: string;
    role?: 'standby' | 'primary';
  }[]
];

/**
 * Everything one pool change needs, in one file. Ansible renders it from the inventory's group_vars into the run's evidence folder (no secrets: only password file paths); every command takes it with --plan and reads the sections it needs, and flags override. Standalone users may write it by hand.
 */
export interface Plan {
  run_id?: string;
  operator?: string;
  change: PoolChange;
  targets: Targets;
  database?: DatabaseTarget;
  lb?: {
    /**
     * HAProxy admin socket path.
     */
    socket: string;
    backend: string;
    /**
     * Where client traffic enters (the load balancer's frontend).
     */
    url?: string;
  };
  preflight?: PreflightConfig;
  verify?: VerifyConfig;
  loadtest?: LoadtestConfig;
  criteria?: LoadtestCriteria;
  monitor?: MonitorConfig;
}
/**
 * The change itself: the pool config every instance runs now and the one it must run after. min <= max and the rest of the semantic rules are checked in code (scripts/lib/pool-change.ts).
 */
export interface PoolChange {
  from: PoolConfig;
  to: PoolConfig;
  /**
   * Optional intermediate pool max values to ramp through (e.g. [100]); the last step is always `to`.
   */
  steps?: number[];
}
/**
 * A node-postgres pool configuration file: exactly the runbook's five keys.
 */
export interface PoolConfig {
  /**
   * Connections kept open (pre-warmed) even when idle.
   */
  min: number;
  /**
   * Most connections the pool may open.
   */
  max: number;
  /**
   * How long a connection above min may stay idle before it is closed.
   */
  idleTimeoutMillis: number;
  /**
   * How long to wait for a new connection's handshake.
   */
  connectionTimeoutMillis: number;
  /**
   * How long a request may wait for a free connection before it fails.
   */
  acquireTimeoutMillis: number;
}
/**
 * How poolgate reaches PostgreSQL for probes. The password is read from a file (or PGPASSWORD), never passed inline.
 */
export interface DatabaseTarget {
  host: string;
  port: number;
  /**
   * The application's database (the runbook's datname).
   */
  database: string;
  /**
   * A monitoring role with pg_monitor.
   */
  user: string;
  /**
   * File holding the password (mode 0600).
   */
  password_file?: string;
  /**
   * The application's role, whose rolconnlimit the capacity gate checks.
   */
  app_user?: string;
  connect_timeout_ms?: number;
}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface PreflightConfig {}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface VerifyConfig {}
/**
 * The synthetic load test (runbook Step 5; the plan's `loadtest` section, flags override). Open loop (default): `requests` sent at the constant arrival rate requests/duration (or `rate`), at most `concurrency` in flight; a send that finds `concurrency` in flight waits, and its latency still counts from its intended send time. Closed loop: `concurrency` workers send back to back until `requests` or `duration` is reached. Runbook defaults: 500 requests, concurrency 50, 10m.
 */
export interface LoadtestConfig {
  /**
   * Where client traffic enters (e.g. the load balancer's frontend); defaults to the plan's lb.url.
   */
  url?: string;
  mode?: 'open' | 'closed';
  requests?: number;
  /**
   * A duration with a unit: 500ms, 30s, 10m, 1h, 1m30s.
   */
  duration?: string;
  /**
   * Open loop arrival rate in requests/s; with `requests` and `duration` two of the three are enough.
   */
  rate?: number;
  concurrency?: number;
  /**
   * Per-request timeout (headers and body).
   */
  timeout?: string;
  /**
   * How long after `duration` in-flight requests may still finish before the hard stop; defaults to `timeout`.
   */
  grace?: string;
  /**
   * Open every connection (GET /health) before the clock starts.
   */
  warmup?: boolean;
  /**
   * Relative weights of the endpoints: balance = GET /api/accounts/:id/balance, accounts = GET /api/accounts, write = POST /api/journal-entries; read is split evenly between balance and accounts. Default read 80, write 20.
   */
  mix?: {
    read?: number;
    balance?: number;
    accounts?: number;
    write?: number;
  };
  /**
   * Seeded account ids the requests use (default 1..20).
   */
  account_ids?: {
    first: number;
    last: number;
  };
  /**
   * How often each target's /api/health/metrics is sampled during the run.
   */
  sample_interval?: string;
}
/**
 * What `poolgate analyze` judges a load-test result against (the plan's `criteria` section; a --criteria file; flags override). Defaults are the runbook's Step 5. Every max_* limit is strict, as the runbook writes it ("p95 < 500ms"): a value exactly at the limit FAILS. "No X" criteria pass only at zero.
 */
export interface LoadtestCriteria {
  /**
   * Judge latency timed from each request's intended send time (coordinated-omission corrected, the default) or from its actual send.
   */
  latency_view?: 'intended' | 'send';
  max_p50_ms?: number;
  max_p95_ms?: number;
  max_p99_ms?: number;
  /**
   * Failed requests (any error kind) / requests sent, in percent.
   */
  max_error_rate_pct?: number;
  /**
   * Highest per-interval mean pool utilisation of any instance (busy connection-time / (interval x max), from the cumulative hold_ms_sum).
   */
  max_pool_utilization_pct?: number;
  /**
   * No connection (pool acquire) timeouts on any instance during the run.
   */
  forbid_acquire_timeouts?: boolean;
  /**
   * No pool exhaustion: requests waiting for a connection in `exhaustion_sustained_samples` consecutive samples, or a sampled utilisation >= 100 %, or acquire timeouts > 0.
   */
  forbid_pool_exhaustion?: boolean;
  /**
   * Consecutive samples with waiting > 0 that count as sustained waiting.
   */
  exhaustion_sustained_samples?: number;
  /**
   * Every request the schedule called for was sent before the hard stop.
   */
  forbid_dropped_sends?: boolean;
  /**
   * When true, pool criteria without samples are "could not measure" (exit 3); when false they are skipped.
   */
  require_pool_metrics?: boolean;
}
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
    /**
     * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_cpu_pct: database CPU, 0..100 of all cores.
     */
    metric:
      | 'error_rate'
      | 'p95_ms'
      | 'pool_utilization'
      | 'acquire_wait_p95_ms'
      | 'churn_per_s'
      | 'new_backends_per_s'
      | 'db_cpu_pct';
    /**
     * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s and db_cpu_pct exist only at fleet scope.
     */
    scope?: 'each_instance' | 'fleet';
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
    /**
     * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_cpu_pct: database CPU, 0..100 of all cores.
     */
    metric:
      | 'error_rate'
      | 'p95_ms'
      | 'pool_utilization'
      | 'acquire_wait_p95_ms'
      | 'churn_per_s'
      | 'new_backends_per_s'
      | 'db_cpu_pct';
    /**
     * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s and db_cpu_pct exist only at fleet scope.
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
