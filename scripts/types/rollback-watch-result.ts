/* Generated from schemas/rollback-watch-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Verdict } from './evidence-common';
import type { RollbackConfig } from './rollback-config';

/**
 * post_rollback_watch_<ts>.json, written by poolgate rollback-watch: the runbook's rollback step 4, 'Monitor for 15 minutes - verify metrics return to baseline'. The fleet sampled after the rollback (every sample in post_rollback_samples.jsonl) and judged against the pre-change snapshot (scripts/lib/judge/return-to-baseline.ts). Its verdict (scripts/lib/verdict.ts): PASS, back at baseline, every figure within its tolerance (exit 0); FAIL, NOT BACK AT BASELINE, one is outside (exit 1, an incident of at least P1); COULD_NOT_MEASURE, one could not be compared (exit 3, never 'back at baseline').
 */
export interface RollbackWatchResult {
  kind: 'rollback_watch';
  run_id?: string;
  started_at: string;
  ended_at: string;
  baseline: {
    /**
     * The pre-change snapshot judged against.
     */
    file: string;
    taken_at: string;
    /**
     * The baseline's worst instance for each figure; the pools every instance ran.
     */
    figures: {
      error_rate: number | null;
      p95_ms: number | null;
      pool_utilization: number | null;
      acquire_wait_p95_ms: number | null;
      db_connections: number | null;
      pools: {
        [k: string]: {
          min: number;
          max: number;
        };
      };
    };
  };
  config: {
    duration_s: number;
    interval_s: number;
    settle_s: number;
    tolerance: NonNullable<NonNullable<RollbackConfig['watch']>['tolerance']>;
  };
  samples: {
    total: number;
    /**
     * Samples at or after settle_s.
     */
    judged: number;
    unmeasured: number;
    file: string;
  };
  checks: {
    id: string;
    label: string;
    baseline: number | null;
    value: number | null;
    limit: string | null;
    verdict: Verdict;
    shown: string;
  }[];
  verdict: Verdict;
  exit_code: 0 | 1 | 3;
  message: string;
}
