/* Generated from schemas/pool-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

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
