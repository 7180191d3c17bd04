/* Generated from schemas/plan.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * @minItems 1
 */
export type Targets = [
  {
    name: string;
    /**
     * Base URL of the instance: scheme and host, and the path prefix its contract endpoints live under if any (https://host/ops), with no trailing slash.
     */
    url: string;
    role?: 'standby' | 'primary';
    /**
     * Path of the instance's JSON-lines log file, read on the instance's host (the plan's hosts entry of the target's name; without one, on the control node). For log summaries; optional.
     */
    log?: string;
    /**
     * The systemd unit whose journal holds the instance's log (journalctl -u <unit> -o json on the instance's host); each entry's MESSAGE is a JSON line or plain text judged by its PRIORITY. Excludes log.
     */
    journal?: string;
    /**
     * A file on the control node holding the bearer token the instance's contract endpoints require (poolgate sends Authorization: Bearer <its content, trimmed> on every probe). Never the token itself.
     */
    token_file?: string;
    /**
     * Or the environment variable holding that token.
     */
    token_env?: string;
  },
  ...{
    name: string;
    /**
     * Base URL of the instance: scheme and host, and the path prefix its contract endpoints live under if any (https://host/ops), with no trailing slash.
     */
    url: string;
    role?: 'standby' | 'primary';
    /**
     * Path of the instance's JSON-lines log file, read on the instance's host (the plan's hosts entry of the target's name; without one, on the control node). For log summaries; optional.
     */
    log?: string;
    /**
     * The systemd unit whose journal holds the instance's log (journalctl -u <unit> -o json on the instance's host); each entry's MESSAGE is a JSON line or plain text judged by its PRIORITY. Excludes log.
     */
    journal?: string;
    /**
     * A file on the control node holding the bearer token the instance's contract endpoints require (poolgate sends Authorization: Bearer <its content, trimmed> on every probe). Never the token itself.
     */
    token_file?: string;
    /**
     * Or the environment variable holding that token.
     */
    token_env?: string;
  }[]
];
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
 * The runbook's Executive Operator.
 */
export type Who = string[];
/**
 * The runbook's Product Lead.
 */
export type Who1 = string[];
/**
 * The on-call engineer (the checklist's 30-minute responder) or their rota's channel.
 */
export type Who2 = string[];

/**
 * Everything one pool change needs, in one file. Ansible renders it from the inventory's group_vars into the run's evidence folder (no secrets: only password file paths); every command takes it with --plan and reads the sections it needs, and flags override. Standalone users may write it by hand.
 */
export interface Plan {
  run_id?: string;
  operator?: string;
  change: PoolChange;
  targets: Targets;
  /**
   * Every host of the inventory by its inventory name, with how poolgate reaches it (rendered from the inventory; no secrets). A target's log or journal is read on the host of the target's name; monitor.db_cpu.host names the database host.
   */
  hosts?: {
    [k: string]: HostConnection;
  };
  database?: DatabaseTarget;
  lb?: {
    /**
     * HAProxy admin socket path on the load balancer's host (the rollout's Ansible tasks open it there).
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
  stakeholders?: Stakeholders;
  rollback?: RollbackConfig;
  /**
   * Where every command reads the instances' metrics (flags --metrics-source, --prometheus-url, --metrics-window override). json: GET /api/health/metrics (the default). scrape: GET /metrics, the Prometheus text format. prometheus: PromQL against a Prometheus server that scrapes the instances.
   */
  metrics_source?: {
    kind: 'json' | 'scrape' | 'prometheus';
    /**
     * The Prometheus server (kind prometheus; also the node exporter DB CPU source).
     */
    prometheus_url?: string;
    /**
     * Percentile window: rate(..._bucket[window]) for prometheus, the scrape memory for scrape (default 60, the service's own window).
     */
    window_s?: number;
    /**
     * The Prometheus label whose value is the target's name (default instance).
     */
    instance_label?: string;
  };
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
 * How poolgate reaches one host of the fleet for what only that host can tell (the database host's CPU, an instance's journald or log file): the same settings Ansible uses, rendered from the inventory (ansible_host, ansible_user, ansible_port, ansible_ssh_private_key_file, ansible_ssh_common_args, ansible_become). Every call is bounded in time and reuses one SSH connection per host (ControlMaster); a host that cannot be reached is 'could not measure' (exit 3).
 */
export interface HostConnection {
  /**
   * ssh: the system ssh client; local: the control node itself (ansible_connection: local).
   */
  connection: 'ssh' | 'local';
  /**
   * Host name or address (ansible_host, else the inventory name).
   */
  address: string;
  /**
   * Remote user (ansible_user); absent: ssh's default.
   */
  user?: string;
  /**
   * SSH port (ansible_port); absent: ssh's default.
   */
  port?: number;
  /**
   * Identity file on the control node (ansible_ssh_private_key_file).
   */
  private_key_file?: string;
  /**
   * Extra ssh options as Ansible takes them (ansible_ssh_common_args), split like a shell does, e.g. -o UserKnownHostsFile=/etc/poolgate/known_hosts.
   */
  common_args?: string;
  /**
   * Run the read through `sudo -n` (ansible_become): reading another user's postmaster.pid or the system journal needs it.
   */
  become?: boolean;
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
/**
 * Step 4 (immediate verification) as data (plan.verify). The expected pool comes from plan.change.to (or --expect-max/--expect-min). Defaults are the runbook's values.
 */
export interface VerifyConfig {
  /**
   * Sample window for rates (error rate, pool churn, new backends).
   */
  window_s?: number;
  /**
   * Runbook 'Expected: 20-40 (min pool size + active queries)'. Default range: Σ expected min over the instances .. Σ min + allowance.
   */
  connections?: {
    /**
     * Lowest expected count (default Σ expected pool min).
     */
    min?: number;
    /**
     * Highest expected count (default Σ min + allowance).
     */
    max?: number;
    /**
     * Active queries on top of the pre-warmed minimum (default Σ min, which gives the runbook's 20-40 for one instance).
     */
    allowance?: number;
    /**
     * instances: backends whose application_name is an instance name; database: every client backend of the database.
     */
    scope?: 'instances' | 'database';
    /**
     * Fewer than min: pg.Pool's min does not pre-open connections, so an idle fleet may sit below it.
     */
    below_min?: 'fail' | 'warn';
  };
  /**
   * Runbook '< 500 ms': strictly below.
   */
  max_p95_ms?: number;
  /**
   * Runbook 'Latency regression > 20 %' against the baseline snapshot fails (at exactly 20 % it passes).
   */
  max_p95_regression?: number;
  /**
   * A regression must also add at least this many ms: 2 ms → 2.5 ms is noise, not a regression.
   */
  min_regression_ms?: number;
  /**
   * Runbook 'Error rate spike > 1 %': the window's error rate minus the baseline's (0 without a baseline) above this fails.
   */
  max_error_rate_spike?: number;
  /**
   * Connection thrashing: the pools open and close connections instead of reusing them.
   */
  thrashing?: {
    /**
     * Per instance: (pool connects + disconnects) / s over the window; above fails.
     */
    max_pool_churn_per_s?: number;
    /**
     * Database: client backends started within the window (backend_start) / window; above fails.
     */
    max_new_backends_per_s?: number;
  };
  /**
   * Error log lines at or after this time are new. Default: the baseline snapshot's time, else the start of this verify.
   */
  since?: string;
  /**
   * How many of the last matching log lines the evidence keeps.
   */
  log_lines?: number;
}
/**
 * The synthetic load test (runbook Step 5; the plan's `loadtest` section, flags override). What is sent comes from a scenario file (loadtest-scenario.schema.json). The runbook's `--requests 500 --concurrency 50 --duration 10m` is read as (docs/load-test.md): an open loop that runs for `duration` at a sustained arrival rate with at most `concurrency` requests in flight, sending at least `requests`; the rate is the larger of requests/duration and `baseline_factor` times the traffic the pre-change snapshot measured (loadtest --baseline), so the test puts the pool under real load, not under 0.83 requests per second. A send that finds `concurrency` in flight waits, and its latency still counts from its intended send time. Closed loop: `concurrency` workers send back to back until `requests` or `duration` is reached. Runbook defaults: 500 requests, concurrency 50, 10m.
 */
export interface LoadtestConfig {
  /**
   * Where client traffic enters (e.g. the load balancer's frontend); defaults to the plan's lb.url.
   */
  url?: string;
  /**
   * The scenario file (YAML or JSON, loadtest-scenario.schema.json) whose requests the load test sends; a relative path is read from the current directory. Required: poolgate knows no service's API of its own.
   */
  scenario?: string;
  /**
   * Whether this target may receive the scenario's writes (its requests with `writes: true`). Without it a scenario that writes is refused (exit 2) before anything is sent: set it only where the writes land somewhere harmless (a lab, a staging database, a service whose test writes are isolated).
   */
  allow_writes?: boolean;
  /**
   * Weights that replace the scenario's: request name → weight, and a request not named gets 0 (is not sent). Default: the scenario's own weights.
   */
  mix?: {
    [k: string]: number;
  };
  mode?: 'open' | 'closed';
  requests?: number;
  /**
   * A duration with a unit: 500ms, 30s, 10m, 1h, 1m30s.
   */
  duration?: string;
  /**
   * Open loop arrival rate in requests/s; with `requests` and `duration` two of the three are enough. An explicit rate wins over the baseline-derived one.
   */
  rate?: number;
  /**
   * With a baseline (loadtest --baseline <pre_change_snapshot.json>), the open loop's sustained rate is at least this multiple of the traffic the snapshot measured (the sum of its instances' requests_per_s), on top of the real traffic that keeps flowing; `requests` then only sets the minimum sample. 1 (default): as much synthetic traffic again as the fleet serves.
   */
  baseline_factor?: number;
  concurrency?: number;
  /**
   * Per-request timeout (headers and body).
   */
  timeout?: string;
  /**
   * How long after `duration` in-flight requests may still finish before the hard stop; defaults to `timeout`.
   */
  grace?: string;
  /**
   * Open every connection (GET /health) before the clock starts.
   */
  warmup?: boolean;
  /**
   * How often each target's /api/health/metrics is sampled during the run.
   */
  sample_interval?: string;
}
/**
 * What `poolgate analyze` judges a load-test result against (the plan's `criteria` section; a --criteria file; flags override). Defaults are the runbook's Step 5. Every max_* limit is strict, as the runbook writes it ("p95 < 500ms"): a value exactly at the limit FAILS. "No X" criteria pass only at zero.
 */
export interface LoadtestCriteria {
  /**
   * Judge latency timed from each request's intended send time (coordinated-omission corrected, the default) or from its actual send.
   */
  latency_view?: 'intended' | 'send';
  max_p50_ms?: number;
  max_p95_ms?: number;
  max_p99_ms?: number;
  /**
   * Failed requests (any error kind) / requests sent, in percent.
   */
  max_error_rate_pct?: number;
  /**
   * Highest pool utilisation of any instance by either measure: the per-interval mean (busy connection-time / (interval x max), from the cumulative hold_ms_sum; catches bursts between samples) or the sampled active/max.
   */
  max_pool_utilization_pct?: number;
  /**
   * No connection (pool acquire) timeouts on any instance during the run.
   */
  forbid_acquire_timeouts?: boolean;
  /**
   * No pool exhaustion: requests waiting for a connection in `exhaustion_sustained_samples` consecutive samples, or a sampled utilisation >= 100 %, or acquire timeouts > 0.
   */
  forbid_pool_exhaustion?: boolean;
  /**
   * Consecutive samples with waiting > 0 that count as sustained waiting.
   */
  exhaustion_sustained_samples?: number;
  /**
   * Every request the schedule called for was sent before the hard stop.
   */
  forbid_dropped_sends?: boolean;
  /**
   * The load test's achieved arrival rate must be at least this percentage of the baseline's measured traffic rate (load_level in the load-test result, from the pre-change snapshot): below it, the test did not load the pool as production traffic does.
   */
  min_load_vs_baseline_pct?: number;
  /**
   * How a load below min_load_vs_baseline_pct is judged: warn (the analysis still passes, with a warning) or fail. With fail, a load test that was not compared with a baseline at all could not be measured.
   */
  load_below_baseline?: 'warn' | 'fail';
  /**
   * When true, pool criteria without samples are "could not measure" (exit 3); when false they are skipped.
   */
  require_pool_metrics?: boolean;
}
/**
 * The runbook's Step 6 (sustained monitoring) as data: sampling cadence, alert levels, rollback triggers with their 'sustained for' windows, the P0 signal, the DB CPU source and the monitoring-outage policy. Every key is optional; the runbook's values are the defaults (scripts/lib/judge/monitor-defaults.ts). A list given here (alerts, triggers) replaces the default list whole.
 */
export interface MonitorConfig {
  /**
   * Seconds between samples (runbook: 300).
   */
  interval_s?: number;
  /**
   * How long to monitor (runbook: 3600).
   */
  duration_s?: number;
  /**
   * Length of a reporting window for --windowed (default: 300, the runbook's 5-minute capture cadence).
   */
  window_s?: number;
  /**
   * Fleet p95: max over instances (default; the worst instance's users see it), or the instances' p95 weighted by their requests in the interval (an approximation: percentiles do not average).
   */
  fleet_p95?: 'max' | 'traffic_weighted';
  /**
   * Alert levels, judged on every sample (no sustain); each rule gives above, below or both. Runbook: pool utilisation > 70 % warning, > 85 % critical; error rate > 0.5 % critical; p95 > 1 s critical.
   */
  alerts?: {
    /**
     * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_backends: client backends connected to the database now (pg_stat_activity, the runbook's psql count). db_cpu_pct: database CPU, 0..100 of all cores.
     */
    metric:
      | 'error_rate'
      | 'p95_ms'
      | 'pool_utilization'
      | 'acquire_wait_p95_ms'
      | 'churn_per_s'
      | 'new_backends_per_s'
      | 'db_backends'
      | 'db_cpu_pct';
    /**
     * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s, db_backends and db_cpu_pct exist only at fleet scope.
     */
    scope?: 'each_instance' | 'fleet';
    level: 'warning' | 'critical';
    /**
     * Alert when the value is strictly greater.
     */
    above?: number;
    /**
     * Alert when the value is strictly lower (a floor, e.g. the DB connection range).
     */
    below?: number;
  }[];
  /**
   * Runbook Step 6, 'Active DB connections (should be 20-60 under normal load)': the client backends connected to the database (pg_stat_activity for the plan's database, the runbook's own psql count), judged on every sample as a WARNING when strictly below min or above max (never a rollback trigger), with its own line in the verification report. A range for this fleet, set per inventory. Absent: the runbook's 20-60, read as the range for a fleet of four instances and scaled linearly with the number of targets, 5-15 per instance (n instances: 5n to 15n; four: 20-60, eight: 40-120). Each instance keeps at least its pool's min open (pg-pool does not evict below min, the agent prewarms it): with the runbook's new min 20 on four instances the pools alone hold 80, above the default's 60, so set the range your fleet really runs at.
   */
  db_connections?: {
    min: number;
    max: number;
  };
  /**
   * Rollback triggers. A trigger fires when every sample of its trailing run breaches (value > above), the run spans at least sustained_s between its first and last sample, and holds at least min_samples samples. An unmeasured sample or a dropped interval (counter reset, no traffic) is not a breach and ends the run.
   */
  triggers?: {
    name: string;
    /**
     * error_rate: fraction 0..1 (Δerrors/Δrequests between samples). p95_ms: the instance's latency p95 over its window. pool_utilization: active/max, 0..1. acquire_wait_p95_ms: time to get a connection. churn_per_s: (Δconnects+Δdisconnects)/Δt of the pool. new_backends_per_s: new PostgreSQL sessions per second (pg_stat_database.sessions). db_backends: client backends connected to the database now (pg_stat_activity, the runbook's psql count). db_cpu_pct: database CPU, 0..100 of all cores.
     */
    metric:
      | 'error_rate'
      | 'p95_ms'
      | 'pool_utilization'
      | 'acquire_wait_p95_ms'
      | 'churn_per_s'
      | 'new_backends_per_s'
      | 'db_backends'
      | 'db_cpu_pct';
    /**
     * each_instance: judged per instance (fires on any one). fleet: one series for the fleet (error rate = ΣΔerrors/ΣΔrequests; p95 = fleet_p95 rule; utilisation and acquire wait = max; churn = sum). new_backends_per_s, db_backends and db_cpu_pct exist only at fleet scope.
     */
    scope?: 'each_instance' | 'fleet';
    above: number;
    /**
     * 0 = fire on the first breaching sample.
     */
    sustained_s: number;
    /**
     * Default 2.
     */
    min_samples?: number;
  }[];
  /**
   * A P0 incident rolls back immediately (no sustain). Signalled by a file existing, or a URL answering JSON {"p0": true}.
   */
  p0?: {
    file?: string;
    url?: string;
  };
  /**
   * Where database CPU comes from: a command on the control node printing a percentage (0..100 of all cores), or the postmaster.pid file (the postmaster's and its children's CPU from /proc) — on the database host named by `host` (read over its connection in the plan's hosts, one reused SSH connection), or on the control node without `host`.
   */
  db_cpu?: {
    command?: string;
    pid_file?: string;
    /**
     * The database host (a key of the plan's hosts) whose pid_file and /proc are read.
     */
    host?: string;
  };
  /**
   * What a monitoring outage (a sample where an instance, the database or a configured source could not be measured) does. fail: the first unmeasured sample ends monitoring with 'could not measure' (exit 3). ignore_until: unmeasured samples are gaps until max_consecutive_unmeasured in a row, then exit 3. rollback: like ignore_until but the limit fires the monitoring_outage trigger (exit 1).
   */
  outage?: {
    policy?: 'fail' | 'rollback' | 'ignore_until';
    max_consecutive_unmeasured?: number;
  };
}
/**
 * Who hears about a change, per role (plan.stakeholders, rendered from pool_scaling_stakeholders): the runbook's incident response ('NOTIFY - Alert stakeholders (Executive Operator, Product Lead)') and the on-call engineer of its checklist. Each entry is a person or a channel as the message should name it ('Dana Reyes', '#ledger-ops', 'db-oncall@example.com'). Every notification names the roles it is for and who they are (scripts/lib/stakeholders.ts: start and gate_failed go to on-call; rollback and success to all three); a role with nobody named is a preflight WARN.
 */
export interface Stakeholders {
  executive_operator?: Who;
  product_lead?: Who1;
  on_call?: Who2;
}
/**
 * The runbook's rollback procedure as data (plan.rollback, rendered from pool_scaling_rollback): how long a rollback may take ('Expected Rollback Time: 5-10 minutes') and its step 4, 'Monitor for 15 minutes - verify metrics return to baseline'. Every key defaults to the runbook.
 */
export interface RollbackConfig {
  /**
   * Runbook 'Expected Rollback Time: 5-10 minutes': the rollback's time, from its trigger (the failed gate's verdict, else the rollback's start) to every host read back at the old values, passes at or under this bound and fails above it (in the incident, the report and the HTML). Preflight also counts it as the time a rollback needs inside the change window.
   */
  max_s?: number;
  /**
   * The watch after a rollback (poolgate rollback-watch): the fleet sampled like the monitor, then judged against the baseline snapshot (pre_change_snapshot_<ts>.json). The samples after settle_s must be within the tolerances of the baseline; any figure outside is NOT BACK AT BASELINE (a P1 incident), a figure that cannot be compared is not judged (never passed).
   */
  watch?: {
    /**
     * Runbook: 15 minutes.
     */
    duration_s?: number;
    /**
     * Seconds between samples.
     */
    interval_s?: number;
    /**
     * The first seconds of the watch are shown but not judged: right after a reload the service's latency window and the pools' idle connections still hold the change's figures. The judged part is from settle_s to the end (it must hold at least two samples).
     */
    settle_s?: number;
    /**
     * How far from the baseline still counts as 'returned'. Fleet figures: error rate Σerrors/Σrequests, p95 the median of the samples' worst-instance p95, utilisation and acquire wait their highest; each compared with the baseline's worst instance.
     */
    tolerance?: {
      /**
       * Error rate at most the baseline's + this many percentage points (the runbook's 0.1 %).
       */
      error_rate_pp?: number;
      /**
       * p95 at most the baseline's + this per cent (the runbook's 'latency regression > 20 %').
       */
      p95_pct?: number;
      /**
       * …and + this many ms, so a 2 ms baseline is not judged on noise.
       */
      p95_ms?: number;
      /**
       * Highest pool utilisation at most the baseline's + this many percentage points.
       */
      pool_utilization_pp?: number;
      /**
       * Highest acquire wait p95 at most the baseline's + this many ms (the runbook's 10 ms connection wait).
       */
      acquire_wait_ms?: number;
      /**
       * Median DB connections (pg_stat_activity) within ± this per cent of the baseline's…
       */
      db_connections_pct?: number;
      /**
       * …± this many connections.
       */
      db_connections_abs?: number;
    };
  };
}
