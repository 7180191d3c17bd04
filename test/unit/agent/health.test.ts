import t from 'tap';
import type { Lease } from '../../../agent/acquire';
import { Health } from '../../../agent/health';

/** An acquire() that counts probes and answers SELECT 1 or fails, as the test says. */
function fakeDb() {
  const state = { probes: 0, fail: undefined as Error | undefined, released: [] as (Error | undefined)[] };
  const acquire = async (): Promise<Lease> => {
    state.probes += 1;
    if (state.fail) throw state.fail;
    return {
      client: { query: async () => ({ rows: [{ '?column?': 1 }] }) } as unknown as Lease['client'],
      release: (err?: Error) => void state.released.push(err),
    };
  };
  return { state, acquire };
}

t.test('not ok while starting or draining, whatever the database says', async (t) => {
  const { state, acquire } = fakeDb();
  const h = new Health(acquire);
  t.same(await h.check(), { status: 'starting', reason: 'pool is being built' });
  h.lifecycle = 'draining';
  t.same(await h.check(), { status: 'draining', reason: 'shutting down' });
  t.equal(state.probes, 0, 'no probe when the answer cannot be ok');
});

t.test('at most one SELECT 1 per second, shared by concurrent checks', async (t) => {
  let now = 0;
  const { state, acquire } = fakeDb();
  const h = new Health(acquire, () => now);
  h.lifecycle = 'serving';
  const answers = await Promise.all([h.check(), h.check(), h.check()]);
  t.same(answers, [{ status: 'ok' }, { status: 'ok' }, { status: 'ok' }]);
  t.equal(state.probes, 1, 'concurrent checks share one probe');
  now = 900;
  await h.check();
  t.equal(state.probes, 1, 'fresh for a second');
  now = 1100;
  await h.check();
  t.equal(state.probes, 2);
  t.same(state.released, [undefined, undefined], 'the probe connection goes back to the pool');
});

t.test('successful API work vouches for the pool: no probe needed', async (t) => {
  let now = 10_000;
  const { state, acquire } = fakeDb();
  const h = new Health(acquire, () => now);
  h.lifecycle = 'serving';
  h.dbOk();
  now += 500;
  t.same(await h.check(), { status: 'ok' });
  t.equal(state.probes, 0);
});

t.test('a failing probe is unhealthy with its reason, cached for a second, then retried', async (t) => {
  let now = 0;
  const { state, acquire } = fakeDb();
  const h = new Health(acquire, () => now);
  h.lifecycle = 'serving';
  state.fail = new Error('connect ECONNREFUSED 127.0.0.1:54320');
  t.same(await h.check(), {
    status: 'unhealthy',
    reason: 'database check failed: connect ECONNREFUSED 127.0.0.1:54320',
  });
  now = 500;
  await h.check();
  t.equal(state.probes, 1, 'a recent failure is not re-probed at once');
  state.fail = undefined;
  now = 1600;
  t.same(await h.check(), { status: 'ok' }, 'recovers once the database answers');
  t.equal(state.probes, 2);
});
