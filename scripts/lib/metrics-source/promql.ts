import { getJson } from '../http-json';
import { parseValue } from './text-format';
import type { PromqlResponse } from '../../types/promql-response';

/** One element of an instant vector. */
export interface VectorSample {
  metric: Record<string, string>;
  value: number;
}

/** An instant query evaluated at `timeS` (seconds since the epoch). Injected in tests; HTTP in real runs. */
export type PromQuery = (promql: string, timeS: number) => Promise<VectorSample[]>;

/**
 * GET <prometheus>/api/v1/query: any failure (unreachable, an error status such as a bad query, an answer
 * of another shape) is a MeasureError, "could not measure".
 */
export function httpPromQuery(baseUrl: string, timeoutMs: number): PromQuery {
  const base = baseUrl.replace(/\/+$/, '');
  return async (promql, timeS) => {
    const url = `${base}/api/v1/query?${new URLSearchParams({ query: promql, time: timeS.toFixed(3) }).toString()}`;
    const { body } = await getJson<PromqlResponse>(url, 'promql-response', { timeoutMs });
    return body.data.result.map((r) => ({ metric: r.metric, value: parseValue(r.value[1] as string) }));
  };
}

/** A PromQL string literal (double-quoted; backslashes and quotes escaped). */
export function promString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}
