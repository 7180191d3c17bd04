import http from 'node:http';
import { InputError } from '../../scripts/lib/errors';
import { AcquireTimeoutError, type Lease } from './acquire';
import type { Health } from './health';
import { errorFields, type Logger } from './json-log';
import { accountBalance, getJournalEntry, listAccounts, postJournalEntry } from './ledger';
import { parseJournalEntry } from './journal-entry';
import { metricsDocument, type ServiceCounters } from './metrics';
import type { PoolManager } from './pool-manager';

export interface ServiceDeps {
  instance: string;
  manager: PoolManager;
  counters: ServiceCounters;
  health: Health;
  log: Logger;
  /** performance.now() at process start */
  startedAt: number;
  /** POOLGATE_LAB_DEBUG=1: enables /api/debug/sleep, which tests use to hold connections */
  debug: boolean;
  /** Prometheus text for GET /metrics, when enabled */
  prometheus?: () => Promise<string>;
}

const MAX_BODY_BYTES = 64 * 1024;
const MAX_SLEEP_MS = 60_000;

/** An answer the client caused or can act on: status and a JSON body `{"error": code, "message": …}`. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export function createServer(deps: ServiceDeps): http.Server {
  return http.createServer((req, res) => {
    route(deps, req, res).catch((err: unknown) => {
      deps.log.log('error', 'handler_crash', { method: req.method, path: req.url, ...errorFields(err) });
      if (!res.headersSent) send(deps, res, 500, { error: 'internal', message: 'internal error' });
      else res.destroy();
    });
  });
}

async function route(deps: ServiceDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://service.invalid');
  const path = url.pathname;
  if (path === '/health') {
    const body = await deps.health.check();
    return send(deps, res, body.status === 'ok' ? 200 : 503, body);
  }
  if (path === '/api/health/metrics') {
    return send(
      deps,
      res,
      200,
      metricsDocument(deps.counters, deps.manager.gauges(), {
        instance: deps.instance,
        pid: process.pid,
        uptimeS: (performance.now() - deps.startedAt) / 1000,
        now: new Date(),
      }),
    );
  }
  if (path === '/api/health/pool-config') return send(deps, res, 200, deps.manager.poolConfigDocument());
  if (path === '/metrics' && deps.prometheus) {
    const text = await deps.prometheus();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(text);
    return;
  }
  if (path.startsWith('/api/')) return api(deps, req, res, url);
  return send(deps, res, 404, { error: 'not_found', message: `no route ${path}` });
}

/** API routes: the only ones counted in requests and latency. */
async function api(deps: ServiceDeps, req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
  const { counters } = deps;
  const started = performance.now();
  counters.inFlight += 1;
  res.once('close', () => {
    counters.inFlight -= 1;
    counters.requestDone(performance.now() - started, res.statusCode >= 500 || !res.writableFinished);
  });
  try {
    const { status, body } = await dispatch(deps, req, url);
    send(deps, res, status, body);
  } catch (err) {
    const e = toHttpError(err);
    deps.log.log(e.status >= 500 ? 'error' : 'warn', 'request_error', {
      method: req.method,
      path: url.pathname,
      status: e.status,
      error: e.error,
      ...errorFields(err),
    });
    send(
      deps,
      res,
      e.status,
      { error: e.error, message: e.message, ...e.extra },
      e.status === 503 ? { 'retry-after': '1' } : {},
    );
  }
}

async function dispatch(
  deps: ServiceDeps,
  req: http.IncomingMessage,
  url: URL,
): Promise<{ status: number; body: unknown }> {
  const path = url.pathname;
  const method = req.method ?? 'GET';
  let m: RegExpMatchArray | null;
  if (path === '/api/accounts') {
    allow(method, 'GET');
    return { status: 200, body: { accounts: await withDb(deps, (db) => listAccounts(db)) } };
  }
  if ((m = path.match(/^\/api\/accounts\/(\d{1,9})\/balance$/))) {
    allow(method, 'GET');
    const id = Number(m[1]);
    const balance = await withDb(deps, (db) => accountBalance(db, id));
    if (!balance) throw new HttpError(404, 'not_found', `no account ${id}`);
    return { status: 200, body: balance };
  }
  if (path === '/api/journal-entries') {
    allow(method, 'POST');
    const entry = parseJournalEntry(await readJson(req));
    const id = await withDb(deps, (db) => postJournalEntry(db, entry));
    return { status: 201, body: { id } };
  }
  if ((m = path.match(/^\/api\/journal-entries\/(\d{1,15})$/))) {
    allow(method, 'GET');
    const id = Number(m[1]);
    const entry = await withDb(deps, (db) => getJournalEntry(db, id));
    if (!entry) throw new HttpError(404, 'not_found', `no journal entry ${id}`);
    return { status: 200, body: entry };
  }
  if (path === '/api/debug/sleep' && deps.debug) {
    allow(method, 'GET');
    const ms = Number(url.searchParams.get('ms') ?? '0');
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new HttpError(400, 'bad_request', `ms must be an integer from 0 to ${MAX_SLEEP_MS}`);
    }
    await withDb(deps, (db) => db.query('SELECT pg_sleep($1::float8 / 1000)', [ms]));
    return { status: 200, body: { slept_ms: ms } };
  }
  throw new HttpError(404, 'not_found', `no route ${path}`);
}

/** Runs `fn` on a pooled connection; a connection-level failure makes the pool discard that connection. */
async function withDb<T>(deps: ServiceDeps, fn: (db: Lease['client']) => Promise<T>): Promise<T> {
  const lease = await deps.manager.acquire();
  try {
    const result = await fn(lease.client);
    lease.release();
    deps.health.dbOk();
    return result;
  } catch (err) {
    lease.release(isSqlError(err) || err instanceof InputError ? undefined : (err as Error));
    throw err;
  }
}

/** A PostgreSQL error carries a 5-character SQLSTATE; anything else (socket closed, timeout) is the connection's. */
function isSqlError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

function toHttpError(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof InputError) return new HttpError(400, 'bad_request', err.message, { code: err.code });
  if (err instanceof AcquireTimeoutError) {
    return new HttpError(503, 'pool_acquire_timeout', err.message, { acquire_timeout_ms: err.timeoutMs });
  }
  if (!isSqlError(err))
    return new HttpError(503, 'database_unavailable', `database unavailable: ${errorFields(err).message}`);
  return new HttpError(500, 'internal', 'the database rejected the request');
}

function allow(method: string, expected: string): void {
  if (method !== expected) throw new HttpError(405, 'method_not_allowed', `use ${expected}`);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, 'body_too_large', `body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'bad_request', 'body is not valid JSON');
  }
}

function send(
  deps: ServiceDeps,
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    // While draining, ask keep-alive clients (the load balancer) to reconnect elsewhere.
    ...(deps.health.lifecycle === 'draining' ? { connection: 'close' } : {}),
    ...headers,
  });
  res.end(text);
}
