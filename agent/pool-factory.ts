import pg from 'pg';
import type { PoolConfig } from './generated/pool-config';

/** What the agent asks of a pool factory: the pool config in force, plus who is asking. */
export interface PoolSettings extends PoolConfig {
  /** The instance's name: give it to PostgreSQL as application_name, so its sessions can be counted. */
  applicationName: string;
  /** 1 at start, +1 at each reload. */
  generation: number;
}

/** Builds one pg.Pool; called at start and at each reload. */
export type PoolFactory = (settings: PoolSettings) => pg.Pool;

/**
 * The pg.Pool options that honour the runbook's keys. pg's pool-level connectionTimeoutMillis bounds both the
 * handshake and the wait for a free connection, so with the runbook's 2000/10000 the 10 s acquire timeout could
 * never apply. The runbook means: handshake bounded by connectionTimeoutMillis, waiting by acquireTimeoutMillis
 * (acquire.ts). So the handshake timeout goes to each pg.Client and the pool's own queue timeout stays off.
 * A custom factory spreads these over its own connection options.
 */
export function pgPoolOptions(s: PoolSettings): pg.PoolConfig {
  const handshakeMs = s.connectionTimeoutMillis;
  class HandshakeTimedClient extends pg.Client {
    constructor(clientConfig?: pg.ClientConfig) {
      // pg-pool keeps the password as a non-enumerable option, so a spread alone would drop it.
      super({ ...clientConfig, password: clientConfig?.password, connectionTimeoutMillis: handshakeMs });
    }
  }
  return {
    application_name: s.applicationName,
    max: s.max,
    min: s.min,
    idleTimeoutMillis: s.idleTimeoutMillis,
    connectionTimeoutMillis: 0,
    Client: HandshakeTimedClient,
  };
}

/** A factory from connection options (host, port, database, user, password...; pg's PG* variables fill the rest). */
export function poolFactoryFrom(connection: pg.PoolConfig = {}): PoolFactory {
  return (s) => new pg.Pool({ ...connection, ...pgPoolOptions(s) });
}
