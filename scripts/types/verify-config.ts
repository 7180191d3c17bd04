/* Generated from schemas/verify-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * Step 4 (immediate verification) as data (plan.verify). The expected pool comes from plan.change.to (or --expect-max/--expect-min). Defaults are the runbook's values.
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
   * A restarted instance answers its first requests from cold code, and while the service's latency window (its metrics' window_s: 60 s with the agent) still holds the instance's start, its p95 carries them. A p95 that regressed against the baseline in such a window, and stays below max_p95_ms (never judged again), is read once more when the window holds only time after the instance's first warmup_s seconds, and judged on that read, if it comes within max_wait_s: Step 4 is the runbook's first 5 minutes.
   */
  warm_latency?: {
    /**
     * The instance's first seconds, which the judged window must not hold.
     */
    warmup_s?: number;
    /**
     * The longest verify waits for that read; a regression whose warm read is further away stays judged on the cold one. 0: never read again.
     */
    max_wait_s?: number;
  };
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
