/**
 * The contract's endpoints and where they are served. Pure: which endpoint a request URL names, given the
 * agent's path prefix. Runs on every request the app serves, so it only compares strings.
 */
export type Endpoint = 'health' | 'metrics' | 'pool-config' | 'prometheus';

export const ENDPOINT_PATHS: Readonly<Record<Endpoint, string>> = {
  health: '/health',
  metrics: '/api/health/metrics',
  'pool-config': '/api/health/pool-config',
  prometheus: '/metrics',
};

// Parallel arrays walked by index: a for-of over entries with destructuring is ~3 times the bytecode, and this
// function is inlined into the app's request handler, whose inlining budget it would take from the app's own calls.
const NAMES = Object.keys(ENDPOINT_PATHS) as Endpoint[];
const PATHS = Object.values(ENDPOINT_PATHS);
/** Each path's second character ("/h", "/a", "/m"): most app URLs differ there, and it is read without a call. */
const SECOND = PATHS.map((p) => p.charCodeAt(1));

/** "/ops/" → "/ops", "" or "/" → "" (no prefix). Anything else than a plain absolute path is a mistake. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(prefix)) {
    throw new TypeError(`agent prefix "${prefix}" must be an absolute URL path such as "/ops" (no query, no host)`);
  }
  return prefix.replace(/\/+$/, '');
}

/**
 * The endpoint a request URL (path and query, as in `req.url`) names, or undefined for the app's own routes.
 * It runs on every request the app serves, so it compares in place and allocates nothing.
 */
export function endpointOf(url: string, prefix: string): Endpoint | undefined {
  if (prefix !== '' && !url.startsWith(prefix)) return undefined;
  const at = prefix.length;
  const second = url.charCodeAt(at + 1);
  for (let i = 0; i < PATHS.length; i += 1) {
    const path = PATHS[i]!;
    if (second !== SECOND[i] || !url.startsWith(path, at)) continue;
    const end = at + path.length;
    if (url.length === end || url.charCodeAt(end) === 63 /* ? */) return NAMES[i];
  }
  return undefined;
}
