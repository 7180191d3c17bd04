/* Generated from schemas/loadtest-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Count } from './evidence-common';

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
    /**
     * What was sent: the scenario, where it came from, and each request with the weight in force (after any mix).
     */
    scenario: {
      name: string;
      file: string | null;
      sha256: string | null;
      /**
       * The value of the scenario's {{run_id}}: the plan's run_id, or adhoc-<start time> (so a run's writes can be found).
       */
      run_id: string;
      /**
       * Whether the target was marked as allowing writes.
       */
      allow_writes: boolean;
      requests: {
        name: string;
        method: string;
        /**
         * As written in the scenario, templates included.
         */
        path: string;
        weight: number;
        writes: boolean;
        expect: number[];
      }[];
    };
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
    /**
     * The multiple of the baseline's traffic the rate was derived from; null without a baseline or in a closed loop.
     */
    baseline_factor: number | null;
    concurrency: number;
    timeout_ms: number;
    grace_ms: number;
    warmup: boolean;
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
    scheduled: Count;
    sent: Count;
    /**
     * Answered with one of the request's expected statuses.
     */
    ok: Count;
    failed: Count;
    /**
     * Scheduled but never sent before the hard stop.
     */
    dropped: Count;
    /**
     * Sends that found `concurrency` requests in flight at their intended time and had to wait.
     */
    delayed_sends: Count;
    /**
     * In flight at the hard stop (counted as timeouts).
     */
    aborted_in_flight: Count;
    /**
     * Per scenario request, by its name.
     */
    by_request: {
      [k: string]: EndpointCounts;
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
  /**
   * The load the test put on the service against the traffic the pre-change snapshot measured (docs/load-test.md): a test at a fraction of normal traffic is no test of the pool.
   */
  load_level: {
    baseline: null | {
      file: string;
      taken_at: string;
      /**
       * The sum of the instances' measured request rates.
       */
      requests_per_s: number;
      instances: {
        name: string;
        /**
         * null: not measured (the snapshot says why); left out of the sum.
         */
        requests_per_s: number | null;
      }[];
    };
    /**
     * The load test's own rate: achieved sends per second (open loop) or throughput (closed loop).
     */
    achieved_per_s: number | null;
    /**
     * achieved_per_s / the baseline's requests_per_s; null without a baseline, or when the baseline measured no traffic.
     */
    ratio: number | null;
  };
  latency_ms: {
    /**
     * From the request's intended send time to its answer (includes any wait for a free connection).
     */
    from_intended: HistogramPercentiles;
    /**
     * From the actual send to the answer (what a closed-loop tool reports).
     */
    from_send: HistogramPercentiles;
  };
  /**
   * Actual send minus intended send time.
   */
  send_delay_ms: HistogramPercentiles;
  /**
   * Per scenario request that declares a capture, by its name: the field's value from each successful answer, so a test can check that every acknowledged write is in the database exactly once.
   */
  captures: {
    [k: string]: {
      /**
       * The dotted path of the field.
       */
      json: string;
      /**
       * In the order the answers came (at most 50,000).
       */
      values: (number | string)[];
      /**
       * Successful answers whose body had no such field (a number or a non-empty string).
       */
      missing: Count;
      /**
       * Successful answers past the cap, not parsed.
       */
      not_kept: Count;
    };
  };
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
      restarts: Count;
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
      waiting_longest_streak: Count;
      acquire_timeouts_delta: Count;
      pool_errors_delta: Count;
      acquire_wait_p95_max_ms: number | null;
    }[];
  };
}
/**
 * Milliseconds, from an HDR histogram recording microseconds (1 us .. 60 s, 3 significant digits).
 *
 * This interface was referenced by `LoadtestResult`'s JSON-Schema
 * via the `definition` "percentiles".
 */
export interface HistogramPercentiles {
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
 * This interface was referenced by `LoadtestResult`'s JSON-Schema
 * via the `definition` "endpointCounts".
 */
export interface EndpointCounts {
  sent: Count;
  ok: Count;
  errors: Count;
}
