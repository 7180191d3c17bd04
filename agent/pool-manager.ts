import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { acquire, type Lease } from './acquire';
import type { LoadedPoolConfig } from './config-source';
import type { ServicePoolConfig } from './generated/service-pool-config';
import { errorFields, type Logger } from './json-log';
import type { PoolGauges, ServiceCounters } from './metrics';
import { type PoolFactory } from './pool-factory';

interface Generation {
  generation: number;
  config: LoadedPoolConfig;
  pool: pg.Pool;
  ended?: Promise<void>;
}

export type ReloadOutcome = 'reloaded' | 'unchanged' | 'failed' | 'closing';

export interface PoolManagerOptions {
  instance: string;
  createPool: PoolFactory;
  counters: ServiceCounters;
  log: Logger;
  /** Reads the config's source again (the same file, or the environment). */
  readConfig: () => Promise<LoadedPoolConfig>;
  /** How long an old pool may take to drain before it is ended anyway. */
  drainDeadlineMs?: number;
  drainPollMs?: number;
}

/**
 * Owns the pool in force and any pool still draining. pg.Pool cannot be resized in place (see
 * notes/pg-pool-facts.md), so a reload builds a new pool, switches new acquisitions to it, waits until the old
 * one has no waiter and no checked-out connection, and only then ends it: `end()` earlier would strand waiters.
 * Reloads are serialized; signals arriving during one coalesce into a single re-read after it.
 */
export class PoolManager {
  private current: Generation | undefined;
  private readonly draining = new Set<Generation>();
  private lastReloadError: { message: string; at: string } | null = null;
  private reloadsRunning = 0;
  private chain: Promise<unknown> = Promise.resolve();
  private queued: Promise<ReloadOutcome> | undefined;
  private closing = false;

  constructor(private readonly opts: PoolManagerOptions) {}

  /** Builds generation 1. A database that is down at start is logged, not fatal: /health reports it until it is up. */
  async start(config: LoadedPoolConfig): Promise<void> {
    const gen = this.build(config, 1);
    this.current = gen;
    this.opts.log.log('info', 'pool_start', summary(gen));
    try {
      await prewarm(gen.pool, config.pool.min);
    } catch (err) {
      this.opts.log.log('error', 'pool_prewarm_failed', { generation: 1, ...errorFields(err) });
    }
  }

  /** A connection from the pool in force, within its acquireTimeoutMillis. */
  acquire(timeoutMs?: number): Promise<Lease> {
    const gen = this.inForce();
    return acquire(gen.pool, timeoutMs ?? gen.config.pool.acquireTimeoutMillis, this.opts.counters, (err) =>
      this.opts.log.log('error', 'pool_client_error', { generation: gen.generation, ...errorFields(err) }),
    );
  }

  reload(): Promise<ReloadOutcome> {
    if (this.queued) return this.queued;
    const run = this.chain.then(() => {
      this.queued = undefined;
      return this.reloadOnce();
    });
    this.queued = run;
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Drains and ends every pool (in force and draining); used on SIGTERM once in-flight requests are done. */
  async close(deadlineMs: number): Promise<void> {
    this.closing = true;
    const all = [...this.draining, ...(this.current ? [this.current] : [])];
    await Promise.all(all.map((g) => this.drainAndEnd(g, deadlineMs)));
  }

  gauges(): PoolGauges {
    const gen = this.inForce();
    const g: PoolGauges = {
      max: gen.config.pool.max,
      min: gen.config.pool.min,
      total: 0,
      idle: 0,
      waiting: 0,
      generation: gen.generation,
    };
    for (const { pool } of [gen, ...this.draining]) {
      g.total += pool.totalCount;
      g.idle += pool.idleCount;
      g.waiting += pool.waitingCount;
    }
    return g;
  }

  poolConfigDocument(): ServicePoolConfig {
    const gen = this.inForce();
    return {
      instance: this.opts.instance,
      pool: { ...gen.config.pool },
      source: gen.config.source,
      sha256: gen.config.sha256,
      loaded_at: gen.config.loadedAt.toISOString(),
      generation: gen.generation,
      last_reload_error: this.lastReloadError,
      reloading: this.reloadsRunning > 0 || this.draining.size > 0,
    };
  }

  private inForce(): Generation {
    if (!this.current) throw new Error('pool manager not started');
    return this.current;
  }

  private async reloadOnce(): Promise<ReloadOutcome> {
    if (this.closing) return 'closing';
    const old = this.inForce();
    this.reloadsRunning += 1;
    try {
      let config: LoadedPoolConfig;
      try {
        config = await this.opts.readConfig();
      } catch (err) {
        return this.failed(old, err);
      }
      if (config.sha256 === old.config.sha256) {
        // Same bytes as the pool in force: nothing to swap, and the file is good again, so any earlier error is moot.
        this.lastReloadError = null;
        this.opts.log.log('info', 'reload_unchanged', summary(old));
        return 'unchanged';
      }
      const next = this.build(config, old.generation + 1);
      try {
        await prewarm(next.pool, config.pool.min);
      } catch (err) {
        await this.end(next);
        return this.failed(old, err);
      }
      this.current = next;
      this.lastReloadError = null;
      this.draining.add(old);
      this.opts.log.log('info', 'reload_ok', { ...summary(next), previous: summary(old) });
      // Never end the old pool before every caller queued on it has been answered: each acquisition gives up after
      // the old acquireTimeoutMillis at the latest, so a deadline at least that long strands no waiting caller.
      await this.drainAndEnd(old, Math.max(this.opts.drainDeadlineMs ?? 30_000, old.config.pool.acquireTimeoutMillis));
      return 'reloaded';
    } finally {
      this.reloadsRunning -= 1;
    }
  }

  private failed(old: Generation, err: unknown): ReloadOutcome {
    const { message } = errorFields(err);
    this.lastReloadError = { message, at: new Date().toISOString() };
    this.opts.log.log('error', 'reload_failed', { ...summary(old), error: message });
    return 'failed';
  }

  private async drainAndEnd(gen: Generation, deadlineMs: number): Promise<void> {
    const deadline = Date.now() + deadlineMs;
    const { pool } = gen;
    while (!(pool.waitingCount === 0 && pool.totalCount === pool.idleCount)) {
      if (Date.now() >= deadline) {
        this.opts.log.log('warn', 'pool_drain_deadline', {
          generation: gen.generation,
          total: pool.totalCount,
          idle: pool.idleCount,
          waiting: pool.waitingCount,
        });
        break;
      }
      await sleep(this.opts.drainPollMs ?? 25);
    }
    await this.end(gen);
    this.draining.delete(gen);
  }

  /** `end()` twice throws, and a reload and a shutdown may both end the same pool: end it once, share the wait. */
  private end(gen: Generation): Promise<void> {
    gen.ended ??= gen.pool.end().then(
      () => this.opts.log.log('info', 'pool_ended', { generation: gen.generation }),
      (err: unknown) =>
        this.opts.log.log('error', 'pool_end_failed', { generation: gen.generation, ...errorFields(err) }),
    );
    return gen.ended;
  }

  private build(config: LoadedPoolConfig, generation: number): Generation {
    const { createPool, instance, counters, log } = this.opts;
    const pool = createPool({ ...config.pool, applicationName: instance, generation });
    pool.on('connect', () => {
      counters.connects += 1;
      log.log('info', 'pool_connect', { generation, total: pool.totalCount });
    });
    pool.on('remove', () => {
      counters.disconnects += 1;
      log.log('info', 'pool_remove', { generation, total: pool.totalCount });
    });
    // Mandatory: an idle client's death is emitted here and would otherwise crash the process.
    pool.on('error', (err) => {
      counters.poolErrors += 1;
      log.log('error', 'pool_error', { generation, ...errorFields(err) });
    });
    return { generation, config, pool };
  }
}

/** pg's `min` only stops idle eviction below min; it opens nothing. Open `min` connections now and hand them back. */
async function prewarm(pool: pg.Pool, min: number): Promise<void> {
  const results = await Promise.allSettled(Array.from({ length: min }, () => pool.connect()));
  for (const r of results) if (r.status === 'fulfilled') r.value.release();
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) throw failure.reason;
}

function summary(gen: Generation): Record<string, unknown> {
  return { generation: gen.generation, sha256: gen.config.sha256, min: gen.config.pool.min, max: gen.config.pool.max };
}
