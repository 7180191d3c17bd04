/* Generated from schemas/service-pool-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { PoolConfig } from './pool-config';

/**
 * GET /api/health/pool-config: the pool settings in force (not the file's). Never a password or connection string.
 */
export interface ServicePoolConfig {
  /**
   * The instance's name (also its application_name in PostgreSQL).
   */
  instance: string;
  pool: PoolConfig;
  /**
   * Path of the config file the pool in force was built from.
   */
  source: string;
  /**
   * sha256 of the config file's bytes as loaded.
   */
  sha256: string;
  loaded_at: string;
  /**
   * 1 at start; +1 at each successful reload.
   */
  generation: number;
  /**
   * The last failed reload since the last successful one, or null.
   */
  last_reload_error: null | {
    message: string;
    at: string;
  };
  /**
   * True while an old pool is still draining after a reload.
   */
  reloading: boolean;
}
