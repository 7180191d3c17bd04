/* Generated from schemas/verify-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Activity, InstanceSample, Item, LogSummary, Run, Stop, Verdict } from './evidence-common';
import type { ServicePoolConfig } from './service-pool-config';
import type { LogError } from './snapshot';
import type { VerifyConfig } from './verify-config';

/**
 * Evidence of `poolgate verify` (verify_<ts>.json and its --json output): the runbook's Step 4, every item with its measured value and verdict.
 */
export interface VerifyResult {
  command: 'verify';
  run: Run;
  verdict: Verdict;
  /**
   * The verdict in one line: what failed or could not be measured, and why.
   */
  message: string;
  stop?: Stop;
  exit_code: 0 | 1 | 3;
  items: Item[];
  /**
   * The pool every instance must report (keys absent are not checked).
   */
  expected: {
    min?: number;
    max?: number;
    idleTimeoutMillis?: number;
    connectionTimeoutMillis?: number;
    acquireTimeoutMillis?: number;
  };
  instances: {
    name: string;
    /**
     * /health status, or null when unreachable.
     */
    health: string | null;
    pool_config: null | ServicePoolConfig;
    sample: InstanceSample;
    /**
     * Present when the p95 regressed in a window that held the instance's start (config.warm_latency): the read it was judged on again, once the window held only warm time.
     */
    warm_read?: {
      timestamp: string;
      pid: number;
      uptime_s: number;
      window_s: number;
      /**
       * null: no request in the window.
       */
      latency_p95_ms: number | null;
    };
  }[];
  database: null | {
    activity: Activity;
    /**
     * Connections judged against the range (per connections.scope).
     */
    counted: number;
    range: {
      min: number;
      max: number;
    };
    new_backends: number;
    window_s: number;
  };
  logs: (LogSummary | LogError)[];
  baseline: null | {
    file: string;
    timestamp: string;
  };
  since: string;
  /**
   * The thresholds in force (defaults filled in).
   */
  config: VerifyConfig;
}
