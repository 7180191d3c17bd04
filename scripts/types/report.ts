/* Generated from schemas/report.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * null: not measured.
 */
export type Value = number | null;
export type Checks = {
  id: string;
  label: string;
  baseline: number | null;
  value: number | null;
  limit: string | null;
  verdict: 'PASS' | 'FAIL' | 'NOT MEASURED';
  shown: string;
}[];

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
  decision: 'SUCCESS' | 'ROLLBACK' | 'INCOMPLETE';
  exit_code: 0 | 1 | 3;
  inputs: {
    kind: 'plan' | 'snapshot' | 'verify' | 'loadtest' | 'analysis' | 'monitor' | 'monitor_samples';
    file: string | null;
    sha256?: string;
    status: 'used' | 'missing' | 'invalid';
    detail?: string;
  }[];
  pre: Metrics;
  post: Metrics;
  loadtest: {
    requests: Value;
    p50_ms: Value;
    p95_ms: Value;
    p99_ms: Value;
    error_rate_pct: Value;
    /**
     * null: not measured.
     */
    rate_per_s: number | null;
    /**
     * null: not measured.
     */
    baseline_rate_per_s: number | null;
    /**
     * null: not measured.
     */
    load_vs_baseline: number | null;
    /**
     * The load level as the report states it.
     */
    load_level: string;
    /**
     * The analysis verdict, when analysed.
     */
    verdict: string | null;
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
    value: Value;
    /**
     * The value as a person reads it, or why it was not measured.
     */
    shown: string;
    verdict: 'PASS' | 'FAIL' | 'NOT MEASURED';
    source: string;
  }[];
  markdown_file: string;
  /**
   * The rollback of this run (null: it was not rolled back): why, how it ended, its time judged against the runbook's 'Expected Rollback Time: 5-10 minutes', and the watch after it. A rolled-back run's decision is ROLLBACK whatever its criteria.
   */
  rollback?: null | {
    reason: string;
    outcome: 'verified' | 'incomplete' | 'in progress';
    timing: RollbackTiming;
    /**
     * The watch after the rollback (runbook rollback step 4): its verdict on the return to baseline, null when it did not run.
     */
    watch?: null | {
      file: string;
      verdict: 'returned' | 'not_returned' | 'could_not_measure';
      message: string;
      checks: Checks;
    };
  };
  /**
   * Runbook Step 6 'Active DB connections (should be 20-60 under normal load)' as monitoring judged it: a warning-level line, not a success criterion (it never changes the decision). null: no monitor result.
   */
  db_connections?: null | DbConnections;
}
export interface Metrics {
  pool_utilization_pct: Value;
  error_rate_pct: Value;
  p95_ms: Value;
  active_connections: Value;
  /**
   * Where the figures come from and how instances are combined.
   */
  basis: string;
}
/**
 * From the trigger (the failed gate's verdict, else the rollback's start; a manual rollback: its run's start) to every host read back at the old values (scripts/lib/rollback-time.ts), against rollback.max_s.
 */
export interface RollbackTiming {
  trigger_at: string;
  trigger: string;
  read_back_at: string | null;
  seconds: number | null;
  max_s: number;
  verdict: 'PASS' | 'FAIL' | 'NOT MEASURED';
}
/**
 * Runbook Step 6 'Active DB connections (should be 20-60 under normal load)', judged: every sample's pg_stat_activity count against the range. WARNING when any sample fell outside, NOT MEASURED when no sample had a count (no database probe).
 */
export interface DbConnections {
  min: number;
  max: number;
  basis: string;
  lowest: number | null;
  highest: number | null;
  measured_samples: number;
  outside_samples: number;
  verdict: 'OK' | 'WARNING' | 'NOT MEASURED';
}
