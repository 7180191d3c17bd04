import http from 'node:http';
import { AcquireTimeoutError, isSqlError, type PoolAgent } from '../../agent';
import { errorFields } from '../../agent/json-log';
import { InputError } from '../../scripts/lib/errors';
import { accountBalance, getJournalEntry, listAccounts, postJournalEntry } from './ledger';
import { parseJournalEntry } from './journal-entry';

export interface ServiceDeps {
  agent: PoolAgent;
  /** POOLGATE_LAB_DEBUG=1: enables /api/debug/sleep, which tests use to hold connections */
  debug: boolean;
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

/** The ledger's routes; the agent answers its own endpoints (health, metrics, pool config) and counts the rest. */
export function createServer(deps: ServiceDeps): http.Server {
  return http.createServer((req, res) => {
    if (deps.agent.handle(req, res)) return;
    api(deps, req, res).catch((err: unknown) => {
      deps.agent.log.log('error', 'handler_crash', { method: req.method, path: req.url, ...errorFields(err) });
      if (!res.headersSent) send(res, 500, { error: 'internal', message: 'internal error' });
      else res.destroy();
    });
  });
}

async function api(deps: ServiceDeps, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://service.invalid');
  try {
    const { status, body } = await dispatch(deps, req, url);
    send(res, status, body);
  } catch (err) {
    const e = toHttpError(err);
    deps.agent.log.log(e.status >= 500 ? 'error' : 'warn', 'request_error', {
      method: req.method,
      path: url.pathname,
      status: e.status,
      error: e.error,
      ...errorFields(err),
    });
    send(
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
    return { status: 200, body: { accounts: await deps.agent.withClient((db) => listAccounts(db)) } };
  }
  if ((m = path.match(/^\/api\/accounts\/(\d{1,9})\/balance$/))) {
    allow(method, 'GET');
    const id = Number(m[1]);
    const balance = await deps.agent.withClient((db) => accountBalance(db, id));
    if (!balance) throw new HttpError(404, 'not_found', `no account ${id}`);
    return { status: 200, body: balance };
  }
  if (path === '/api/journal-entries') {
    allow(method, 'POST');
    const entry = parseJournalEntry(await readJson(req));
    const id = await deps.agent.withClient((db) => postJournalEntry(db, entry));
    return { status: 201, body: { id } };
  }
  if ((m = path.match(/^\/api\/journal-entries\/(\d{1,15})$/))) {
    allow(method, 'GET');
    const id = Number(m[1]);
    const entry = await deps.agent.withClient((db) => getJournalEntry(db, id));
    if (!entry) throw new HttpError(404, 'not_found', `no journal entry ${id}`);
    return { status: 200, body: entry };
  }
  if (path === '/api/debug/sleep' && deps.debug) {
    allow(method, 'GET');
    const ms = Number(url.searchParams.get('ms') ?? '0');
    if (!Number.isInteger(ms) || ms < 0 || ms > MAX_SLEEP_MS) {
      throw new HttpError(400, 'bad_request', `ms must be an integer from 0 to ${MAX_SLEEP_MS}`);
    }
    await deps.agent.withClient((db) => db.query('SELECT pg_sleep($1::float8 / 1000)', [ms]));
    return { status: 200, body: { slept_ms: ms } };
  }
  throw new HttpError(404, 'not_found', `no route ${path}`);
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

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}
