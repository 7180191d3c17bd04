/* Generated from schemas/snapshot.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Activity, LogSummary, Run } from './evidence-common';
import type { ServiceMetrics } from './service-metrics';
import type { ServicePoolConfig } from './service-pool-config';

/**
 * pre_change_snapshot_<ts>.json: the runbook's Step 1 and 'current configuration snapshot' — each instance's pool config in force and metrics, pg_stat_activity for the database, a log summary, who took it, when, and the inventory's git commit.
 */
export interface Snapshot {
  command: 'snapshot';
  run: Run;
  timestamp: string;
  operator: string;
  git: {
    repo: string;
    commit: string | null;
    /**
     * Uncommitted changes in the inventory repo (git status --porcelain not empty).
     */
    dirty: boolean | null;
    error: string | null;
  };
  instances: {
    name: string;
    url: string;
    error: string | null;
    pool_config: null | ServicePoolConfig;
    metrics: null | ServiceMetrics;
    /**
     * The runbook's five 'current metrics'.
     */
    summary: null | {
      active_connections: number;
      pool_utilization: number;
      acquire_wait_p95_ms: number;
      error_rate: number | null;
      /**
       * Which requests the error rate covers (a window, or since the process started).
       */
      error_rate_basis: string;
      /**
       * null when the service saw no request in its latency window.
       */
      latency_p95_ms: number | null;
      /**
       * The instance's request rate over the snapshot's window (two readings of requests.total): the baseline traffic a load test is compared with. null when the window's counters are not usable (one reading, a restart); absent in snapshots taken before it was recorded.
       */
      requests_per_s?: number | null;
    };
  }[];
  database: null | {
    database: string;
    error: string | null;
    activity?: Activity;
    max_connections?: number;
  };
  logs: (LogSummary | LogError)[];
  /**
   * False when something could not be measured (the errors say what).
   */
  complete: boolean;
  exit_code: 0 | 3;
}
/**
 * This interface was referenced by `Snapshot`'s JSON-Schema
 * via the `definition` "log_error".
 */
export interface LogError {
  name: string;
  path: string;
  error: string;
}
