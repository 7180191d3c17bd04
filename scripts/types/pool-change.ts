/* Generated from schemas/pool-change.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { PoolConfig } from './pool-config';

/**
 * The change itself: the pool config every instance runs now and the one it must run after. min <= max and the rest of the semantic rules are checked in code (scripts/lib/pool-change.ts).
 */
export interface PoolChange {
  from: PoolConfig;
  to: PoolConfig;
  /**
   * Optional intermediate pool max values to ramp through (e.g. [100]); the last step is always `to`.
   */
  steps?: number[];
}
