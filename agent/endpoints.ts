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

const ENTRIES = Object.entries(ENDPOINT_PATHS) as [Endpoint, string][];

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
  for (const [name, path] of ENTRIES) {
    if (!url.startsWith(path, at)) continue;
    const end = at + path.length;
    if (url.length === end || url.charCodeAt(end) === 63 /* ? */) return name;
  }
  return undefined;
}
