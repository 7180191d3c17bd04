import { EventEmitter } from 'node:events';
import t from 'tap';
import type { Pool, PoolClient } from 'pg';
import { AcquireTimeoutError, acquire } from '../../../agent/acquire';
import { ServiceCounters } from '../../../agent/metrics';

/** A pool whose connect() resolves when the test says so, and a client that records its releases. */
function fakePool() {
  const waiters: ((c: PoolClient) => void)[] = [];
  const failers: ((e: Error) => void)[] = [];
  const released: (Error | undefined)[] = [];
  const client = Object.assign(new EventEmitter(), {
    release: (err?: Error) => void released.push(err),
  }) as unknown as PoolClient;
  const pool = {
    connect: () =>
      new Promise<PoolClient>((resolve, reject) => {
        waiters.push(resolve);
        failers.push(reject);
      }),
  } as unknown as Pool;
  return { pool, client, released, give: () => waiters.shift()?.(client), fail: (e: Error) => failers.shift()?.(e) };
}

t.test('a connection in time is counted with its wait and hold', async (t) => {
  const f = fakePool();
  const c = new ServiceCounters();
  const p = acquire(f.pool, 1000, c, () => undefined);
  f.give();
  const lease = await p;
  t.equal(c.acquires, 1);
  t.equal(c.acquireWait.summary().count, 1);
  t.equal(c.acquireTimeouts, 0);
  lease.release();
  lease.release();
  t.same(f.released, [undefined], 'released once, however often release() is called');
  t.ok(c.holdMsSum >= 0);
});

t.test(
  'no connection within the timeout: AcquireTimeoutError, counted; the late connection goes straight back',
  async (t) => {
    const f = fakePool();
    const c = new ServiceCounters();
    const started = Date.now();
    await t.rejects(
      acquire(f.pool, 50, c, () => undefined),
      AcquireTimeoutError,
    );
    t.ok(Date.now() - started < 500, 'fails at the timeout, not later');
    t.equal(c.acquireTimeouts, 1);
    t.equal(c.acquires, 0);
    f.give();
    await new Promise((r) => setImmediate(r));
    t.same(f.released, [undefined], 'the connection that arrived late was released, not leaked');
  },
);

t.test('a failed connect is a pool error and rejects with its cause', async (t) => {
  const f = fakePool();
  const c = new ServiceCounters();
  const seen: Error[] = [];
  const p = acquire(f.pool, 1000, c, (e) => seen.push(e));
  f.fail(new Error('too many clients'));
  await t.rejects(p, { message: 'too many clients' });
  t.equal(c.poolErrors, 1);
  t.equal(seen.length, 1);
});

t.test('a held client emitting error does not crash the process and is counted', async (t) => {
  const f = fakePool();
  const c = new ServiceCounters();
  const p = acquire(f.pool, 1000, c, () => undefined);
  f.give();
  const lease = await p;
  f.client.emit('error', new Error('terminating connection due to administrator command'));
  t.equal(c.poolErrors, 1);
  lease.release(new Error('broken'));
  t.equal(f.client.listenerCount('error'), 0, 'its listener is removed on release');
  t.match(f.released, [{ message: 'broken' }], 'a broken connection is released with its error (the pool discards it)');
});
