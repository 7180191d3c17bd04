import t from 'tap';
import { dbProber, type Queryable } from '../../../scripts/lib/monitor-run';

const DB = { host: '127.0.0.1', port: 1, database: 'ledger', user: 'm' };

/** Fake connections: each answers `sessions` (the server's counter) until it is broken; opened/ended counted. */
function fakeServer() {
  const s = { opened: 0, ended: 0, sessions: 100, broken: new Set<number>() };
  const connect = async (): Promise<Queryable> => {
    const id = ++s.opened;
    s.sessions++;
    return {
      query: async <R>() => {
        if (s.broken.has(id)) throw new Error('Connection terminated unexpectedly');
        return { rows: [{ backends: 7, sessions: String(s.sessions) }] as R[] };
      },
      end: async () => void s.ended++,
    };
  };
  return { s, connect };
}

t.test('one connection for every sample of a run, closed by close()', async (t) => {
  const { s, connect } = fakeServer();
  const probe = dbProber(DB, connect);
  for (let i = 0; i < 5; i++)
    t.same(await probe(), { backends: 7, sessions: 100 }, `sample ${i + 1}: our session is not counted`);
  t.equal(s.opened, 1, 'five samples, one connection');
  await probe.close();
  t.equal(s.ended, 1, 'closed at the end of the run');
});

t.test(
  'a broken connection is replaced within the same sample, and the reconnect is not counted as a new backend',
  async (t) => {
    const { s, connect } = fakeServer();
    const probe = dbProber(DB, connect);
    await probe();
    s.broken.add(1);
    t.same(await probe(), { backends: 7, sessions: 100 }, 'answered on a fresh connection');
    t.equal(s.opened, 2);
    t.equal(s.ended, 1, 'the broken one was closed');
    s.broken.add(2);
    s.broken.add(3);
    await t.rejects(probe(), /terminated/, 'a fresh connection failing too is an error (unmeasured), not a retry loop');
    t.equal(s.opened, 3);
    await probe.close();
  },
);
