/* Generated from schemas/snapshot.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * pre_change_snapshot_<ts>.json: the runbook's Step 1 and 'current configuration snapshot' — each instance's pool config in force and metrics, pg_stat_activity for the database, a log summary, who took it, when, and the inventory's git commit.
 */
export interface Snapshot {
  command: 'snapshot';
  run: Run;
  timestamp: string;
  operator: string;
  git: {
    repo: string;
    commit: string | null;
    /**
     * Uncommitted changes in the inventory repo (git status --porcelain not empty).
     */
    dirty: boolean | null;
    error: string | null;
  };
  instances: {
    name: string;
    url: string;
    error: string | null;
    pool_config: null | ServicePoolConfig;
    metrics: null | ServiceMetrics;
    /**
     * The runbook's five 'current metrics'.
     */
    summary: null | {
      active_connections: number;
      pool_utilization: number;
      acquire_wait_p95_ms: number;
      error_rate: number | null;
      /**
       * Which requests the error rate covers (a window, or since the process started).
       */
      error_rate_basis: string;
      /**
       * null when the service saw no request in its latency window.
       */
      latency_p95_ms: number | null;
      /**
       * The instance's request rate over the snapshot's window (two readings of requests.total): the baseline traffic a load test is compared with. null when the window's counters are not usable (one reading, a restart); absent in snapshots taken before it was recorded.
       */
      requests_per_s?: number | null;
    };
  }[];
  database: null | {
    database: string;
    error: string | null;
    activity?: Activity;
    max_connections?: number;
  };
  logs: (LogSummary | LogError)[];
  /**
   * False when something could not be measured (the errors say what).
   */
  complete: boolean;
  exit_code: 0 | 3;
}
export interface Run {
  run_id?: string;
  started_at: string;
  finished_at: string;
  operator: string;
  poolgate_version: string;
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
/**
 * GET /api/health/metrics. Counters are cumulative since the process started (a sampler computes exact rates between two samples; a lower value or a new pid means a restart). Percentiles cover a recent window.
 */
export interface ServiceMetrics {
  timestamp: string;
  instance: string;
  pid: number;
  uptime_s: number;
  /**
   * Length of the percentile window in seconds.
   */
  window_s?: number;
  requests: {
    /**
     * API requests completed (health and metrics endpoints excluded).
     */
    total: number;
    /**
     * Of those, answered 5xx or failed.
     */
    errors: number;
    in_flight: number;
  };
  latency: Percentiles;
  pool: {
    max: number;
    min: number;
    /**
     * Connections open now (all pools, including one draining after a reload).
     */
    total: number;
    idle: number;
    /**
     * Connections checked out now (total - idle).
     */
    active: number;
    /**
     * Requests queued for a connection now.
     */
    waiting: number;
    /**
     * active / max of the pool in force, 0..1 (may exceed 1 briefly while an old pool drains).
     */
    utilization: number;
    acquire_wait_ms: Percentiles1;
    /**
     * Cumulative successful acquisitions.
     */
    acquires: number;
    /**
     * Cumulative ms connections were held (Little's law: busy = rate x mean hold).
     */
    hold_ms_sum: number;
    /**
     * Cumulative acquisitions that gave up after acquireTimeoutMillis.
     */
    acquire_timeouts: number;
    /**
     * Cumulative new connections opened.
     */
    connects: number;
    /**
     * Cumulative connections closed.
     */
    disconnects: number;
    /**
     * Cumulative pool/client errors (failed connects, idle client errors).
     */
    errors: number;
    generation: number;
  };
}
/**
 * API request latency in ms over the window.
 */
export interface Percentiles {
  /**
   * Observations in the window.
   */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}
/**
 * Time to get a connection, over the window.
 */
export interface Percentiles1 {
  /**
   * Observations in the window.
   */
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
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
