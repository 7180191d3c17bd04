import t from 'tap';
import { InputError } from '../../../scripts/lib/errors';
import { isValid } from '../../../scripts/lib/schema';
import type { LoadedPoolConfig } from '../../../agent/config-source';
import type { Logger } from '../../../agent/json-log';
import { ServiceCounters } from '../../../agent/metrics';
import { poolFactoryFrom } from '../../../agent/pool-factory';
import { PoolManager } from '../../../agent/pool-manager';
import { agentOnClosedPort } from './agent-fixture';

/**
 * With min 0 and no acquisition, a pg.Pool opens no connection, so the reload bookkeeping (generations,
 * errors, no-op on identical bytes, serialization) is tested without a database.
 */
const cfg = (max: number, sha: string): LoadedPoolConfig => ({
  pool: { min: 0, max, idleTimeoutMillis: 1000, connectionTimeoutMillis: 1000, acquireTimeoutMillis: 1000 },
  source: '/etc/pool.json',
  sha256: sha.repeat(64),
  loadedAt: new Date('2026-01-01T00:00:00Z'),
});

function manager(files: (LoadedPoolConfig | Error)[], gate: Promise<void> = Promise.resolve()) {
  const events: string[] = [];
  const log: Logger = { log: (_level, event) => void events.push(event) };
  let reads = 0;
  const m = new PoolManager({
    instance: 'unit-1',
    createPool: poolFactoryFrom({ host: '127.0.0.1', port: 1 }),
    counters: new ServiceCounters(),
    log,
    readConfig: async () => {
      const next = files[Math.min(reads, files.length - 1)];
      reads += 1;
      await gate;
      if (next instanceof Error) throw next;
      return next;
    },
  });
  return { m, events, reads: () => reads };
}

t.test('a good reload bumps the generation and ends the old pool', async (t) => {
  const { m, events } = manager([cfg(20, 'b')]);
  await m.start(cfg(10, 'a'));
  t.equal(m.poolConfigDocument().generation, 1);
  t.equal(await m.reload(), 'reloaded');
  const doc = m.poolConfigDocument();
  t.ok(isValid('service-pool-config', doc));
  t.match(doc, { generation: 2, pool: { max: 20 }, sha256: 'b'.repeat(64), reloading: false, last_reload_error: null });
  t.same(m.gauges(), { max: 20, min: 0, total: 0, idle: 0, waiting: 0, generation: 2 });
  t.ok(events.includes('reload_ok') && events.includes('pool_ended'));
  await m.close(1000);
});

t.test(
  'a bad file keeps the pool in force and reports; the same bytes again is a no-op that clears the error',
  async (t) => {
    const { m } = manager([new InputError('pool config /etc/pool.json is invalid: /max: must be >= 1'), cfg(10, 'a')]);
    await m.start(cfg(10, 'a'));
    t.equal(await m.reload(), 'failed');
    const failed = m.poolConfigDocument();
    t.equal(failed.generation, 1);
    t.match(failed.last_reload_error, { message: /must be >= 1/ });
    t.ok(isValid('service-pool-config', failed));
    t.equal(await m.reload(), 'unchanged');
    t.equal(m.poolConfigDocument().generation, 1, 'identical sha256: no new pool, no new generation');
    t.equal(m.poolConfigDocument().last_reload_error, null);
    await m.close(1000);
  },
);

t.test('signals during a reload coalesce into one re-read after it', async (t) => {
  let open = (): void => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const { m, reads } = manager([cfg(20, 'b'), cfg(30, 'c')], gate);
  await m.start(cfg(10, 'a'));
  const first = m.reload();
  t.equal(m.reload(), first, 'a reload that has not started yet will read the latest file: share it');
  while (reads() === 0) await new Promise((r) => setImmediate(r));
  const second = m.reload();
  const third = m.reload();
  t.not(second, first, 'a signal during a running reload queues one more');
  t.equal(third, second, 'further signals share the queued one');
  t.equal(m.poolConfigDocument().reloading, true);
  open();
  t.same(await Promise.all([first, second]), ['reloaded', 'reloaded']);
  t.equal(reads(), 2, 'the file was read twice, not three times');
  t.equal(m.poolConfigDocument().generation, 3);
  t.equal(m.poolConfigDocument().pool.max, 30);
  await m.close(1000);
  t.equal(await m.reload(), 'closing', 'no reload after close');
});

t.test('a request that arrives while the agent starts waits for its first pool instead of failing', async (t) => {
  const agent = agentOnClosedPort(t, 5);
  t.teardown(() => agent.stop().catch(() => undefined));
  const started = agent.start();
  // Asked before the config was read: it reaches the pool (here a closed port), not "pool manager not started".
  await t.rejects(agent.acquire(500), { code: 'ECONNREFUSED' });
  await started;
});
