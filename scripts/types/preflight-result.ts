/* Generated from schemas/preflight-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Activity, InstanceSample, Item, Run, Stop, Verdict } from './evidence-common';
import type { PoolChange } from './pool-change';
import type { PreflightConfig } from './preflight-config';

/**
 * Evidence of `poolgate preflight` (preflight_<ts>.json and its --json output): every checklist item with its measured value and verdict, and the measurements behind them.
 */
export interface PreflightResult {
  command: 'preflight';
  run: Run;
  verdict: Verdict;
  /**
   * The verdict in one line: what failed or could not be measured, and why.
   */
  message: string;
  stop?: Stop;
  exit_code: 0 | 1 | 3;
  items: Item[];
  change?: PoolChange;
  instances: InstanceSample[];
  /**
   * What the probes read, or null when the database was not given or not reachable (see the items).
   */
  database: null | {
    version_num: number;
    in_recovery: boolean;
    activity: Activity;
    blocked: BlockedSession[];
    /**
     * The oldest open transactions (at most 10).
     */
    transactions: Transaction[];
    /**
     * pg_stat_replication on the primary.
     */
    replicas: PrimaryReplica[];
    /**
     * Replicas probed directly (plan.preflight.database.replicas), or this server itself when it is a replica.
     */
    replica_probes: {
      name: string;
      error: string | null;
      receive_lsn?: string | null;
      replay_lsn?: string | null;
      lag_bytes?: number | null;
      lag_s?: number | null;
      paused?: boolean;
    }[];
  };
  /**
   * The connection budget at every rollout step, or null when it could not be computed.
   */
  capacity: null | {
    inputs: {
      instances: {
        name: string;
        old_max: number;
        new_max: number;
      }[];
      max_connections: number;
      superuser_reserved_connections: number;
      reserved_connections: number;
      other_clients_peak: number;
      other_clients_source: 'configured' | 'measured now';
      headroom: number;
      overlap: 'one_instance' | 'none';
      role_conn_limit?: number | null;
      db_conn_limit?: number | null;
      other_clients_in_db?: number;
    };
    usable: number;
    steps: Step[];
    worst: Step;
    shortfall: number;
    fits: boolean;
    role_limit: null | {
      limit: number;
      worst_app: number;
      fits: boolean;
    };
    db_limit: null | {
      limit: number;
      worst: number;
      fits: boolean;
    };
    advice: string | null;
  };
  backup: null | {
    source: NonNullable<NonNullable<PreflightConfig['backup']>['source']>;
    newest_at: string | null;
    age_h?: number;
    detail: string;
    problem?: string;
  };
  change_window: {
    inside: boolean;
    window: string;
    now: string;
    opens_in_min: number;
    /**
     * The run's expected length (scripts/lib/run-length.ts).
     */
    run_length_s?: number;
    /**
     * What the expected length is made of.
     */
    run_length?: {
      what: string;
      s: number;
    }[];
    /**
     * When the run would end, started now.
     */
    ends_at?: string;
    /**
     * When the window it starts in closes (null: it starts outside).
     */
    closes_at?: string | null;
    next_opens_at?: string;
    /**
     * The window's length.
     */
    window_s?: number;
    /**
     * Starts inside the window and ends before it closes.
     */
    fits?: boolean;
    override?: NonNullable<NonNullable<PreflightConfig['change_window']>['override']>;
  };
  /**
   * The thresholds in force (defaults filled in).
   */
  config: PreflightConfig;
}
/**
 * This interface was referenced by `PreflightResult`'s JSON-Schema
 * via the `definition` "blocked_session".
 */
export interface BlockedSession {
  pid: number;
  application_name: string;
  state: string;
  wait_event: string | null;
  blocked_by: number[];
  waiting_s: number;
}
/**
 * This interface was referenced by `PreflightResult`'s JSON-Schema
 * via the `definition` "transaction".
 */
export interface Transaction {
  pid: number;
  application_name: string;
  state: string;
  xact_age_s: number;
  state_age_s: number;
}
/**
 * This interface was referenced by `PreflightResult`'s JSON-Schema
 * via the `definition` "primary_replica".
 */
export interface PrimaryReplica {
  application_name: string;
  client_addr: string | null;
  state: string;
  lag_bytes: number | null;
  replay_lag_s: number | null;
}
/**
 * This interface was referenced by `PreflightResult`'s JSON-Schema
 * via the `definition` "step".
 */
export interface Step {
  step: string;
  /**
   * The instances' connections at this step.
   */
  app: number;
  /**
   * app + other clients + headroom.
   */
  demand: number;
  fits: boolean;
}
