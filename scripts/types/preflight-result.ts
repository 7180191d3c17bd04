/* Generated from schemas/preflight-result.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * What no probe can see, vouched for by a person (who, when) or by a URL poolgate probes (any 2xx answer attests it).
 */
export type Attestation =
  | {
      /**
       * Who attests it.
       */
      by: string;
      /**
       * When they checked it.
       */
      at: string;
      note?: string;
    }
  | {
      /**
       * Probed with GET; 2xx attests, any other answer fails, no answer is 'could not measure'.
       */
      url: string;
      note?: string;
    };

/**
 * Evidence of `poolgate preflight` (preflight_<ts>.json and its --json output): every checklist item with its measured value and verdict, and the measurements behind them.
 */
export interface PreflightResult {
  command: 'preflight';
  run: Run;
  /**
   * FAIL if any item failed; else UNKNOWN if any could not be measured; else PASS (WARN items do not fail).
   */
  verdict: 'PASS' | 'FAIL' | 'UNKNOWN';
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
    blocked: {
      pid: number;
      application_name: string;
      state: string;
      wait_event: string | null;
      blocked_by: number[];
      waiting_s: number;
    }[];
    /**
     * The oldest open transactions (at most 10).
     */
    transactions: {
      pid: number;
      application_name: string;
      state: string;
      xact_age_s: number;
      state_age_s: number;
    }[];
    /**
     * pg_stat_replication on the primary.
     */
    replicas: {
      application_name: string;
      client_addr: string | null;
      state: string;
      lag_bytes: number | null;
      replay_lag_s: number | null;
    }[];
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
    /**
     * Where the newest backup's time comes from. Base backups (what a restore starts from): pgbackrest (`pgbackrest info --output=json`, the newest good backup's stop time per stanza), wal_g (`wal-g backup-list --json --detail`, oldest first: the newest is taken), barman (`barman -f json list-backups all`, or its text listing, whose times are read as UTC; only DONE backups), pg_basebackup (the newest backup in `path`: its backup_manifest, else its backup_label). command: any argv printing one of those tools' JSON. file: a timestamp file. pg_stat_archiver: the last archived WAL segment, which proves archiving but not a base backup, so a fresh one is a WARN, never a PASS.
     */
    source: 'pgbackrest' | 'wal_g' | 'barman' | 'pg_basebackup' | 'command' | 'file' | 'pg_stat_archiver';
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
    override?: Override;
  };
  config: PreflightConfig;
}
export interface Run {
  run_id?: string;
  started_at: string;
  finished_at: string;
  operator: string;
  poolgate_version: string;
}
/**
 * One checklist item: what was measured, against what, and the verdict.
 */
export interface Item {
  /**
   * Stable key, e.g. error_rate:primary-1.
   */
  id: string;
  /**
   * What a person reads, e.g. 'error rate primary-1'.
   */
  item: string;
  /**
   * UNKNOWN: could not be measured (never counted as passed).
   */
  status: 'PASS' | 'FAIL' | 'WARN' | 'UNKNOWN';
  /**
   * The measured value as shown (with its unit), or why it could not be measured.
   */
  measured: string;
  /**
   * The measured number, when there is one.
   */
  value?: number | null;
  /**
   * The rule it was judged by, e.g. '< 0.1 %'.
   */
  threshold: string;
  /**
   * Why, and what to do next.
   */
  detail?: string;
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
export interface InstanceSample {
  name: string;
  url: string;
  /**
   * Why it could not be measured.
   */
  error: string | null;
  rates: null | Rates;
  /**
   * The service's windowed p95 at the end of the window.
   */
  latency_p95_ms: number | null;
  /**
   * Observations behind that p95.
   */
  latency_count: number | null;
  pool?: {
    max: number;
    min: number;
    total: number;
    active: number;
    idle: number;
    waiting: number;
    utilization: number;
    acquire_wait_p95_ms: number;
  };
}
/**
 * Exact rates from two samples of an instance's cumulative counters; not usable across a restart.
 */
export interface Rates {
  usable: boolean;
  reason?: string;
  interval_s: number;
  requests: number;
  errors: number;
  error_rate: number | null;
  requests_per_s: number;
  connects: number;
  disconnects: number;
  churn_per_s: number;
  acquire_timeouts: number;
  pool_errors: number;
}
/**
 * Client backends (the probe itself excluded) from pg_stat_activity.
 */
export interface Activity {
  db_total: number;
  db_by_state: {
    [k: string]: number;
  };
  db_by_application: {
    [k: string]: number;
  };
  server_total: number;
}
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
/**
 * Run outside the window anyway: recorded in the evidence (the item passes as WARN).
 */
export interface Override {
  reason: string;
  by: string;
  at?: string;
}
/**
 * The thresholds in force (defaults filled in).
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
     * argv (no shell): for source command, a program printing pgBackRest, WAL-G or Barman JSON; for pgbackrest, wal_g or barman, replaces the tool's default command (e.g. [pgbackrest, --stanza=main, info, --output=json], or an ssh to the backup host).
     *
     * @minItems 1
     */
    command?: [string, ...string[]];
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
    override?: Override;
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
