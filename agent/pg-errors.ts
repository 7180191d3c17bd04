/** A PostgreSQL error carries a 5-character SQLSTATE; anything else (socket closed, timeout) is the connection's. */
export function isSqlError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}
