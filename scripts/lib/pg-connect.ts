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
    throw new MeasureError(
      `cannot connect to PostgreSQL ${db.host}:${db.port}/${db.database} as ${db.user}: ${(err as Error).message}`,
      'E_DB_UNREACHABLE',
      { cause: err },
    );
  }
  return client;
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
