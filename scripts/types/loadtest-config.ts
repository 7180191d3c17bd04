/* Generated from schemas/loadtest-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

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
