/** How a request failed: `http_<status>` (answered, wrong status), `timeout`, `connection`, or `other`. */
export type ErrorKind = string;

const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
  'POOLGATE_HEADERS_TIMEOUT',
  'POOLGATE_BODY_TIMEOUT',
]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'POOLGATE_CONNECT_TIMEOUT',
  'POOLGATE_SOCKET_CLOSED',
]);

/** Classifies a transport error by its stable `code` (undici, Node and socket-transport.ts all set one), never by message text. */
export function classifyError(err: unknown): ErrorKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (TIMEOUT_CODES.has(code)) return 'timeout';
    if (CONNECTION_CODES.has(code)) return 'connection';
  }
  return 'other';
}

export function httpErrorKind(status: number): ErrorKind {
  return `http_${status}`;
}
