import { request } from 'undici';
import { ENDPOINT_PATHS, type Endpoint } from '../../../agent/endpoints';
import { authHeaders, type TokenRef } from '../target-auth';

/** One endpoint's raw answer, or why there was none. Judging it is items.ts's job. */
export interface RawAnswer {
  status: number | null;
  contentType: string;
  text: string;
  /** transport failure (refused, timed out); null when the endpoint answered anything */
  error: string | null;
}

export type ContractReading = Record<Endpoint, RawAnswer> & { at: number };

export const ENDPOINTS = Object.keys(ENDPOINT_PATHS) as Endpoint[];

/** GETs every contract endpoint of a target at once, with its token. Never throws: failures are in the answers. */
export async function readContract(
  target: { url: string } & TokenRef,
  timeoutMs: number,
  now: () => number = Date.now,
): Promise<ContractReading> {
  const headers = authHeaders(target);
  const answers = await Promise.all(ENDPOINTS.map((e) => get(`${target.url}${ENDPOINT_PATHS[e]}`, headers, timeoutMs)));
  const reading = { at: now() } as ContractReading;
  ENDPOINTS.forEach((e, i) => (reading[e] = answers[i]!));
  return reading;
}

/** /health only, for polling during a reload. */
export function readHealth(target: { url: string } & TokenRef, timeoutMs: number): Promise<RawAnswer> {
  return get(`${target.url}${ENDPOINT_PATHS.health}`, {}, timeoutMs);
}

async function get(url: string, headers: Record<string, string>, timeoutMs: number): Promise<RawAnswer> {
  try {
    const res = await request(url, {
      method: 'GET',
      headers,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.body.text();
    const type = res.headers['content-type'];
    return { status: res.statusCode, contentType: String(type ?? ''), text, error: null };
  } catch (err) {
    return { status: null, contentType: '', text: '', error: `GET ${url} failed: ${(err as Error).message}` };
  }
}

/** True when no endpoint answered at all: the service cannot be reached (could not measure, not a failure). */
export function unreachable(r: ContractReading): boolean {
  return ENDPOINTS.every((e) => r[e].status === null);
}
