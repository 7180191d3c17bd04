/* Generated from schemas/service-metrics.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

export type Ms = number;

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
  p50: Ms;
  p95: Ms;
  p99: Ms;
  max: Ms;
}
/**
 * Time to get a connection, over the window.
 */
export interface Percentiles1 {
  /**
   * Observations in the window.
   */
  count: number;
  p50: Ms;
  p95: Ms;
  p99: Ms;
  max: Ms;
}
