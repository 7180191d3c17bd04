/* Generated from schemas/report.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Decision, MeasuredValue, RollbackOutcome, Stop, Verdict } from './evidence-common';
import type { MonitorResult } from './monitor-result';
import type { RollbackWatchResult } from './rollback-watch-result';

/**
 * report.json, written with pool_scaling_verification_<ts>.md by poolgate report: the runbook's post-change verification report as data. The decision follows the runbook's eight success criteria: SUCCESS when all pass, ROLLBACK when any fails, INCOMPLETE when none fails but one could not be measured (not proven is not passed).
 */
export interface VerificationReport {
  kind: 'verification_report';
  generated_at: string;
  /**
   * When the change was verified in force (verify, else monitor start); null if neither is in the evidence.
   */
  implementation_date: string | null;
  operator: string;
  operator_source?: string;
  change: {
    from_max: number | null;
    to_max: number | null;
    from_min?: number | null;
    to_min?: number | null;
  };
  decision: Decision;
  /**
   * The decision in one line: the criteria that failed or could not be measured, and the evidence files missing or unreadable.
   */
  message: string;
  stop?: Stop;
  exit_code: 0 | 1 | 3;
  /**
   * Every evidence file the report stands on (scripts/lib/run-evidence names them): the rollout's record, the checklist, and each measurement. One missing or invalid makes the report INCOMPLETE.
   */
  inputs: {
    kind:
      | 'plan'
      | 'preflight'
      | 'snapshot'
      | 'verify'
      | 'loadtest'
      | 'analysis'
      | 'monitor'
      | 'monitor_samples'
      | 'alerts'
      | 'events';
    file: string | null;
    sha256?: string;
    status: 'used' | 'missing' | 'invalid';
    /**
     * Why it is invalid, or the names it was looked for under when missing.
     */
    detail?: string;
  }[];
  /**
   * Is the report complete? The evidence files it needs (present and valid), and each section of the runbook's template (every figure measured). A section not measured makes the decision INCOMPLETE, never SUCCESS.
   */
  sections: {
    id: 'evidence' | 'pre' | 'post' | 'loadtest';
    label: string;
    verdict: Verdict;
    /**
     * What is missing or unreadable, naming the file; or what was measured.
     */
    shown: string;
  }[];
  pre: Metrics;
  post: Metrics;
  loadtest: {
    requests: MeasuredValue;
    p50_ms: MeasuredValue;
    p95_ms: MeasuredValue;
    p99_ms: MeasuredValue;
    error_rate_pct: MeasuredValue;
    /**
     * The load test's achieved rate (sends per second, or throughput in a closed loop).
     */
    rate_per_s: MeasuredValue;
    /**
     * The fleet's traffic the pre-change snapshot measured (sum of the instances' requests_per_s).
     */
    baseline_rate_per_s: MeasuredValue;
    /**
     * rate_per_s / baseline_rate_per_s: a load test at a fraction of normal traffic is no test of the pool.
     */
    load_vs_baseline: MeasuredValue;
    /**
     * The load level as the report states it.
     */
    load_level: string;
    /**
     * The analysis verdict, null when not analysed.
     */
    verdict: Verdict | null;
  };
  /**
   * The runbook's eight success criteria, in its order.
   */
  criteria: {
    id:
      | 'pool_max'
      | 'pool_utilization'
      | 'acquire_wait_p95'
      | 'error_rate'
      | 'p95_latency'
      | 'connection_timeouts'
      | 'db_cpu'
      | 'sustained';
    label: string;
    threshold: string;
    value: MeasuredValue;
    /**
     * The value as a person reads it, or why it was not measured.
     */
    shown: string;
    verdict: Verdict;
    source: string;
  }[];
  markdown_file: string;
  /**
   * The rollback of this run (null: it was not rolled back): why, how it ended, its time judged against the runbook's 'Expected Rollback Time: 5-10 minutes', and the watch after it. A rolled-back run's decision is ROLLBACK whatever its criteria.
   */
  rollback?: null | {
    reason: string;
    /**
     * How the rollback ended; null: it has not ended (in progress).
     */
    outcome: RollbackOutcome | null;
    timing: RollbackTiming;
    /**
     * The watch after the rollback (runbook rollback step 4): its verdict on the return to baseline, null when it did not run.
     */
    watch?: null | {
      file: string;
      verdict: NonNullable<RollbackWatchResult['verdict']>;
      message: string;
      checks: NonNullable<RollbackWatchResult['checks']>;
    };
  };
  /**
   * Runbook Step 6 'Active DB connections (should be 20-60 under normal load)' as monitoring judged it: a warning-level line, not a success criterion (it never changes the decision). null: no monitor result.
   */
  db_connections?: null | NonNullable<NonNullable<MonitorResult['summary']>['db_connections']>;
}
/**
 * This interface was referenced by `VerificationReport`'s JSON-Schema
 * via the `definition` "metrics".
 */
export interface Metrics {
  pool_utilization_pct: MeasuredValue;
  error_rate_pct: MeasuredValue;
  p95_ms: MeasuredValue;
  active_connections: MeasuredValue;
  /**
   * Where the figures come from and how instances are combined.
   */
  basis: string;
}
/**
 * From the trigger (the failed gate's verdict, else the rollback's start; a manual rollback: its run's start) to every host read back at the old values (scripts/lib/rollback-time.ts), against rollback.max_s.
 *
 * This interface was referenced by `VerificationReport`'s JSON-Schema
 * via the `definition` "rollback_timing".
 */
export interface RollbackTiming {
  trigger_at: string;
  trigger: string;
  read_back_at: string | null;
  seconds: number | null;
  max_s: number;
  /**
   * COULD_NOT_MEASURE: no host was read back after the trigger.
   */
  verdict: Verdict;
}
