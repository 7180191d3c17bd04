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

const BY_PATH = new Map<string, Endpoint>(
  (Object.entries(ENDPOINT_PATHS) as [Endpoint, string][]).map(([name, path]) => [path, name]),
);

/** "/ops/" → "/ops", "" or "/" → "" (no prefix). Anything else than a plain absolute path is a mistake. */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === '/') return '';
  if (!/^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/.test(prefix)) {
    throw new TypeError(`agent prefix "${prefix}" must be an absolute URL path such as "/ops" (no query, no host)`);
  }
  return prefix.replace(/\/+$/, '');
}

/** The endpoint a request URL (path and query, as in `req.url`) names, or undefined for the app's own routes. */
export function endpointOf(url: string, prefix: string): Endpoint | undefined {
  if (prefix !== '' && !url.startsWith(prefix)) return undefined;
  const q = url.indexOf('?', prefix.length);
  return BY_PATH.get(q === -1 ? url.slice(prefix.length) : url.slice(prefix.length, q));
}
