/* Generated from schemas/monitor-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { ItemVerdict, Stop, Verdict } from './evidence-common';
import type { MonitorConfig } from './monitor-config';

/**
 * monitor_<ts>.json: the verdict of one sustained-monitoring run (poolgate monitor), what fired and why, and the figures the verification report needs. Every sample behind it is in monitor_samples.jsonl, every alert in alerts.log.
 */
export interface MonitorResult {
  kind: 'monitor';
  started_at: string;
  ended_at: string;
  /**
   * FAIL: a rollback trigger fired (`trigger`); COULD_NOT_MEASURE: monitoring itself failed (`outage`).
   */
  verdict: Verdict;
  /**
   * The verdict in one line: what fired or could not be measured, and why.
   */
  message: string;
  stop?: Stop;
  exit_code: 0 | 1 | 3;
  /**
   * The configured duration elapsed (false when a trigger or an outage stopped it early).
   */
  completed: boolean;
  /**
   * The rollback trigger that fired (verdict FAIL).
   */
  trigger?: Firing;
  outage?: {
    policy: 'fail' | 'rollback' | 'ignore_until';
    consecutive_unmeasured: number;
    limit: number;
    what: string[];
  };
  config: {
    interval_s: number;
    duration_s: number;
    window_s: number;
    fleet_p95: 'max' | 'traffic_weighted';
    alerts: NonNullable<MonitorConfig['alerts']>;
    triggers: NonNullable<MonitorConfig['triggers']>;
    p0: NonNullable<MonitorConfig['p0']>;
    db_cpu: NonNullable<MonitorConfig['db_cpu']>;
    outage: {
      policy: 'fail' | 'rollback' | 'ignore_until';
      max_consecutive_unmeasured: number;
    };
    /**
     * Whether the database was probed for backends and sessions.
     */
    db_probe: boolean;
    db_connections?: DbConnectionsRange;
  };
  targets: string[];
  samples: {
    total: number;
    /**
     * Samples where something could not be measured.
     */
    unmeasured: number;
    /**
     * Instance intervals dropped for a counter reset (restart).
     */
    dropped_intervals: number;
  };
  alerts: {
    warning: number;
    critical: number;
    /**
     * The last 50 alerts (all are in alerts.log).
     */
    recent: Alert[];
  };
  summary: {
    requests: number;
    errors: number;
    /**
     * Σ errors / Σ requests over the whole run (null without traffic).
     */
    error_rate: number | null;
    acquire_timeouts: number;
    /**
     * Fleet p95 per sample.
     */
    p95_ms: Stat;
    /**
     * Fleet (max over instances) utilisation per sample.
     */
    pool_utilization: Stat;
    acquire_wait_p95_ms: Stat;
    /**
     * Σ pool active per sample.
     */
    active_connections: Stat;
    db_backends: Stat;
    new_backends_per_s: Stat;
    db_cpu_pct: Stat;
    /**
     * The last pool max each instance reported.
     */
    pool_max: {
      [k: string]: number;
    };
    /**
     * Runbook Step 6 'Active DB connections (should be 20-60 under normal load)', judged: every sample's pg_stat_activity count against the range. WARN when any sample fell outside, COULD_NOT_MEASURE when no sample had a count (no database probe), else PASS: an item verdict that is shown and never decides (scripts/lib/verdict.ts).
     */
    db_connections?: {
      min: number;
      max: number;
      basis: string;
      lowest: number | null;
      highest: number | null;
      measured_samples: number;
      outside_samples: number;
      verdict: ItemVerdict;
    };
  };
  windows?: Window[];
  files: {
    samples: string;
    alerts: string;
  };
}
/**
 * This interface was referenced by `MonitorResult`'s JSON-Schema
 * via the `definition` "alert".
 */
export interface Alert {
  at: string;
  level: 'warning' | 'critical';
  metric: string;
  /**
   * Instance name, or 'fleet'.
   */
  subject: string;
  value: number;
  threshold: number;
  /**
   * Whether the value was above the threshold (absent: above) or below a floor.
   */
  direction?: 'above' | 'below';
}
/**
 * This interface was referenced by `MonitorResult`'s JSON-Schema
 * via the `definition` "stat".
 */
export interface Stat {
  max: number | null;
  mean: number | null;
  last: number | null;
  measured_samples: number;
}
/**
 * This interface was referenced by `MonitorResult`'s JSON-Schema
 * via the `definition` "firing".
 */
export interface Firing {
  name: string;
  metric: string;
  subject: string;
  value: number | null;
  threshold: number | null;
  sustained_s: number;
  run_samples: number;
  run_span_s: number;
  message: string;
}
/**
 * This interface was referenced by `MonitorResult`'s JSON-Schema
 * via the `definition` "window".
 */
export interface Window {
  index: number;
  from: string;
  to: string;
  samples: number;
  unmeasured: number;
  /**
   * PASS; WARN: alerts but no trigger; FAIL: a trigger fired; COULD_NOT_MEASURE.
   */
  verdict: ItemVerdict;
  p95_ms_max: number | null;
  error_rate: number | null;
  pool_utilization_max: number | null;
  alerts: number;
}
/**
 * The active DB connections range judged (a warning-level alert outside it).
 *
 * This interface was referenced by `MonitorResult`'s JSON-Schema
 * via the `definition` "db_connections_range".
 */
export interface DbConnectionsRange {
  min: number;
  max: number;
  /**
   * Where the range comes from: the plan, or the runbook's 20-60 scaled to the fleet.
   */
  basis: string;
}
