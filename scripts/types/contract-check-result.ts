/* Generated from schemas/contract-check-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * poolgate contract check: each target's endpoints against the service contract (docs/service-contract.md), one item per thing checked.
 */
export interface ContractCheckResult {
  command: 'contract check';
  run: Run;
  /**
   * FAIL if any item failed; else UNKNOWN if any could not be measured; else PASS (WARN items do not fail).
   */
  verdict: 'PASS' | 'FAIL' | 'UNKNOWN';
  exit_code: 0 | 1 | 3;
  items: Item[];
  targets: {
    name: string;
    url: string;
    /**
     * false: no endpoint answered (its items are UNKNOWN).
     */
    reachable: boolean;
    /**
     * Items of this target that failed.
     */
    failed: number;
  }[];
  /**
   * The command run to make each target reload (--reload-cmd), or null when no reload was checked.
   */
  reload_cmd: string | null;
}
export interface Run {
  run_id?: string;
  started_at: string;
  finished_at: string;
  operator: string;
  poolgate_version: string;
}
/**
 * One checklist item: what was measured, against what, and the verdict.
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
  /**
   * UNKNOWN: could not be measured (never counted as passed).
   */
  status: 'PASS' | 'FAIL' | 'WARN' | 'UNKNOWN';
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
