/* Generated from schemas/verify-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * Evidence of `poolgate verify` (verify_<ts>.json and its --json output): the runbook's Step 4, every item with its measured value and verdict.
 */
export interface VerifyResult {
  command: 'verify';
  run: Run;
  /**
   * FAIL if any item failed; else UNKNOWN if any could not be measured; else PASS (WARN items do not fail).
   */
  verdict: 'PASS' | 'FAIL' | 'UNKNOWN';
  exit_code: 0 | 1 | 3;
  items: Item[];
  /**
   * The pool every instance must report (keys absent are not checked).
   */
  expected: {
    min?: number;
    max?: number;
    idleTimeoutMillis?: number;
    connectionTimeoutMillis?: number;
    acquireTimeoutMillis?: number;
  };
  instances: {
    name: string;
    /**
     * /health status, or null when unreachable.
     */
    health: string | null;
    pool_config: null | ServicePoolConfig;
    sample: InstanceSample;
  }[];
  database: null | {
    activity: Activity;
    /**
     * Connections judged against the range (per connections.scope).
     */
    counted: number;
    range: {
      min: number;
      max: number;
    };
    new_backends: number;
    window_s: number;
  };
  logs: (LogSummary | LogError)[];
  baseline: null | {
    file: string;
    timestamp: string;
  };
  since: string;
  config: VerifyConfig;
}
export interface Run {
  run_id?: string;
  started_at: string;
  finished_at: string;
  operator: string;
  poolgate_version: string;
}
/**
 * One checklist item: what was measured, against what, and the verdict.
 */
export interface Item {
  /**
   * Stable key, e.g. error_rate:primary-1.
   */
  id: string;
  /**
   * What a person reads, e.g. 'error rate primary-1'.
   */
  item: string;
  /**
   * UNKNOWN: could not be measured (never counted as passed).
   */
  status: 'PASS' | 'FAIL' | 'WARN' | 'UNKNOWN';
  /**
   * The measured value as shown (with its unit), or why it could not be measured.
   */
  measured: string;
  /**
   * The measured number, when there is one.
   */
  value?: number | null;
  /**
   * The rule it was judged by, e.g. '< 0.1 %'.
   */
  threshold: string;
  /**
   * Why, and what to do next.
   */
  detail?: string;
}
/**
 * GET /api/health/pool-config: the pool settings in force (not the file's). Never a password or connection string.
 */
export interface ServicePoolConfig {
  /**
   * The instance's name (also its application_name in PostgreSQL).
   */
  instance: string;
  pool: PoolConfig;
  /**
   * Path of the config file the pool in force was built from.
   */
  source: string;
  /**
   * sha256 of the config file's bytes as loaded.
   */
  sha256: string;
  loaded_at: string;
  /**
   * 1 at start; +1 at each successful reload.
   */
  generation: number;
  /**
   * The last failed reload since the last successful one, or null.
   */
  last_reload_error: null | {
    message: string;
    at: string;
  };
  /**
   * True while an old pool is still draining after a reload.
   */
  reloading: boolean;
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
export interface InstanceSample {
  name: string;
  url: string;
  /**
   * Why it could not be measured.
   */
  error: string | null;
  rates: null | Rates;
  /**
   * The service's windowed p95 at the end of the window.
   */
  latency_p95_ms: number | null;
  /**
   * Observations behind that p95.
   */
  latency_count: number | null;
  pool?: {
    max: number;
    min: number;
    total: number;
    active: number;
    idle: number;
    waiting: number;
    utilization: number;
    acquire_wait_p95_ms: number;
  };
}
/**
 * Exact rates from two samples of an instance's cumulative counters; not usable across a restart.
 */
export interface Rates {
  usable: boolean;
  reason?: string;
  interval_s: number;
  requests: number;
  errors: number;
  error_rate: number | null;
  requests_per_s: number;
  connects: number;
  disconnects: number;
  churn_per_s: number;
  acquire_timeouts: number;
  pool_errors: number;
}
/**
 * Client backends (the probe itself excluded) from pg_stat_activity.
 */
export interface Activity {
  db_total: number;
  db_by_state: {
    [k: string]: number;
  };
  db_by_application: {
    [k: string]: number;
  };
  server_total: number;
}
export interface LogSummary {
  name: string;
  path: string;
  since: string | null;
  lines_read: number;
  unparsed: number;
  pool_lines: number;
  error_lines: number;
  last: LogLine[];
  last_errors: LogLine[];
  truncated: boolean;
}
export interface LogLine {
  time: string | null;
  level: string;
  msg: string;
}
export interface LogError {
  name: string;
  path: string;
  error: string;
}
/**
 * The thresholds in force (defaults filled in).
 */
export interface VerifyConfig {
  /**
   * Sample window for rates (error rate, pool churn, new backends).
   */
  window_s?: number;
  /**
   * Runbook 'Expected: 20-40 (min pool size + active queries)'. Default range: Σ expected min over the instances .. Σ min + allowance.
   */
  connections?: {
    /**
     * Lowest expected count (default Σ expected pool min).
     */
    min?: number;
    /**
     * Highest expected count (default Σ min + allowance).
     */
    max?: number;
    /**
     * Active queries on top of the pre-warmed minimum (default Σ min, which gives the runbook's 20-40 for one instance).
     */
    allowance?: number;
    /**
     * instances: backends whose application_name is an instance name; database: every client backend of the database.
     */
    scope?: 'instances' | 'database';
    /**
     * Fewer than min: pg.Pool's min does not pre-open connections, so an idle fleet may sit below it.
     */
    below_min?: 'fail' | 'warn';
  };
  /**
   * Runbook '< 500 ms': strictly below.
   */
  max_p95_ms?: number;
  /**
   * Runbook 'Latency regression > 20 %' against the baseline snapshot fails (at exactly 20 % it passes).
   */
  max_p95_regression?: number;
  /**
   * A regression must also add at least this many ms: 2 ms → 2.5 ms is noise, not a regression.
   */
  min_regression_ms?: number;
  /**
   * Runbook 'Error rate spike > 1 %': the window's error rate minus the baseline's (0 without a baseline) above this fails.
   */
  max_error_rate_spike?: number;
  /**
   * Connection thrashing: the pools open and close connections instead of reusing them.
   */
  thrashing?: {
    /**
     * Per instance: (pool connects + disconnects) / s over the window; above fails.
     */
    max_pool_churn_per_s?: number;
    /**
     * Database: client backends started within the window (backend_start) / window; above fails.
     */
    max_new_backends_per_s?: number;
  };
  /**
   * Error log lines at or after this time are new. Default: the baseline snapshot's time, else the start of this verify.
   */
  since?: string;
  /**
   * How many of the last matching log lines the evidence keeps.
   */
  log_lines?: number;
}
