/* Generated from schemas/evidence-common.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "count".
 */
export type Count = number;
/**
 * null: not measured.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "measured_value".
 */
export type MeasuredValue = number | null;
/**
 * The verdict of a check, a criterion, a gate or a command (scripts/lib/verdict.ts): PASS (exit 0); FAIL, the change must stop or roll back (exit 1); COULD_NOT_MEASURE (exit 3), never passed and never failed. Of several: FAIL if any failed, else COULD_NOT_MEASURE if any could not be measured, else PASS.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "verdict".
 */
export type Verdict = 'PASS' | 'FAIL' | 'COULD_NOT_MEASURE';
/**
 * One item's verdict: a verdict, or WARN (shown, never fails) or SKIPPED (not required by the configuration); neither WARN nor SKIPPED decides.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "item_verdict".
 */
export type ItemVerdict = Verdict | ('WARN' | 'SKIPPED');
/**
 * A run's decision (the runbook's report template): SUCCESS only when every criterion was measured and passed; ROLLBACK when one failed; INCOMPLETE when none failed but one could not be measured.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "decision".
 */
export type Decision = 'SUCCESS' | 'ROLLBACK' | 'INCOMPLETE';
/**
 * How a rollback ended: VERIFIED, every instance read back on the old config; INCOMPLETE, some instance may run neither (P0).
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "rollback_outcome".
 */
export type RollbackOutcome = 'VERIFIED' | 'INCOMPLETE';
/**
 * The runbook's incident severity.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "severity".
 */
export type Severity = 'P0' | 'P1' | 'P2';
/**
 * What stops a change and starts its rollback (e.g. verify_failed, error_rate_sustained); its severity is in scripts/lib/trigger.ts.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "trigger".
 */
export type Trigger = string;

/**
 * Pieces shared by the evidence files: the verdict vocabulary (verdict, item_verdict, decision, rollback_outcome, severity, trigger) and the shapes preflight, snapshot and verify share.
 */
export interface EvidenceCommon {
  [k: string]: unknown;
}
/**
 * The trigger a failed gate stands for, with its severity: carried as data into the rollback and the incident.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "stop".
 */
export interface Stop {
  name: Trigger;
  severity: Severity;
}
/**
 * One checklist item: what was measured, against what, and the verdict.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "item".
 */
export interface Item {
  /**
   * Stable key, e.g. error_rate:primary-1.
   */
  id: string;
  /**
   * What a person reads, e.g. 'error rate primary-1'.
   */
  item: string;
  verdict: ItemVerdict;
  /**
   * The measured value as shown (with its unit), or why it could not be measured.
   */
  measured: string;
  /**
   * The measured number, when there is one.
   */
  value?: number | null;
  /**
   * The rule it was judged by, e.g. '< 0.1 %'.
   */
  threshold: string;
  /**
   * Why, and what to do next.
   */
  detail?: string;
}
/**
 * Exact rates from two samples of an instance's cumulative counters; not usable across a restart.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "rates".
 */
export interface Rates {
  usable: boolean;
  reason?: string;
  interval_s: number;
  requests: number;
  errors: number;
  error_rate: number | null;
  requests_per_s: number;
  connects: number;
  disconnects: number;
  churn_per_s: number;
  acquire_timeouts: number;
  pool_errors: number;
}
/**
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "instance_sample".
 */
export interface InstanceSample {
  name: string;
  url: string;
  /**
   * Why it could not be measured.
   */
  error: string | null;
  rates: null | Rates;
  /**
   * The service's windowed p95 at the end of the window.
   */
  latency_p95_ms: number | null;
  /**
   * Observations behind that p95.
   */
  latency_count: number | null;
  pool?: {
    max: number;
    min: number;
    total: number;
    active: number;
    idle: number;
    waiting: number;
    utilization: number;
    acquire_wait_p95_ms: number;
  };
}
/**
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "log_line".
 */
export interface LogLine {
  time: string | null;
  level: string;
  msg: string;
}
/**
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "log_summary".
 */
export interface LogSummary {
  name: string;
  path: string;
  since: string | null;
  lines_read: number;
  unparsed: number;
  pool_lines: number;
  error_lines: number;
  last: LogLine[];
  last_errors: LogLine[];
  truncated: boolean;
}
/**
 * Client backends (the probe itself excluded) from pg_stat_activity.
 *
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "activity".
 */
export interface Activity {
  db_total: number;
  db_by_state: {
    [k: string]: number;
  };
  db_by_application: {
    [k: string]: number;
  };
  server_total: number;
}
/**
 * This interface was referenced by `EvidenceCommon`'s JSON-Schema
 * via the `definition` "run".
 */
export interface Run {
  run_id?: string;
  started_at: string;
  finished_at: string;
  operator: string;
  poolgate_version: string;
}
