/* Generated from schemas/revert-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { PoolConfig } from './pool-config';

/**
 * revert.json, written by poolgate change revert after a rollback (the runbook's rollback step 1, 'git revert [COMMIT_HASH]'): the commit that sets pool_scaling_to back to the values the fleet runs again, prepared on its own branch and never pushed, or why it could not be prepared.
 */
export interface RevertResult {
  /**
   * prepared: the branch holds the commit; already_agrees: HEAD already sets pool_scaling_to to the rolled-back values; not_possible: see why (not a git checkout, a dirty file, the value not in any inventory file, the branch taken).
   */
  status: 'prepared' | 'already_agrees' | 'not_possible';
  why: string | null;
  /**
   * The inventory's git checkout.
   */
  repo: string | null;
  /**
   * The inventory file that defines pool_scaling_to.
   */
  file: string | null;
  /**
   * The commit that set pool_scaling_to to the rolled-back change (null: not found).
   */
  change_commit: string | null;
  /**
   * The commit the revert is made on.
   */
  head: string | null;
  branch: string | null;
  commit: string | null;
  /**
   * The commands that publish it: a push of the branch, or a local fast-forward merge.
   */
  publish: string[];
  values: {
    from: PoolConfig;
    to: PoolConfig;
  };
}
