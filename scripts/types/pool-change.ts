/* Generated from schemas/pool-change.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

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
/**
 * A node-postgres pool configuration file: exactly the runbook's five keys.
 */
export interface PoolConfig {
  /**
   * Connections kept open (pre-warmed) even when idle.
   */
  min: number;
  /**
   * Most connections the pool may open.
   */
  max: number;
  /**
   * How long a connection above min may stay idle before it is closed.
   */
  idleTimeoutMillis: number;
  /**
   * How long to wait for a new connection's handshake.
   */
  connectionTimeoutMillis: number;
  /**
   * How long a request may wait for a free connection before it fails.
   */
  acquireTimeoutMillis: number;
}
