/* Generated from schemas/ramp-summary.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Verdict } from './evidence-common';
import type { PoolConfig } from './pool-config';

/**
 * ramp_summary.json, written by poolgate ramp after every pass: the levels of a ramped change (pool-change `steps`), one full pool-scaling.yml run per pass with its evidence folder and outcome, and where the fleet is now. A failed pass rolls back to the level it started from (the last good step) and ends the ramp.
 */
export interface RampSummary {
  ramp_id: string;
  inventory: string;
  /**
   * The pool max at each level, from the current one to the target (e.g. [50, 100, 200]).
   *
   * @minItems 2
   */
  levels: [number, number, ...number[]];
  passes: {
    pass: number;
    of: number;
    from: PoolConfig;
    to: PoolConfig;
    run_id: string;
    evidence_dir?: string | null;
    exit_code?: number | null;
    /**
     * changed / already_at_target: the fleet runs `to`; stopped_before_change: a gate (preflight, plan) refused, nothing changed; rolled_back: changed, then restored to `from` and read back; rollback_incomplete: some host may run neither (P0).
     */
    outcome:
      'changed' | 'already_at_target' | 'stopped_before_change' | 'rolled_back' | 'rollback_incomplete' | 'not_run';
    started_at?: string;
    ended_at?: string;
    /**
     * Why the pass failed (the playbook's own words).
     */
    reason?: string;
  }[];
  /**
   * PASS: every pass changed the fleet (or found it there); FAIL: a pass did not; null while the ramp runs.
   */
  verdict: Verdict | null;
  failed_pass?: number | null;
  /**
   * The pool config every instance runs now (read back by the last pass), null when unknown (rollback incomplete).
   */
  fleet_at: PoolConfig | null;
  message: string;
}
