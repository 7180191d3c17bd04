/* Generated from schemas/loadtest-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * A duration with a unit: 500ms, 30s, 10m, 1h, 1m30s.
 *
 * This interface was referenced by `LoadtestConfig`'s JSON-Schema
 * via the `definition` "duration".
 */
export type Duration = string;

/**
 * The synthetic load test (runbook Step 5; the plan's `loadtest` section, flags override). What is sent comes from a scenario file (loadtest-scenario.schema.json). The runbook's `--requests 500 --concurrency 50 --duration 10m` is read as (docs/load-test.md): an open loop that runs for `duration` at a sustained arrival rate with at most `concurrency` requests in flight, sending at least `requests`; the rate is the larger of requests/duration and `baseline_factor` times the traffic the pre-change snapshot measured (loadtest --baseline), so the test puts the pool under real load, not under 0.83 requests per second. A send that finds `concurrency` in flight waits, and its latency still counts from its intended send time. Closed loop: `concurrency` workers send back to back until `requests` or `duration` is reached. Runbook defaults: 500 requests, concurrency 50, 10m.
 */
export interface LoadtestConfig {
  /**
   * Where client traffic enters (e.g. the load balancer's frontend); defaults to the plan's lb.url.
   */
  url?: string;
  /**
   * The scenario file (YAML or JSON, loadtest-scenario.schema.json) whose requests the load test sends; a relative path is read from the current directory. Required: poolgate knows no service's API of its own.
   */
  scenario?: string;
  /**
   * Whether this target may receive the scenario's writes (its requests with `writes: true`). Without it a scenario that writes is refused (exit 2) before anything is sent: set it only where the writes land somewhere harmless (a lab, a staging database, a service whose test writes are isolated).
   */
  allow_writes?: boolean;
  /**
   * Weights that replace the scenario's: request name → weight, and a request not named gets 0 (is not sent). Default: the scenario's own weights.
   */
  mix?: {
    [k: string]: number;
  };
  mode?: 'open' | 'closed';
  requests?: number;
  duration?: Duration;
  /**
   * Open loop arrival rate in requests/s; with `requests` and `duration` two of the three are enough. An explicit rate wins over the baseline-derived one.
   */
  rate?: number;
  /**
   * With a baseline (loadtest --baseline <pre_change_snapshot.json>), the open loop's sustained rate is at least this multiple of the traffic the snapshot measured (the sum of its instances' requests_per_s), on top of the real traffic that keeps flowing; `requests` then only sets the minimum sample. 1 (default): as much synthetic traffic again as the fleet serves.
   */
  baseline_factor?: number;
  concurrency?: number;
  /**
   * Per-request timeout (headers and body).
   */
  timeout?: Duration;
  /**
   * How long after `duration` in-flight requests may still finish before the hard stop; defaults to `timeout`.
   */
  grace?: Duration;
  /**
   * Open every connection (GET /health) before the clock starts.
   */
  warmup?: boolean;
  /**
   * How often each target's /api/health/metrics is sampled during the run.
   */
  sample_interval?: Duration;
}
