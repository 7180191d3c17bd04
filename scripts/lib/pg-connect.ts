import fs from 'node:fs';
import { Client } from 'pg';
import { handedPassword } from './db-password';
import { InputError, MeasureError } from './errors';
import type { DatabaseTarget } from '../types/database';

/**
 * One short-lived probe connection (probes must cost at most one connection), in autocommit so each statement
 * sees fresh statistics. The password comes from the plan's password_file, else the one Ansible handed over from the
 * vault (db-password.ts), else PGPASSWORD — never from argv.
 */
export async function connectProbe(db: DatabaseTarget): Promise<Client> {
  let password: string | undefined = handedPassword() ?? process.env.PGPASSWORD;
  if (db.password_file) {
    try {
      password = fs.readFileSync(db.password_file, 'utf8').trim();
    } catch (err) {
      throw new InputError(
        `cannot read database password_file ${db.password_file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        'E_PASSWORD_FILE',
      );
    }
  }
  const client = new Client({
    host: db.host,
    port: db.port,
    database: db.database,
    user: db.user,
    password,
    application_name: 'poolgate',
    connectionTimeoutMillis: db.connect_timeout_ms ?? 3000,
    statement_timeout: 10000,
  });
  client.on('error', () => {
    /* a probe connection dying after use is reported by the failing query, not by crashing the process */
  });
  try {
    await client.connect();
  } catch (err) {
    // A handshake pg gave up on (no password for SCRAM) leaves its socket open until the server's
    // authentication_timeout (60 s by default) ends it, and the command with it.
    await client.end().catch(() => undefined);
    throw connectFailure(db, err);
  }
  return client;
}

/**
 * Why a probe could not connect. The server asking for a password when poolgate has none (no password_file, nothing
 * handed over by Ansible, no PGPASSWORD, no ~/.pgpass entry: a vault that was not loaded, say) surfaces in pg as
 * SCRAM's "client password must be a string"; the operator is told what is missing and where it can come from.
 */
export function connectFailure(db: DatabaseTarget, err: unknown): MeasureError {
  const message = err instanceof Error ? err.message : String(err);
  const where = `PostgreSQL ${db.host}:${db.port}/${db.database}`;
  if (/client password must be a (non-empty )?string/.test(message))
    return new MeasureError(
      `${where} asks ${db.user} for a password and poolgate was given none: set the plan's database.password_file, ` +
        `the inventory's vaulted password (Ansible hands it over), PGPASSWORD, or a ~/.pgpass entry`,
      'E_DB_NO_PASSWORD',
      { cause: err },
    );
  return new MeasureError(`cannot connect to ${where} as ${db.user}: ${message}`, 'E_DB_UNREACHABLE', { cause: err });
}

/** Run `fn` with one probe connection and always close it. */
export async function withProbe<T>(db: DatabaseTarget, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = await connectProbe(db);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}
