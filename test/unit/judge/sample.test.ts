import t from 'tap';
import { buildSample, initialState, type Observation, type SamplerState } from '../../../scripts/lib/judge/sample';
import { isValid, problemsOf } from '../../../scripts/lib/schema';
import type { MonitorSample } from '../../../scripts/types/monitor-sample';
import { metrics, T0, type MetricsOverrides } from './fixtures';

const off = { db: { configured: false }, cpu: { configured: false }, p0: { signalled: false } };

/** Feed rounds of per-instance answers (undefined = unreachable) through buildSample. */
function run(
  rounds: Record<string, MetricsOverrides | undefined>[],
  extra: Partial<Observation>[] = [],
): MonitorSample[] {
  let state: SamplerState = initialState(T0);
  const out: MonitorSample[] = [];
  rounds.forEach((round, k) => {
    const at = Object.values(round).find((o) => o?.at !== undefined)?.at ?? k * 10;
    const obs: Observation = {
      at_ms: T0 + at * 1000,
      instances: Object.entries(round).map(([name, o]) =>
        o ? { name, metrics: metrics(name, o) } : { name, error: 'connect ECONNREFUSED' },
      ),
      ...off,
      ...extra[k],
    };
    const r = buildSample(state, obs);
    state = r.state;
    out.push(r.sample);
  });
  return out;
}

t.test('rates come from counter deltas between consecutive answers, per instance and fleet-wide', async (t) => {
  const [first, second] = run([
    { a: { at: 0, total: 1000, errors: 1, connects: 20 }, b: { at: 0, total: 500, errors: 0 } },
    { a: { at: 10, total: 1200, errors: 3, connects: 30, disconnects: 10 }, b: { at: 10, total: 800, errors: 0 } },
  ]);
  t.equal(first!.instances[0]!.error_rate, null);
  t.equal(first!.instances[0]!.rate_why, 'first');
  t.equal(first!.fleet.error_rate, null);
  const a = second!.instances[0]!;
  t.equal(a.requests, 200);
  t.equal(a.error_rate, 2 / 200);
  t.equal(a.churn_per_s, 2, '(10 connects + 10 disconnects) / 10 s');
  t.equal(second!.fleet.requests, 500);
  t.equal(second!.fleet.error_rate, 2 / 500, 'fleet = Σ Δerrors / Σ Δrequests, not a mean of rates');
  for (const s of [first!, second!]) t.ok(isValid('monitor-sample', s), problemsOf('monitor-sample', s).join('; '));
});

t.test('a pid change drops the interval: no rate, no breach, counted as reset', async (t) => {
  const [, second] = run([
    { a: { at: 0, pid: 10, total: 5000, errors: 0 } },
    { a: { at: 10, pid: 11, total: 40, errors: 40 } },
  ]);
  const a = second!.instances[0]!;
  t.equal(a.rate_why, 'reset');
  t.equal(a.error_rate, null, '40 errors since the restart are not a rate over the interval');
  t.equal(a.requests, 0);
  t.equal(second!.fleet.error_rate, null);
  t.same(second!.unmeasured, [], 'a restart answered: it is not an outage');
});

t.test('a counter that goes down under the same pid is a reset too', async (t) => {
  const [, second] = run([{ a: { at: 0, total: 100 } }, { a: { at: 10, total: 50 } }]);
  t.equal(second!.instances[0]!.rate_why, 'reset');
});

t.test('no traffic is no error rate (null), not 0 %', async (t) => {
  const [, second] = run([{ a: { at: 0, total: 100 } }, { a: { at: 10, total: 100 } }]);
  t.equal(second!.instances[0]!.error_rate, null);
  t.equal(second!.fleet.error_rate_why, 'no_traffic');
});

t.test('an unreachable instance is unmeasured; the next answer differences against its last one', async (t) => {
  const s = run([
    { a: { at: 0, total: 100 }, b: { at: 0, total: 0 } },
    { a: undefined, b: { at: 10, total: 10 } },
    { a: { at: 20, total: 300, errors: 2 }, b: { at: 20, total: 20 } },
  ]);
  t.same(s[1]!.unmeasured, ['a']);
  t.equal(s[1]!.instances[0]!.measured, false);
  t.equal(s[1]!.fleet.error_rate, 0, 'the fleet rate of the instances that answered');
  t.equal(s[2]!.instances[0]!.requests, 200, 'Δ over both intervals: cumulative counters lose nothing');
  t.equal(s[2]!.instances[0]!.interval_s, 20);
});

t.test('fleet p95 is the worst instance by default, traffic-weighted on request', async (t) => {
  let state = initialState(T0);
  const obs = (at: number, aTotal: number, bTotal: number): Observation => ({
    at_ms: T0 + at * 1000,
    instances: [
      { name: 'a', metrics: metrics('a', { at, total: aTotal, p95: 100 }) },
      { name: 'b', metrics: metrics('b', { at, total: bTotal, p95: 1000 }) },
    ],
    ...off,
  });
  state = buildSample(state, obs(0, 0, 0), 'traffic_weighted').state;
  const weighted = buildSample(state, obs(10, 900, 100), 'traffic_weighted').sample;
  t.equal(weighted.fleet.p95_ms, (100 * 900 + 1000 * 100) / 1000);
  const worst = buildSample(state, obs(10, 900, 100), 'max').sample;
  t.equal(worst.fleet.p95_ms, 1000);
});

t.test('an empty latency window is null, not 0 ms', async (t) => {
  const [s] = run([{ a: { at: 0, count: 0, p95: 0 } }]);
  t.equal(s!.instances[0]!.p95_ms, null);
  t.equal(s!.fleet.p95_ms, null);
});

t.test('database: new backends/s from the sessions counter; a failed probe or CPU source is unmeasured', async (t) => {
  const s = run(
    [{ a: { at: 0 } }, { a: { at: 10 } }, { a: { at: 20 } }, { a: { at: 30 } }],
    [
      { db: { configured: true, backends: 30, sessions: 1000 }, cpu: { configured: true, pct: null, why: 'first' } },
      { db: { configured: true, backends: 32, sessions: 1250 }, cpu: { configured: true, pct: 40 } },
      { db: { configured: true, error: 'connection refused' }, cpu: { configured: true, error: 'command exited 1' } },
      { db: { configured: true, backends: 5, sessions: 3 }, cpu: { configured: true, pct: 10 } },
    ],
  );
  t.equal(s[0]!.db.new_backends_why, 'first');
  t.equal(s[1]!.db.new_backends_per_s, 25);
  t.equal(s[1]!.db.cpu_pct, 40);
  t.same(s[2]!.unmeasured, ['db', 'db_cpu']);
  t.equal(s[3]!.db.new_backends_why, 'reset', 'a restarted database restarts its counters');
  for (const x of s) t.ok(isValid('monitor-sample', x), problemsOf('monitor-sample', x).join('; '));
});
