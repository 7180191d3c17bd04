/**
 * A pool config the agent refuses (unreadable, not JSON/YAML, against the schema, min > max). `problems` names
 * each field and the rule it broke; `code` is stable for logs and tests. The message is what
 * `/api/health/pool-config` reports as `last_reload_error`, so it names the file and never a secret.
 */
export class PoolConfigError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}:\n  - ${problems.join('\n  - ')}` : message);
    this.name = 'PoolConfigError';
  }
}
