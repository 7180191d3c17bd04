/* Generated from schemas/advice.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Count } from './evidence-common';

/**
 * This interface was referenced by `Advice`'s JSON-Schema
 * via the `definition` "severity".
 */
export type AdviceSeverity = 'ok' | 'warning' | 'critical';
/**
 * This interface was referenced by `Advice`'s JSON-Schema
 * via the `definition` "nonneg".
 */
export type Nonneg = number;
/**
 * This interface was referenced by `Advice`'s JSON-Schema
 * via the `definition` "countOrNull".
 */
export type CountOrNull = number | null;

/**
 * poolgate advise: the pool size the measured workload needs (Little's law: busy connections = acquisition rate x mean hold time), bounded by the database's concurrency budget (2 x cores + spindles) and usable connection slots, compared with the planned value. Written as advice_<ts>.json.
 */
export interface Advice {
  generated_at: string;
  /**
   * The worst finding.
   */
  severity: AdviceSeverity;
  source: {
    kind: 'window' | 'snapshot';
    /**
     * Requested window (live) or the longest measured window (snapshot).
     */
    window_s: Nonneg;
    /**
     * Samples per instance.
     */
    samples: number;
    snapshot_file?: string;
  };
  parameters: {
    /**
     * The busy-connection quantile sized for (0.95).
     */
    quantile: number;
    safety_factor: number;
    /**
     * Connections above the busiest peak seen that the max never goes below.
     */
    headroom: Count;
    /**
     * Planned / recommended above this is a warning.
     */
    far_above_ratio: number;
    /**
     * Acquire-wait p95 above this means the pool made requests queue.
     */
    wait_threshold_ms: Nonneg;
  };
  database: {
    cores: number | null;
    /**
     * given: --db-cores; local: nproc of this host (--db-local).
     */
    cores_source: 'given' | 'local' | 'unknown';
    /**
     * Effective spindles (0 when the data set is cached; 1 for a typical SSD).
     */
    spindles: Nonneg;
    /**
     * 2 x cores + spindles: active connections that maximise the whole server's throughput.
     */
    concurrency_budget: CountOrNull;
    max_connections: CountOrNull;
    superuser_reserved: CountOrNull;
    /**
     * reserved_connections (PostgreSQL 16+; 0 before).
     */
    reserved: CountOrNull;
    /**
     * rolconnlimit of the app role (-1 = none).
     */
    role_conn_limit: number | null;
    /**
     * datconnlimit of the database (-1 = none).
     */
    database_conn_limit: number | null;
    /**
     * max_connections - superuser_reserved - reserved, lowered by the role/database limits.
     */
    usable_slots: CountOrNull;
    slots_source: 'given' | 'probe' | 'unknown';
  };
  fleet: {
    /**
     * Instances that hold a pool (all get the same config).
     */
    instances: number;
    /**
     * Fewest instances that carry the whole traffic at once (default: those with at least a tenth of the busiest one's rate).
     */
    serving: number;
    arrival_rate_per_s: Nonneg;
    mean_hold_ms: number | null;
    busy_avg_sum: Nonneg;
    /**
     * max(fleet busy / serving, busiest instance's busy).
     */
    busy_avg_per_instance: Nonneg;
    /**
     * max(Poisson p95 of busy_avg_per_instance, the highest active seen).
     */
    busy_p95_per_instance: Count;
    /**
     * Poisson p95 of busy_avg_sum: connections busy across the fleet at the p95 moment (what the database sees).
     */
    busy_p95_fleet: Count;
    peak_active_max: Count;
    acquire_wait_p95_ms_max: Nonneg;
  };
  /**
   * @minItems 1
   */
  instances: [AdviceInstance, ...AdviceInstance[]];
  recommended: {
    /**
     * Recommended pool max per instance.
     */
    max: number;
    /**
     * Recommended pool min per instance.
     */
    min: number;
    /**
     * fallback: no usable traffic, the current values are kept.
     */
    basis: 'measured' | 'fallback';
    /**
     * ceil(busy p95 per instance x safety factor).
     */
    want: Count;
    /**
     * Busiest peak active seen + headroom: the max never goes below it (unless the slots forbid).
     */
    floor: Count;
    /**
     * ceil(concurrency budget / serving instances).
     */
    budget_cap: CountOrNull;
    /**
     * floor(usable slots / (instances + 1)): every pool full plus one overlapping pool during a swap.
     */
    slots_cap: CountOrNull;
  };
  planned: null | {
    max: number;
    source: 'flag' | 'plan';
    ratio_to_recommended: Nonneg;
    sum_over_instances: Count;
  };
  findings: {
    severity: AdviceSeverity;
    code: string;
    message: string;
  }[];
  /**
   * The arithmetic in plain sentences, with the numbers.
   */
  explanation: string[];
}
/**
 * This interface was referenced by `Advice`'s JSON-Schema
 * via the `definition` "instance".
 */
export interface AdviceInstance {
  name: string;
  url: string;
  /**
   * measured: traffic in the window; idle: no acquisitions in the window; reset: the process restarted between samples, so its counters cannot be compared (skipped).
   */
  status: 'measured' | 'idle' | 'reset';
  /**
   * Why an instance was not measured.
   */
  reason?: string;
  /**
   * Seconds between the first and last sample (the service's own clock).
   */
  window_s: Nonneg;
  samples: number;
  current_max: Count;
  current_min: Count;
  /**
   * Acquisitions in the window (delta of the cumulative counter).
   */
  acquires: Count;
  /**
   * Acquisitions that gave up in the window.
   */
  acquire_timeouts: Count;
  /**
   * lambda: (acquires + acquire timeouts) / window, the offered rate.
   */
  arrival_rate_per_s: Nonneg;
  /**
   * W: delta hold_ms_sum / delta acquires; null without acquisitions.
   */
  mean_hold_ms: number | null;
  /**
   * L = lambda x W: connections busy on average.
   */
  busy_avg: Nonneg;
  /**
   * Connections busy at the p95 moment: max(Poisson 95th percentile of L, peak active seen).
   */
  busy_p95: Count;
  /**
   * Highest pool.active across the samples.
   */
  peak_active: Count;
  /**
   * Highest pool.waiting across the samples.
   */
  peak_waiting: Count;
  /**
   * Highest windowed acquire-wait p95 across the samples.
   */
  acquire_wait_p95_ms: Nonneg;
}
