import type { ServiceHealth } from './generated/service-health';
import type { Lease } from './acquire';
import { errorFields } from './json-log';
import { monotonicMs } from './clock';

export type Lifecycle = 'starting' | 'serving' | 'draining';

/** How long a successful database round trip vouches for the pool. */
const FRESH_MS = 1000;
/** A health probe never waits longer than this for a connection (a load balancer's check times out soon after). */
const PROBE_ACQUIRE_MS = 1500;

/**
 * `/health`: ok only while serving and the pool can run a query. Any successful API query within the last second
 * counts (so a busy pool does not fail its health check); otherwise one shared `SELECT 1` probe runs and its
 * result is cached for a second, so frequent checks cost at most one query per second.
 */
export class Health {
  lifecycle: Lifecycle = 'starting';
  private lastOkAt = -Infinity;
  private lastFailure: { at: number; reason: string } | undefined;
  private probing: Promise<void> | undefined;

  constructor(
    private readonly acquire: (timeoutMs: number) => Promise<Lease>,
    private readonly now: () => number = monotonicMs,
  ) {}

  /** Called after any successful database work. */
  dbOk(): void {
    this.lastOkAt = this.now();
    this.lastFailure = undefined;
  }

  async check(): Promise<ServiceHealth> {
    if (this.lifecycle !== 'serving') {
      return {
        status: this.lifecycle,
        reason: this.lifecycle === 'starting' ? 'pool is being built' : 'shutting down',
      };
    }
    const fresh = (): boolean => this.now() - this.lastOkAt <= FRESH_MS;
    if (!fresh()) {
      const recentFailure = this.lastFailure && this.now() - this.lastFailure.at <= FRESH_MS;
      if (!recentFailure) {
        this.probing ??= this.probe().finally(() => {
          this.probing = undefined;
        });
        await this.probing;
      }
    }
    if (fresh()) return { status: 'ok' };
    return { status: 'unhealthy', reason: this.lastFailure?.reason ?? 'database check failed' };
  }

  private async probe(): Promise<void> {
    let lease: Lease | undefined;
    try {
      lease = await this.acquire(PROBE_ACQUIRE_MS);
      await lease.client.query('SELECT 1');
      lease.release();
      this.dbOk();
    } catch (err) {
      lease?.release(err as Error);
      this.lastFailure = { at: this.now(), reason: `database check failed: ${errorFields(err).message}` };
    }
  }
}
