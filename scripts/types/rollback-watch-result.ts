/* Generated from schemas/rollback-watch-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * post_rollback_watch_<ts>.json, written by poolgate rollback-watch: the runbook's rollback step 4, 'Monitor for 15 minutes - verify metrics return to baseline'. The fleet sampled after the rollback (every sample in post_rollback_samples.jsonl) and judged against the pre-change snapshot (scripts/lib/judge/return-to-baseline.ts). returned: every figure within its tolerance (exit 0); not_returned: one is outside (exit 1, a P1 incident); could_not_measure: one could not be compared (exit 3, never 'returned').
 */
export interface RollbackWatchResult {
  kind: 'rollback_watch';
  run_id?: string;
  started_at: string;
  ended_at: string;
  baseline: {
    /**
     * The pre-change snapshot judged against.
     */
    file: string;
    taken_at: string;
    /**
     * The baseline's worst instance for each figure; the pools every instance ran.
     */
    figures: {
      error_rate: number | null;
      p95_ms: number | null;
      pool_utilization: number | null;
      acquire_wait_p95_ms: number | null;
      db_connections: number | null;
      pools: {
        [k: string]: {
          min: number;
          max: number;
        };
      };
    };
  };
  config: {
    duration_s: number;
    interval_s: number;
    settle_s: number;
    tolerance: Tolerance;
  };
  samples: {
    total: number;
    /**
     * Samples at or after settle_s.
     */
    judged: number;
    unmeasured: number;
    file: string;
  };
  checks: {
    id: string;
    label: string;
    baseline: number | null;
    value: number | null;
    limit: string | null;
    verdict: 'PASS' | 'FAIL' | 'NOT MEASURED';
    shown: string;
  }[];
  verdict: 'returned' | 'not_returned' | 'could_not_measure';
  exit_code: 0 | 1 | 3;
  message: string;
}
/**
 * How far from the baseline still counts as 'returned'. Fleet figures: error rate Σerrors/Σrequests, p95 the median of the samples' worst-instance p95, utilisation and acquire wait their highest; each compared with the baseline's worst instance.
 */
export interface Tolerance {
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
}
