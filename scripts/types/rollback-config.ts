/* Generated from schemas/rollback-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * The runbook's rollback procedure as data (plan.rollback, rendered from pool_scaling_rollback): how long a rollback may take ('Expected Rollback Time: 5-10 minutes') and its step 4, 'Monitor for 15 minutes - verify metrics return to baseline'. Every key defaults to the runbook.
 */
export interface RollbackConfig {
  /**
   * Runbook 'Expected Rollback Time: 5-10 minutes': the rollback's time, from its trigger (the failed gate's verdict, else the rollback's start) to every host read back at the old values, passes at or under this bound and fails above it (in the incident, the report and the HTML). Preflight also counts it as the time a rollback needs inside the change window.
   */
  max_s?: number;
  /**
   * The watch after a rollback (poolgate rollback-watch): the fleet sampled like the monitor, then judged against the baseline snapshot (pre_change_snapshot_<ts>.json). The samples after settle_s must be within the tolerances of the baseline; any figure outside is NOT BACK AT BASELINE (a P1 incident), a figure that cannot be compared is not judged (never passed).
   */
  watch?: {
    /**
     * Runbook: 15 minutes.
     */
    duration_s?: number;
    /**
     * Seconds between samples.
     */
    interval_s?: number;
    /**
     * The first seconds of the watch are shown but not judged: right after a reload the service's latency window and the pools' idle connections still hold the change's figures. The judged part is from settle_s to the end (it must hold at least two samples).
     */
    settle_s?: number;
    /**
     * How far from the baseline still counts as back at baseline (a PASS). Fleet figures: error rate Σerrors/Σrequests, p95 the median of the samples' worst-instance p95, utilisation and acquire wait their highest; each compared with the baseline's worst instance.
     */
    tolerance?: {
      /**
       * Error rate at most the baseline's + this many percentage points (the runbook's 0.1 %).
       */
      error_rate_pp?: number;
      /**
       * p95 at most the baseline's + this per cent (the runbook's 'latency regression > 20 %').
       */
      p95_pct?: number;
      /**
       * …and + this many ms, so a 2 ms baseline is not judged on noise.
       */
      p95_ms?: number;
      /**
       * Highest pool utilisation at most the baseline's + this many percentage points.
       */
      pool_utilization_pp?: number;
      /**
       * Highest acquire wait p95 at most the baseline's + this many ms (the runbook's 10 ms connection wait).
       */
      acquire_wait_ms?: number;
      /**
       * Median DB connections (pg_stat_activity) within ± this per cent of the baseline's…
       */
      db_connections_pct?: number;
      /**
       * …± this many connections.
       */
      db_connections_abs?: number;
    };
  };
}
