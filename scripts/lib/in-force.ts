import { errorText } from './error-text';
import { getJson } from './http-json';
import { authHeaders, type TokenRef } from './target-auth';
import type { ServicePoolConfig } from '../types/service-pool-config';

/** What one target runs, read from its /api/health/pool-config (null and the reason when it does not answer). */
export interface InForce {
  name: string;
  config: ServicePoolConfig | null;
  error: string | null;
}

/**
 * Every target's pool config in force, read at once (with its bearer token when it needs one), validated against
 * the contract's schema. A target that does not answer, or answers what the contract does not allow, is reported
 * with the reason, never thrown: the caller judges it.
 */
export function readInForce(
  targets: ReadonlyArray<{ name: string; url: string } & TokenRef>,
  timeoutMs = 3000,
): Promise<InForce[]> {
  return Promise.all(
    targets.map((t) =>
      getJson<ServicePoolConfig>(`${t.url}/api/health/pool-config`, 'service-pool-config', {
        timeoutMs,
        headers: authHeaders(t),
      }).then(
        (r): InForce => ({ name: t.name, config: r.body, error: null }),
        (err: unknown): InForce => ({ name: t.name, config: null, error: errorText(err) }),
      ),
    ),
  );
}
