/* Generated from schemas/database.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

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
