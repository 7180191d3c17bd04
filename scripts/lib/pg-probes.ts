/**
 * Read-only probes of PostgreSQL's catalog views, all through ONE connection (probes must cost at most one
 * slot) in autocommit, so each statement sees fresh statistics. The monitoring role needs `pg_monitor` to see
 * other sessions' rows. Takes anything with `query()` (a pg Client, or a fake in unit tests).
 */
import type { Activity as EvidenceActivity } from '../types/evidence-common';
import type { BlockedSession, PrimaryReplica, Transaction } from '../types/preflight-result';

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface ServerFacts {
  version_num: number;
  in_recovery: boolean;
  now: string;
  max_connections: number;
  superuser_reserved_connections: number;
  /** PostgreSQL 16+; 0 where the setting does not exist. */
  reserved_connections: number;
}

export interface ActivityGroup {
  datname: string | null;
  state: string;
  application_name: string;
  count: number;
}

/**
 * pg_stat_activity as the evidence keeps it (the target database's counts), with the whole server's client
 * backends by database, state and application_name (this probe excluded).
 */
export type Activity = EvidenceActivity & { groups: ActivityGroup[] };

export type { BlockedSession, PrimaryReplica, Transaction };

export interface ReplicaSelf {
  receive_lsn: string | null;
  replay_lsn: string | null;
  lag_bytes: number | null;
  lag_s: number | null;
  paused: boolean;
}

export interface CapacityFacts {
  max_connections: number;
  superuser_reserved_connections: number;
  reserved_connections: number;
  role_conn_limit: number | null;
  db_conn_limit: number | null;
  /** Client backends on the server not belonging to the instances (this probe counted: it is a real slot). */
  other_clients_now: number;
  other_clients_in_db_now: number;
}

export async function serverFacts(c: Queryable): Promise<ServerFacts> {
  const { rows } = await c.query<{
    version_num: number;
    in_recovery: boolean;
    now: Date;
    max_connections: number;
    superuser_reserved: number;
    reserved: number | null;
  }>(
    `SELECT current_setting('server_version_num')::int AS version_num, pg_is_in_recovery() AS in_recovery, now() AS now,
            current_setting('max_connections')::int AS max_connections,
            current_setting('superuser_reserved_connections')::int AS superuser_reserved,
            current_setting('reserved_connections', true)::int AS reserved`,
  );
  const r = rows[0]!;
  return {
    version_num: r.version_num,
    in_recovery: r.in_recovery,
    now: new Date(r.now).toISOString(),
    max_connections: r.max_connections,
    superuser_reserved_connections: r.superuser_reserved,
    reserved_connections: r.reserved ?? 0,
  };
}

/** Pure: roll activity groups up for one database. */
export function summariseActivity(groups: ActivityGroup[], database: string): Activity {
  const byState: Record<string, number> = {};
  const byApp: Record<string, number> = {};
  let dbTotal = 0;
  let serverTotal = 0;
  for (const g of groups) {
    serverTotal += g.count;
    if (g.datname !== database) continue;
    dbTotal += g.count;
    byState[g.state] = (byState[g.state] ?? 0) + g.count;
    const app = g.application_name === '' ? '(none)' : g.application_name;
    byApp[app] = (byApp[app] ?? 0) + g.count;
  }
  return { groups, db_total: dbTotal, db_by_state: byState, db_by_application: byApp, server_total: serverTotal };
}

export async function activity(c: Queryable, database: string): Promise<Activity> {
  const { rows } = await c.query<ActivityGroup>(
    `SELECT datname, coalesce(state, '(hidden)') AS state, coalesce(application_name, '') AS application_name, count(*)::int AS count
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return summariseActivity(rows, database);
}

export async function blockedSessions(c: Queryable, database: string): Promise<BlockedSession[]> {
  const { rows } = await c.query<BlockedSession>(
    `SELECT pid, coalesce(application_name, '') AS application_name, coalesce(state, '(hidden)') AS state,
            wait_event_type || ':' || wait_event AS wait_event, pg_blocking_pids(pid) AS blocked_by,
            coalesce(extract(epoch FROM now() - coalesce(query_start, state_change)), 0)::float8 AS waiting_s
       FROM pg_stat_activity
      WHERE datname = $1 AND cardinality(pg_blocking_pids(pid)) > 0
      ORDER BY waiting_s DESC`,
    [database],
  );
  return rows;
}

/** Open transactions of client backends in the database (this probe excluded), oldest first. */
export async function openTransactions(c: Queryable, database: string): Promise<Transaction[]> {
  const { rows } = await c.query<Transaction>(
    `SELECT pid, coalesce(application_name, '') AS application_name, coalesce(state, '(hidden)') AS state,
            extract(epoch FROM now() - xact_start)::float8 AS xact_age_s,
            coalesce(extract(epoch FROM now() - state_change), 0)::float8 AS state_age_s
       FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname = $1 AND xact_start IS NOT NULL AND pid <> pg_backend_pid()
      ORDER BY xact_start`,
    [database],
  );
  return rows;
}

/** Pure: `idle in transaction` and `idle in transaction (aborted)` (with the parentheses) both count. */
export function isIdleInTransaction(state: string): boolean {
  return state === 'idle in transaction' || state === 'idle in transaction (aborted)';
}

/** On a primary: every connected replica, bytes behind (current WAL − replayed) and replay_lag in seconds. */
export async function primaryReplicas(c: Queryable): Promise<PrimaryReplica[]> {
  const { rows } = await c.query<PrimaryReplica>(
    `SELECT coalesce(application_name, '') AS application_name, client_addr::text AS client_addr, coalesce(state, '(hidden)') AS state,
            pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes,
            extract(epoch FROM replay_lag)::float8 AS replay_lag_s
       FROM pg_stat_replication ORDER BY application_name`,
  );
  return rows;
}

/**
 * On a replica: bytes received but not replayed, and seconds since the last replayed transaction — 0 when
 * everything received is replayed (an idle primary must not look like lag).
 */
export async function replicaSelf(c: Queryable): Promise<ReplicaSelf> {
  const { rows } = await c.query<ReplicaSelf>(
    `SELECT pg_last_wal_receive_lsn()::text AS receive_lsn, pg_last_wal_replay_lsn()::text AS replay_lsn,
            pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 AS lag_bytes,
            (CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                  ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END)::float8 AS lag_s,
            pg_is_wal_replay_paused() AS paused`,
  );
  return rows[0]!;
}

export async function capacityFacts(
  c: Queryable,
  server: ServerFacts,
  act: Activity,
  opts: { database: string; appUser?: string; instanceNames: string[] },
): Promise<CapacityFacts> {
  let roleLimit: number | null = null;
  if (opts.appUser) {
    const { rows } = await c.query<{ rolconnlimit: number }>('SELECT rolconnlimit FROM pg_roles WHERE rolname = $1', [
      opts.appUser,
    ]);
    roleLimit = rows[0]?.rolconnlimit ?? null;
  }
  const db = await c.query<{ datconnlimit: number }>('SELECT datconnlimit FROM pg_database WHERE datname = $1', [
    opts.database,
  ]);
  const names = new Set(opts.instanceNames);
  let other = 1; // this probe's own connection holds a slot too
  let otherInDb = 1;
  for (const g of act.groups) {
    if (names.has(g.application_name)) continue;
    other += g.count;
    if (g.datname === opts.database) otherInDb += g.count;
  }
  return {
    max_connections: server.max_connections,
    superuser_reserved_connections: server.superuser_reserved_connections,
    reserved_connections: server.reserved_connections,
    role_conn_limit: roleLimit,
    db_conn_limit: db.rows[0]?.datconnlimit ?? null,
    other_clients_now: other,
    other_clients_in_db_now: otherInDb,
  };
}

/**
 * Client backends of the database that started in the last `seconds` (still alive at the end of the window).
 * Sessions that opened and closed inside the window are missed; the pools' own connect counters catch those.
 */
export async function newBackends(c: Queryable, database: string, seconds: number): Promise<number> {
  const { rows } = await c.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE backend_type = 'client backend' AND datname = $1 AND pid <> pg_backend_pid()
        AND backend_start >= now() - make_interval(secs => $2)`,
    [database, seconds],
  );
  return rows[0]!.n;
}

export interface ArchiverFacts {
  archived_count: string;
  last_archived_time: Date | null;
  failed_count: string;
  last_failed_time: Date | null;
}

export async function archiver(c: Queryable): Promise<ArchiverFacts> {
  const { rows } = await c.query<ArchiverFacts>(
    'SELECT archived_count::text, last_archived_time, failed_count::text, last_failed_time FROM pg_stat_archiver',
  );
  return rows[0]!;
}
