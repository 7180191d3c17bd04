/* Generated from schemas/loadtest-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

export type Count = number;

/**
 * Evidence written by `poolgate loadtest`: what was asked, what was sent, how the service answered, and what its pools did meanwhile. Latency is reported twice: from each request's intended send time (coordinated-omission corrected; a stall shows) and from its actual send.
 */
export interface LoadtestResult {
  kind: 'loadtest';
  tool: {
    name: 'poolgate';
    version: string;
  };
  run_id?: string;
  started_at: string;
  finished_at: string;
  elapsed_ms: number;
  /**
   * The configuration in force, every default resolved.
   */
  config: {
    url: string;
    mode: 'open' | 'closed';
    /**
     * Request budget (null: closed loop bounded by duration only).
     */
    requests: number | null;
    duration_ms: number;
    /**
     * Target arrival rate (open loop); null for closed loop.
     */
    rate_per_s: number | null;
    concurrency: number;
    timeout_ms: number;
    grace_ms: number;
    warmup: boolean;
    mix: {
      balance: number;
      accounts: number;
      write: number;
    };
    account_ids: {
      first: number;
      last: number;
    };
    /**
     * Instances sampled (name=url).
     */
    targets: string[];
    sample_interval_ms: number;
  };
  outcome: {
    /**
     * completed: every scheduled request answered; requests/duration: a closed loop reached its bound; hard_stop: duration + grace passed with work left; interrupted: stopped by a signal (SIGINT/SIGTERM); unreachable: no connection could be opened.
     */
    stop_reason: 'completed' | 'requests' | 'duration' | 'hard_stop' | 'interrupted' | 'unreachable';
    /**
     * At least one HTTP answer (any status) came back.
     */
    target_reachable: boolean;
    warmup_ms: number;
    warmup_failures: Count;
  };
  requests: {
    /**
     * Requests the schedule called for (open loop); equals sent for a closed loop.
     */
    scheduled: number;
    sent: Count;
    /**
     * Answered with the expected status (200 reads, 201 writes).
     */
    ok: number;
    failed: Count;
    /**
     * Scheduled but never sent before the hard stop.
     */
    dropped: number;
    /**
     * Sends that found `concurrency` requests in flight at their intended time and had to wait.
     */
    delayed_sends: number;
    /**
     * In flight at the hard stop (counted as timeouts).
     */
    aborted_in_flight: number;
    by_endpoint: {
      balance: EndpointCounts;
      accounts: EndpointCounts;
      write: EndpointCounts;
    };
  };
  errors: {
    total: Count;
    /**
     * failed / sent in percent (null when nothing was sent).
     */
    rate_pct: number | null;
    by_kind: {
      [k: string]: Count;
    };
    /**
     * The first distinct error messages (at most 10), for diagnosis.
     */
    examples?: string[];
  };
  rate: {
    target_per_s: number | null;
    /**
     * (sent - 1) / (last send - first send).
     */
    achieved_send_per_s: number | null;
    /**
     * Answers (any status) per second of the run.
     */
    throughput_per_s: number | null;
  };
  latency_ms: {
    from_intended: Percentiles;
    from_send: Percentiles1;
  };
  send_delay_ms: Percentiles2;
  /**
   * The first (at most 100) journal entry ids the service acknowledged (201), to check they are in the database.
   */
  created_ids: (number | string)[];
  pool: {
    sampled: boolean;
    interval_ms: number;
    instances: {
      name: string;
      url: string;
      samples: Count;
      failed_samples: Count;
      pool_max: number | null;
      /**
       * pid changes or counter resets seen.
       */
      restarts: number;
      /**
       * Highest mean utilisation over one sampling interval (delta hold_ms_sum / (delta t x max)), capped at 100 % (hold time is credited at release, so one long hold can land in a single interval).
       */
      utilization_peak_interval_pct: number | null;
      /**
       * Highest instantaneous active/max sampled.
       */
      utilization_peak_sample_pct: number | null;
      /**
       * Mean utilisation over the whole sampled span.
       */
      utilization_mean_pct: number | null;
      waiting_max: number | null;
      /**
       * Most consecutive samples with waiting > 0.
       */
      waiting_longest_streak: number;
      acquire_timeouts_delta: Count;
      pool_errors_delta: Count;
      acquire_wait_p95_max_ms: number | null;
    }[];
  };
}
export interface EndpointCounts {
  sent: Count;
  ok: Count;
  errors: Count;
}
/**
 * From the request's intended send time to its answer (includes any wait for a free connection).
 */
export interface Percentiles {
  count: Count;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}
/**
 * From the actual send to the answer (what a closed-loop tool reports).
 */
export interface Percentiles1 {
  count: Count;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}
/**
 * Actual send minus intended send time.
 */
export interface Percentiles2 {
  count: Count;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
}
