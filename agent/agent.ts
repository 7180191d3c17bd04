import type http from 'node:http';
import os from 'node:os';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { Lease } from './acquire';
import { bearerMatcher, readToken, type TokenSource } from './bearer';
import { epochMsOf, monotonicMs } from './clock';
import { configReader, type PoolConfigSource } from './config-source';
import { endpointOf, normalizePrefix, type Endpoint } from './endpoints';
import { Health } from './health';
import { errorFields, type Logger } from './json-log';
import { metricsDocument, ServiceCounters } from './metrics';
import { isSqlError } from './pg-errors';
import { poolFactoryFrom, type PoolFactory } from './pool-factory';
import { PoolManager, type ReloadOutcome } from './pool-manager';
import { createPrometheus, type PrometheusExposition } from './prometheus';
import { RequestMeter } from './request-meter';
import { handleSignals, stopServing, type StopSignal } from './stop';
import { STOP_GRACE_ENV, stopGraceFrom } from './stop-grace';

export interface AgentOptions {
  /** The pool config: its file (JSON, or YAML by extension), or `{ env: process.env, prefix: 'POOL_' }`. */
  config: PoolConfigSource;
  /** Connection options for the default factory (PG* variables fill what is not given). */
  pg?: pg.PoolConfig;
  /** Or build each pool yourself: spread `pgPoolOptions(settings)` over your connection options. */
  createPool?: PoolFactory;
  /** The instance's name in the documents and as PostgreSQL application_name (default: the host name). */
  name?: string;
  /** Serve the endpoints under this path (e.g. "/ops"): the targets' URL then ends with it. */
  prefix?: string;
  /** Require `Authorization: Bearer <token>` on every endpoint but /health (which load balancers probe). */
  token?: TokenSource;
  /** GET /metrics in the Prometheus format (default on, on its own registry); `{ registry }` to use the app's. */
  prometheus?: boolean | { registry?: Registry };
  /** Where the agent's events go (JSON-lines: `new JsonLog(file)`); default nowhere. */
  log?: Logger;
  /** SIGHUP reloads the pool config, SIGTERM/SIGINT stop gracefully (default true). */
  signals?: boolean;
  /** After a graceful stop, exit the process (0, or 1 past the deadline). Default: true when `signals` is. */
  exit?: boolean;
  /** How long a graceful stop may take before the process gives up (default 25 s: inside a 30 s stop timeout). */
  stopDeadlineMs?: number;
  /**
   * How long a graceful stop keeps serving, /health answering 503 draining, before it closes its listeners and idle
   * connections: the load balancer's time to mark the instance down (HAProxy: `inter` × (`fall` + 1)). Default:
   * POOLGATE_STOP_GRACE_MS from the environment (a unit's `Environment=`; malformed, createAgent throws), else 0: a
   * stop behind a balancer that drains it first (as the rollout does) needs none.
   */
  stopGraceMs?: number;
  /** How long a replaced pool may drain before it is ended (default 30 s, never less than its acquire timeout). */
  drainDeadlineMs?: number;
  /** Length of the percentile windows (default 60 s). */
  windowMs?: number;
  /** Runs once a graceful stop has drained everything, before the exit (close logs, remove a pid file). */
  onStop?: (signal: StopSignal) => void | Promise<void>;
}

/** The agent's answer to one endpoint request, for any framework to send. */
export interface AgentAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type Lifecycle = Health['lifecycle'];

const noLog: Logger = { log: () => undefined };

/**
 * Owns the pool in force for a service and everything poolgate's contract asks of it (docs/service-contract.md):
 * acquisitions bounded by acquireTimeoutMillis, the hot swap on SIGHUP, the counters, the endpoints, the
 * graceful stop. Framework adapters (node:http, Express, Fastify) only route requests to it.
 */
export class PoolAgent {
  readonly name: string;
  readonly prefix: string;
  readonly counters: ServiceCounters;
  private readonly meter: RequestMeter;
  readonly health: Health;
  readonly log: Logger;
  private readonly manager: PoolManager;
  private readonly readConfig: ReturnType<typeof configReader>;
  private readonly authorized: ((authorization: string | undefined) => boolean) | undefined;
  private readonly prometheus: PrometheusExposition | undefined;
  private readonly servers = new Set<http.Server>();
  private readonly startedAt = monotonicMs();
  private readonly stopGraceMs: number;
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: AgentOptions) {
    this.name = opts.name ?? os.hostname();
    this.prefix = normalizePrefix(opts.prefix);
    this.log = opts.log ?? noLog;
    // Read first: a malformed value refuses the agent before anything is built or listens.
    this.stopGraceMs = opts.stopGraceMs ?? stopGraceFrom(process.env[STOP_GRACE_ENV]);
    this.counters = new ServiceCounters(opts.windowMs);
    this.meter = new RequestMeter(this.counters);
    this.readConfig = configReader(opts.config);
    this.authorized = opts.token === undefined ? undefined : bearerMatcher(readToken(opts.token));
    this.manager = new PoolManager({
      instance: this.name,
      createPool: opts.createPool ?? poolFactoryFrom(opts.pg),
      counters: this.counters,
      log: this.log,
      readConfig: this.readConfig,
      ...(opts.drainDeadlineMs !== undefined ? { drainDeadlineMs: opts.drainDeadlineMs } : {}),
    });
    this.health = new Health((timeoutMs) => this.manager.acquire(timeoutMs));
    if (opts.prometheus !== false) {
      this.prometheus = createPrometheus({
        counters: this.counters,
        gauges: () => this.manager.gauges(),
        instance: this.name,
        startedAtS: epochMsOf(this.startedAt) / 1000,
        ...(typeof opts.prometheus === 'object' && opts.prometheus.registry
          ? { registry: opts.prometheus.registry }
          : {}),
      });
    }
    // From the first instant: SIGHUP's default action would kill a service that is still starting.
    if (opts.signals !== false) handleSignals(this);
  }

  get lifecycle(): Lifecycle {
    return this.health.lifecycle;
  }

  /**
   * Reads the config and builds the first pool, prewarmed to `min`; a bad config file rejects (the service should
   * not start on it). A database that is down is logged, not fatal: /health reports it until it is up.
   */
  start(): Promise<void> {
    this.starting ??= (async () => {
      const config = await this.readConfig();
      await this.manager.start(config);
      if (this.health.lifecycle === 'starting') this.health.lifecycle = 'serving';
      this.log.log('info', 'service_ready', {
        instance: this.name,
        generation: 1,
        sha256: config.sha256,
        min: config.pool.min,
        max: config.pool.max,
      });
    })();
    return this.starting;
  }

  /** Resolves once start() has (for signals that arrive before it). */
  whenStarted(): Promise<void> | undefined {
    return this.starting;
  }

  /** A connection from the pool in force within its acquireTimeoutMillis; `release(err)` discards a broken one. */
  async acquire(timeoutMs?: number): Promise<Lease> {
    // A restarted instance listens before its first pool exists, and the load balancer may still count it UP from
    // before the restart (its health checks have not caught up): such a request waits for the pool, as it would for
    // a free connection, instead of failing with 503 while the service is one config read away from serving.
    if (this.health.lifecycle === 'starting' && this.starting) await this.starting;
    const lease = await this.manager.acquire(timeoutMs);
    const health = this.health;
    return {
      client: lease.client,
      release(err?: Error) {
        lease.release(err);
        if (!err) health.dbOk();
      },
    };
  }

  /** One query on a pooled connection. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    return this.withClient((client) => client.query<R>(text, values));
  }

  /**
   * Runs `fn` on one pooled connection (a transaction: BEGIN ... COMMIT inside). A PostgreSQL error leaves the
   * connection usable; any other failure may have left it mid-protocol or mid-transaction, so it is discarded.
   */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const lease = await this.acquire();
    try {
      const result = await fn(lease.client);
      lease.release();
      return result;
    } catch (err) {
      lease.release(isSqlError(err) ? undefined : (err as Error));
      throw err;
    }
  }

  /** Re-reads the config and swaps pools (what SIGHUP does). */
  reload(): Promise<ReloadOutcome> {
    this.log.log('info', 'reload_requested', {});
    return this.manager.reload();
  }

  /** The servers a graceful stop closes (their idle keep-alive connections too). */
  attach(server: http.Server): this {
    this.servers.add(server);
    return this;
  }

  /**
   * /health answers 503 from now on, attached servers stop accepting, in-flight requests finish (their responses
   * ask keep-alive clients to reconnect elsewhere), then every pool drains and ends. What SIGTERM does.
   */
  stop(signal: StopSignal = 'SIGTERM'): Promise<void> {
    this.stopping ??= stopServing(this, {
      signal,
      servers: [...this.servers],
      deadlineMs: this.opts.stopDeadlineMs ?? 25_000,
      graceMs: this.stopGraceMs,
      closePools: (ms) => this.manager.close(ms),
      onStop: this.opts.onStop,
      exit: this.opts.exit ?? this.opts.signals !== false,
    });
    return this.stopping;
  }

  /**
   * For node:http and Express: answers the request if it names one of the agent's endpoints (true), otherwise
   * counts it in requests/latency as the app answers it (false: the app handles it).
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    // Inlined into the app's request handler: the app's path is kept to these few bytecodes, the endpoint's
    // answer is a call of its own (V8 inlines by bytecode size, within a budget per optimized function).
    const endpoint = endpointOf(req.url ?? '/', this.prefix);
    if (endpoint === undefined) {
      this.count(res);
      return false;
    }
    this.serve(endpoint, req, res);
    return true;
  }

  private serve(endpoint: Endpoint, req: http.IncomingMessage, res: http.ServerResponse): void {
    this.answer(endpoint, req.method ?? 'GET', req.headers.authorization).then(
      (a) => {
        res.writeHead(a.status, a.headers);
        res.end(req.method === 'HEAD' ? undefined : a.body);
      },
      (err: unknown) => {
        this.log.log('error', 'endpoint_failed', { endpoint, ...errorFields(err) });
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal', message: 'the agent could not answer' }));
      },
    );
  }

  /** Counts one app request: in flight now; total, errors (5xx or not finished) and latency when it closes. */
  count(res: http.ServerResponse): void {
    // While stopping, ask keep-alive clients (the load balancer) to reconnect elsewhere.
    if (this.health.lifecycle === 'draining') res.setHeader('connection', 'close');
    this.meter.begin(res);
  }

  /** The answer to one endpoint request; framework adapters send it. */
  async answer(endpoint: Endpoint, method: string, authorization: string | undefined): Promise<AgentAnswer> {
    if (method !== 'GET' && method !== 'HEAD') {
      return json(405, { error: 'method_not_allowed', message: 'use GET' }, { allow: 'GET, HEAD' });
    }
    if (endpoint === 'health') {
      const body = await this.health.check();
      return json(body.status === 'ok' ? 200 : 503, body, this.drainingHeaders());
    }
    if (this.authorized && !this.authorized(authorization)) {
      return json(
        401,
        { error: 'unauthorized', message: 'send Authorization: Bearer <token>' },
        { 'www-authenticate': 'Bearer realm="poolgate"' },
      );
    }
    if (this.starting === undefined) {
      return json(503, { error: 'starting', message: 'the pool is not built yet' }, { 'retry-after': '1' });
    }
    await this.starting;
    if (endpoint === 'metrics') return json(200, this.metricsDocument(), this.drainingHeaders());
    if (endpoint === 'pool-config') return json(200, this.manager.poolConfigDocument(), this.drainingHeaders());
    if (!this.prometheus) return json(404, { error: 'not_found', message: 'Prometheus metrics are off' });
    return {
      status: 200,
      headers: { 'content-type': this.prometheus.contentType, 'cache-control': 'no-store' },
      body: await this.prometheus.text(),
    };
  }

  metricsDocument(now = new Date()): ReturnType<typeof metricsDocument> {
    return metricsDocument(this.counters, this.manager.gauges(), {
      instance: this.name,
      pid: process.pid,
      uptimeS: (monotonicMs() - this.startedAt) / 1000,
      now,
    });
  }

  poolConfigDocument(): ReturnType<PoolManager['poolConfigDocument']> {
    return this.manager.poolConfigDocument();
  }

  private drainingHeaders(): Record<string, string> {
    return this.health.lifecycle === 'draining' ? { connection: 'close' } : {};
  }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): AgentAnswer {
  const text = JSON.stringify(body);
  return {
    status,
    headers: {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      'cache-control': 'no-store',
      ...headers,
    },
    body: text,
  };
}

/** The agent for a service: `createAgent({ config: 'pool.json' })`, then `await agent.start()`. */
export function createAgent(opts: AgentOptions): PoolAgent {
  return new PoolAgent(opts);
}
