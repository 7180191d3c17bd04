import type { Pool, PoolClient } from 'pg';
import type { ServiceCounters } from './metrics';
import { monotonicMs } from './clock';

/** No connection became free within acquireTimeoutMillis: the request fails fast instead of queueing forever. */
export class AcquireTimeoutError extends Error {
  readonly code = 'E_POOL_ACQUIRE_TIMEOUT';
  constructor(readonly timeoutMs: number) {
    super(`no database connection became free within acquireTimeoutMillis=${timeoutMs} ms`);
    this.name = 'AcquireTimeoutError';
  }
}

/** A checked-out connection. `release(err)` with an error makes the pool discard the connection. */
export interface Lease {
  client: PoolClient;
  release(err?: Error): void;
}

/**
 * `pool.connect()` bounded by `acquireTimeoutMillis` (pg has no such option), measuring the wait and the hold time
 * (Little's law needs both). pg cannot withdraw a queued waiter, so a waiter that gave up stays queued and the
 * connection it eventually gets is handed straight back: nothing leaks, the next waiter gets it.
 */
export function acquire(
  pool: Pool,
  timeoutMs: number,
  counters: ServiceCounters,
  onClientError: (err: Error) => void,
): Promise<Lease> {
  const started = monotonicMs();
  return new Promise<Lease>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      counters.acquireTimeouts += 1;
      reject(new AcquireTimeoutError(timeoutMs));
    }, timeoutMs);

    pool.connect().then(
      (client) => {
        if (settled) {
          client.release();
          return;
        }
        settled = true;
        clearTimeout(timer);
        counters.acquires += 1;
        const waitMs = monotonicMs() - started;
        counters.acquireWait.record(waitMs);
        counters.acquireWaitHistogram.observe(waitMs);
        resolve(lease(client, counters, onClientError));
      },
      (err: Error) => {
        // A failed connect (handshake timeout, auth, "too many clients") is a pool error even if we stopped waiting.
        counters.poolErrors += 1;
        onClientError(err);
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}

function lease(client: PoolClient, counters: ServiceCounters, onClientError: (err: Error) => void): Lease {
  const heldSince = monotonicMs();
  // pg-pool removes its own error listener while a client is checked out; without one, a backend dying between
  // two queries would be an uncaught 'error' event and crash the process.
  const onError = (err: Error): void => {
    counters.poolErrors += 1;
    onClientError(err);
  };
  client.on('error', onError);
  let released = false;
  return {
    client,
    release(err?: Error) {
      if (released) return;
      released = true;
      client.off('error', onError);
      counters.holdMsSum += monotonicMs() - heldSince;
      client.release(err);
    },
  };
}
