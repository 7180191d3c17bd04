import os from 'node:os';
import { InputError, MeasureError } from '../errors';
import type { DatabaseTarget } from '../../types/database';
import { type DbFacts } from './parameters';
import { concurrencyBudget } from './recommend';

export interface Queryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface SlotLimits {
  max_connections: number;
  superuser_reserved: number;
  reserved: number;
  role_conn_limit: number | null;
  database_conn_limit: number | null;
}

/** One statement, so the probe costs one round trip on its one connection. reserved_connections is 16+. */
const SLOTS_SQL = `SELECT current_setting('max_connections')::int AS max_connections,
       current_setting('superuser_reserved_connections')::int AS superuser_reserved,
       coalesce(current_setting('reserved_connections', true), '0')::int AS reserved,
       (SELECT rolconnlimit FROM pg_roles WHERE rolname = $1) AS role_conn_limit,
       (SELECT datconnlimit FROM pg_database WHERE datname = current_database()) AS database_conn_limit`;

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

/** Read the connection limits; the row's shape is checked here, at the boundary. */
export async function readSlotLimits(c: Queryable, appUser: string | null): Promise<SlotLimits> {
  const { rows } = await c.query(SLOTS_SQL, [appUser]);
  const r = rows[0];
  const ok =
    r &&
    isInt(r.max_connections) &&
    isInt(r.superuser_reserved) &&
    isInt(r.reserved) &&
    (r.role_conn_limit === null || isInt(r.role_conn_limit)) &&
    (r.database_conn_limit === null || isInt(r.database_conn_limit));
  if (!ok)
    throw new MeasureError(
      `the connection-limits probe returned an unexpected row: ${JSON.stringify(r)}`,
      'E_ADVISE_PROBE_SHAPE',
    );
  return r as unknown as SlotLimits;
}

/**
 * Slots the application may use: max_connections - superuser_reserved - reserved, lowered by the app role's
 * rolconnlimit and the database's datconnlimit when they are set (-1 means no limit).
 */
export function usableFromLimits(l: SlotLimits): number {
  let usable = l.max_connections - l.superuser_reserved - l.reserved;
  for (const limit of [l.role_conn_limit, l.database_conn_limit])
    if (limit !== null && limit >= 0) usable = Math.min(usable, limit);
  return Math.max(0, usable);
}

export interface DbFactsInput {
  cores?: number;
  /** PostgreSQL runs on this host: its cores are this host's (nproc). */
  local?: boolean;
  spindles: number;
  usableSlots?: number;
  database?: DatabaseTarget | null;
  /** Runs `fn` with one probe connection (withProbe from pg-connect in the CLI, a fake in tests). */
  probe?: <T>(db: DatabaseTarget, fn: (c: Queryable) => Promise<T>) => Promise<T>;
  localCores?: () => number;
}

/** Cores and slots from flags, this host, or one probe connection; unknown stays null (and is said so). */
export async function resolveDbFacts(input: DbFactsInput): Promise<DbFacts> {
  if (input.cores !== undefined && (!Number.isInteger(input.cores) || input.cores < 1)) {
    throw new InputError(`--db-cores must be a whole number >= 1, got ${input.cores}`, 'E_ADVISE_CORES');
  }
  if (!(input.spindles >= 0))
    throw new InputError(`--db-spindles must be >= 0, got ${input.spindles}`, 'E_ADVISE_SPINDLES');
  if (input.usableSlots !== undefined && (!Number.isInteger(input.usableSlots) || input.usableSlots < 0)) {
    throw new InputError(`--db-usable-slots must be a whole number >= 0, got ${input.usableSlots}`, 'E_ADVISE_SLOTS');
  }
  let cores: number | null = null;
  let coresSource: DbFacts['cores_source'] = 'unknown';
  if (input.cores !== undefined) {
    cores = input.cores;
    coresSource = 'given';
  } else if (input.local) {
    cores = (input.localCores ?? os.availableParallelism)();
    coresSource = 'local';
  }
  const facts: DbFacts = {
    cores,
    cores_source: coresSource,
    spindles: input.spindles,
    concurrency_budget: concurrencyBudget(cores, input.spindles),
    max_connections: null,
    superuser_reserved: null,
    reserved: null,
    role_conn_limit: null,
    database_conn_limit: null,
    usable_slots: null,
    slots_source: 'unknown',
  };
  if (input.usableSlots !== undefined) return { ...facts, usable_slots: input.usableSlots, slots_source: 'given' };
  if (input.database && input.probe) {
    const db = input.database;
    const limits = await input.probe(db, (c) => readSlotLimits(c, db.app_user ?? null));
    return { ...facts, ...limits, usable_slots: usableFromLimits(limits), slots_source: 'probe' };
  }
  return facts;
}
