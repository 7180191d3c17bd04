/* Generated from schemas/monitor-sample.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { MeasuredValue } from './evidence-common';
import type { Alert } from './monitor-result';

/**
 * first: no previous sample to difference against. unmeasured: the source did not answer. reset: the instance restarted (pid changed or a counter went down), so the interval is dropped. no_traffic: no request in the interval, so no error rate. not_configured: no source for this metric.
 *
 * This interface was referenced by `MonitorSample`'s JSON-Schema
 * via the `definition` "why".
 */
export type Why = 'first' | 'unmeasured' | 'reset' | 'no_traffic' | 'not_configured';

/**
 * One line of monitor_samples.jsonl: what every instance, the database and the P0 signal said at one sample, with the rates computed from the cumulative counters since the previous sample. A null value is not a zero: `why` says why it is missing.
 */
export interface MonitorSample {
  seq: number;
  at: string;
  elapsed_s: number;
  instances: SampleInstance[];
  fleet: {
    requests: number;
    errors: number;
    acquire_timeouts?: number;
    error_rate: MeasuredValue;
    error_rate_why?: Why;
    p95_ms: MeasuredValue;
    pool_utilization: MeasuredValue;
    acquire_wait_p95_ms: MeasuredValue;
    churn_per_s: MeasuredValue;
    /**
     * Σ pool active connections over measured instances.
     */
    active: number | null;
  };
  db: {
    /**
     * false when a configured source failed; true when every configured source answered (or none is configured).
     */
    measured: boolean;
    error?: string;
    /**
     * Client backends connected to the database (pg_stat_activity).
     */
    backends?: number | null;
    /**
     * Cumulative pg_stat_database.sessions, to difference.
     */
    sessions?: number | null;
    new_backends_per_s?: MeasuredValue;
    new_backends_why?: Why;
    cpu_pct?: MeasuredValue;
    cpu_why?: Why;
  };
  p0: {
    signalled: boolean;
    source?: string;
    /**
     * The P0 URL could not be read (the sample is unmeasured).
     */
    error?: string;
  };
  /**
   * What could not be measured in this sample (instance names, 'db', 'db_cpu', 'p0_url'). Non-empty = an unmeasured sample.
   */
  unmeasured: string[];
  alerts?: Alert[];
}
/**
 * This interface was referenced by `MonitorSample`'s JSON-Schema
 * via the `definition` "instance".
 */
export interface SampleInstance {
  name: string;
  measured: boolean;
  /**
   * Why the instance could not be measured.
   */
  error?: string;
  pid?: number;
  /**
   * Δt between this and the previous answer (the service's own timestamps).
   */
  interval_s?: MeasuredValue;
  /**
   * Why the interval rates (error_rate, churn_per_s) are null.
   */
  rate_why?: Why;
  /**
   * Δrequests in the interval (0 when dropped).
   */
  requests?: number;
  errors?: number;
  /**
   * Δ pool acquire timeouts in the interval.
   */
  acquire_timeouts?: number;
  error_rate?: MeasuredValue;
  churn_per_s?: MeasuredValue;
  p95_ms?: MeasuredValue;
  pool_utilization?: MeasuredValue;
  acquire_wait_p95_ms?: MeasuredValue;
  pool_max?: number;
  pool_min?: number;
  active?: number;
  total?: number;
  waiting?: number;
}
