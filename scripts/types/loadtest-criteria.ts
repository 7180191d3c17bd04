/* Generated from schemas/loadtest-criteria.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

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
   * Highest pool utilisation of any instance by either measure: the per-interval mean (busy connection-time / (interval x max), from the cumulative hold_ms_sum; catches bursts between samples) or the sampled active/max.
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
   * The load test's achieved arrival rate must be at least this percentage of the baseline's measured traffic rate (load_level in the load-test result, from the pre-change snapshot): below it, the test did not load the pool as production traffic does.
   */
  min_load_vs_baseline_pct?: number;
  /**
   * How a load below min_load_vs_baseline_pct is judged: warn (the analysis still passes, with a warning) or fail. With fail, a load test that was not compared with a baseline at all could not be measured.
   */
  load_below_baseline?: 'warn' | 'fail';
  /**
   * When true, pool criteria without samples are "could not measure" (exit 3); when false they are skipped.
   */
  require_pool_metrics?: boolean;
}
