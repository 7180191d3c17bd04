/* Generated from schemas/plan.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * @minItems 1
 */
export type Targets = [
  {
    name: string;
    /**
     * Base URL of the instance, no path.
     */
    url: string;
    role?: 'standby' | 'primary';
  },
  ...{
    name: string;
    /**
     * Base URL of the instance, no path.
     */
    url: string;
    role?: 'standby' | 'primary';
  }[]
];

/**
 * Everything one pool change needs, in one file. Ansible renders it from the inventory's group_vars into the run's evidence folder (no secrets: only password file paths); every command takes it with --plan and reads the sections it needs, and flags override. Standalone users may write it by hand.
 */
export interface Plan {
  run_id?: string;
  operator?: string;
  change: PoolChange;
  targets: Targets;
  database?: DatabaseTarget;
  lb?: {
    /**
     * HAProxy admin socket path.
     */
    socket: string;
    backend: string;
    /**
     * Where client traffic enters (the load balancer's frontend).
     */
    url?: string;
  };
  preflight?: PreflightConfig;
  verify?: VerifyConfig;
  loadtest?: LoadtestConfig;
  criteria?: LoadtestCriteria;
  monitor?: MonitorConfig;
}
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
/**
 * How poolgate reaches PostgreSQL for probes. The password is read from a file (or PGPASSWORD), never passed inline.
 */
export interface DatabaseTarget {
  host: string;
  port: number;
  /**
   * The application's database (the runbook's datname).
   */
  database: string;
  /**
   * A monitoring role with pg_monitor.
   */
  user: string;
  /**
   * File holding the password (mode 0600).
   */
  password_file?: string;
  /**
   * The application's role, whose rolconnlimit the capacity gate checks.
   */
  app_user?: string;
  connect_timeout_ms?: number;
}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface PreflightConfig {}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface VerifyConfig {}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface LoadtestConfig {}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface LoadtestCriteria {}
/**
 * PLACEHOLDER: the owning helper defines this section (thresholds are data; the runbook's values are the defaults).
 */
export interface MonitorConfig {}
