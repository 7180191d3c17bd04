/* Generated from schemas/contract-check-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Item, Run, Verdict } from './evidence-common';

/**
 * poolgate contract check: each target's endpoints against the service contract (docs/service-contract.md), one item per thing checked.
 */
export interface ContractCheckResult {
  command: 'contract check';
  run: Run;
  verdict: Verdict;
  /**
   * The verdict in one line: the verdict, then each item that failed or could not be measured.
   */
  message: string;
  exit_code: 0 | 1 | 3;
  items: Item[];
  targets: {
    name: string;
    url: string;
    /**
     * false: no endpoint answered (its items are COULD_NOT_MEASURE).
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
