import { request } from 'undici';
import { MeasureError } from './errors';
import { isValid, problemsOf } from './schema';

export interface JsonResponse<T> {
  status: number;
  body: T;
  elapsedMs: number;
}

export interface GetOptions {
  timeoutMs?: number;
  /** Statuses whose body is still meaningful (e.g. /health answers 503 with a JSON body); [200] by default. */
  acceptStatus?: readonly number[];
  headers?: Record<string, string>;
}

/**
 * GET a document's text, its status and how long it took. A refused, timed-out or broken answer is a MeasureError
 * ("could not measure"); a status not accepted too (its body is not the document asked for).
 */
export async function getText(
  url: string,
  opts: GetOptions = {},
): Promise<{ status: number; text: string; elapsedMs: number }> {
  const timeoutMs = opts.timeoutMs ?? 2000;
  const accept = opts.acceptStatus ?? [200];
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await request(url, {
      method: 'GET',
      headers: opts.headers ?? {},
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      signal: AbortSignal.timeout(timeoutMs),
    });
    status = res.statusCode;
    text = await res.body.text();
  } catch (err) {
    throw new MeasureError(`GET ${url} failed: ${(err as Error).message}`, 'E_UNREACHABLE', { cause: err });
  }
  if (!accept.includes(status)) throw new MeasureError(`GET ${url} answered HTTP ${status}`, 'E_HTTP_STATUS');
  return { status, text, elapsedMs: performance.now() - started };
}

/**
 * GET a JSON document and validate it against a schema. Anything that stops us from reading a valid answer
 * (refused, timed out, not JSON, wrong shape) is a MeasureError: "could not measure", never "passed".
 */
export async function getJson<T>(url: string, schema: string, opts: GetOptions = {}): Promise<JsonResponse<T>> {
  const { status, text, elapsedMs } = await getText(url, opts);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new MeasureError(`GET ${url} did not answer JSON (HTTP ${status})`, 'E_NOT_JSON');
  }
  if (!isValid<T>(schema, body)) {
    throw new MeasureError(
      `GET ${url} answered JSON that does not match ${schema}: ${problemsOf(schema, body).join('; ')}`,
      'E_BAD_SHAPE',
    );
  }
  return { status, body, elapsedMs };
}
