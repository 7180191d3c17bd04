/* Generated from schemas/preflight-config.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Attestation } from './attestation';
import type { DatabaseTarget } from './database';

/**
 * The runbook's pre-implementation checklist as data (plan.preflight). Every threshold defaults to the runbook's value; flags override. Limits written 'max_' pass AT the limit unless the description says the runbook's '<' applies (then the limit itself fails).
 */
export interface PreflightConfig {
  /**
   * Each instance's metrics are sampled at the start and the end of this window; error rate comes from the counters' deltas.
   */
  window_s?: number;
  /**
   * Runbook '< 0.1 %': the error rate must be strictly below (errors / requests over the window).
   */
  max_error_rate?: number;
  /**
   * Runbook '< 500 ms': each instance's p95 must be strictly below.
   */
  max_p95_ms?: number;
  /**
   * Check every target against the service contract (docs/service-contract.md, as poolgate contract check does, without a reload): a service that does not conform fails preflight before any host is touched.
   */
  contract_check?: boolean;
  database?: {
    /**
     * Per replica, WAL not yet replayed (passes at the limit).
     */
    max_replication_lag_bytes?: number;
    /**
     * Per replica, replay lag in seconds (passes at the limit).
     */
    max_replication_lag_s?: number;
    /**
     * Replicas that must be streaming from the primary; fewer fails.
     */
    expect_replicas?: number;
    /**
     * Replicas to probe directly (paused replay, lag measured on the replica).
     */
    replicas?: DatabaseTarget[];
    /**
     * Sessions waiting on another's lock (pg_blocking_pids); passes at the limit.
     */
    max_blocked_sessions?: number;
    /**
     * Oldest open transaction of a client backend; passes at the limit.
     */
    max_long_transaction_s?: number;
    /**
     * Longest 'idle in transaction' (or '(aborted)') session; passes at the limit.
     */
    max_idle_in_transaction_s?: number;
  };
  capacity?: {
    /**
     * Peak connections of every client that is not one of the instances (migrations, cron, BI, replication tools). Absent: the count measured now (a warning: now is not a peak).
     */
    other_clients_peak?: number;
    /**
     * Slots kept free on top of everything (for an operator's psql, a failover tool).
     */
    headroom?: number;
    /**
     * one_instance: the instance being switched holds its old and new pool at once (SIGHUP swap, the conservative default); none: a restart closes the old pool before the new one opens.
     */
    overlap?: 'one_instance' | 'none';
    /**
     * Rollout order by instance name. Default: standbys, then primaries, each in target order.
     */
    order?: string[];
  };
  backup?: {
    /**
     * Where the newest backup's time comes from. Base backups (what a restore starts from): pgbackrest (`pgbackrest info --output=json`, the newest good backup's stop time per stanza), wal_g (`wal-g backup-list --json --detail`, oldest first: the newest is taken), barman (`barman -f json list-backups all`, or its text listing, whose times are read as UTC; only DONE backups), pg_basebackup (the newest backup in `path`: its backup_manifest, else its backup_label). command: any argv printing one of those tools' JSON. file: a timestamp file. pg_stat_archiver: the last archived WAL segment, which proves archiving but not a base backup, so a fresh one is a WARN, never a PASS.
     */
    source?: 'pgbackrest' | 'wal_g' | 'barman' | 'pg_basebackup' | 'command' | 'file' | 'pg_stat_archiver';
    /**
     * argv (no shell): for source command, a program printing pgBackRest, WAL-G or Barman JSON; for pgbackrest, wal_g or barman, replaces the tool's default command (e.g. [pgbackrest, --stanza=main, info, --output=json], or [sudo, -n, -u, postgres, pgbackrest, info, --output=json] with host).
     *
     * @minItems 1
     */
    command?: [string, ...string[]];
    /**
     * An inventory host (a name in the plan's hosts) to run the listing command on, over the connection the plan gives for it: where the backup tool, its config and its repository are (the database host, a repository host). For pgbackrest, wal_g, barman and command; without it the command runs on the control node.
     */
    host?: string;
    /**
     * For source pg_basebackup: the target folder, holding one backup or one backup per subfolder (pg_basebackup -D <path>/<name>).
     */
    path?: string;
    /**
     * A file holding the last backup's time (ISO-8601 or epoch seconds; empty: its modification time).
     */
    file?: string;
    /**
     * Runbook 'Last backup < 24 hours': strictly younger.
     */
    max_age_h?: number;
    timeout_s?: number;
  };
  /**
   * Runbook 'restoration tested': who restored a backup, and when.
   */
  restore_tested?: {
    by: string;
    at: string;
    note?: string;
  };
  /**
   * A restore test older than this no longer counts.
   */
  restore_tested_max_age_d?: number;
  change_window?: {
    /**
     * Inclusive, UTC.
     */
    start?: string;
    /**
     * Exclusive, UTC; before start means the window wraps midnight.
     */
    end?: string;
    tz?: 'UTC';
    /**
     * The time allowed per target for its part of the rollout (back up, render, apply, health, read back, its share of the drains and switches) in the run's expected length: the configured sample windows, load test and monitoring, one rollback at rollback.max_s and its watch (scripts/lib/run-length.ts). A run whose expected end falls after the window closes is refused (the override still applies).
     */
    per_host_s?: number;
    /**
     * Run outside the window anyway: recorded in the evidence (the item passes as WARN).
     */
    override?: {
      reason: string;
      by: string;
      at?: string;
    };
  };
  /**
   * system_stable: status STABLE, no active incident; rollback_plan_tested; dashboards_visible; on_call: who, and their response time.
   */
  attestations?: {
    system_stable?: Attestation;
    rollback_plan_tested?: Attestation;
    dashboards_visible?: Attestation;
    on_call?: {
      /**
       * The on-call engineer.
       */
      name: string;
      response_minutes: number;
      by?: string;
      at?: string;
      /**
       * An on-call schedule to probe (2xx: someone is on call).
       */
      url?: string;
    };
  };
  /**
   * Runbook '30-minute response time': passes at 30.
   */
  max_on_call_response_minutes?: number;
  /**
   * A person's attestation older than this is stale (fails).
   */
  attestation_max_age_h?: number;
}
