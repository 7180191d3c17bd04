/* Generated from schemas/service-metrics.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Count } from './evidence-common';

/**
 * This interface was referenced by `ServiceMetrics`'s JSON-Schema
 * via the `definition` "ms".
 */
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
    total: Count;
    /**
     * Of those, answered 5xx or failed.
     */
    errors: Count;
    in_flight: Count;
  };
  /**
   * API request latency in ms over the window.
   */
  latency: Percentiles;
  pool: {
    max: Count;
    min: Count;
    /**
     * Connections open now (all pools, including one draining after a reload).
     */
    total: Count;
    idle: Count;
    /**
     * Connections checked out now (total - idle).
     */
    active: Count;
    /**
     * Requests queued for a connection now.
     */
    waiting: Count;
    /**
     * active / max of the pool in force, 0..1 (may exceed 1 briefly while an old pool drains).
     */
    utilization: number;
    /**
     * Time to get a connection, over the window.
     */
    acquire_wait_ms: Percentiles;
    /**
     * Cumulative successful acquisitions.
     */
    acquires: Count;
    /**
     * Cumulative ms connections were held (Little's law: busy = rate x mean hold).
     */
    hold_ms_sum: Ms;
    /**
     * Cumulative acquisitions that gave up after acquireTimeoutMillis.
     */
    acquire_timeouts: Count;
    /**
     * Cumulative new connections opened.
     */
    connects: Count;
    /**
     * Cumulative connections closed.
     */
    disconnects: Count;
    /**
     * Cumulative pool/client errors (failed connects, idle client errors).
     */
    errors: Count;
    generation: number;
  };
}
/**
 * This interface was referenced by `ServiceMetrics`'s JSON-Schema
 * via the `definition` "percentiles".
 */
export interface Percentiles {
  /**
   * Observations in the window.
   */
  count: Count;
  p50: Ms;
  p95: Ms;
  p99: Ms;
  max: Ms;
}
