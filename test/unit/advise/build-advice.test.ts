import t from 'tap';
import { buildAdvice, type AdviceInput } from '../../../scripts/lib/advise/build-advice';
import { DEFAULT_PARAMETERS, type DbFacts } from '../../../scripts/lib/advise/parameters';
import { measureInstance } from '../../../scripts/lib/advise/rates';
import { isValid, problemsOf } from '../../../scripts/lib/schema';
import { metrics, window30 } from './fake-metrics';

const source = { kind: 'window' as const, window_s: 30, samples: 2 };

function db(over: Partial<DbFacts> = {}): DbFacts {
  return {
    cores: null,
    cores_source: 'unknown',
    spindles: 1,
    concurrency_budget: null,
    max_connections: null,
    superuser_reserved: null,
    reserved: null,
    role_conn_limit: null,
    database_conn_limit: null,
    usable_slots: null,
    slots_source: 'unknown',
    ...over,
  };
}
const db8cores97slots = db({
  cores: 8,
  cores_source: 'given',
  concurrency_budget: 17,
  usable_slots: 97,
  slots_source: 'given',
});

function advise(over: Partial<AdviceInput>) {
  const advice = buildAdvice({
    instances: [],
    source,
    db: db(),
    params: DEFAULT_PARAMETERS,
    now: new Date('2026-02-01T02:30:00Z'),
    ...over,
  });
  if (!isValid('advice', advice)) throw new Error(problemsOf('advice', advice).join('; '));
  return advice;
}
const inst = (name: string, rate: number, holdMs: number, peak = 0, extra = {}) =>
  measureInstance({ name, url: `http://127.0.0.1:3000` }, window30(rate, holdMs, peak, extra), 0.95);
const codes = (a: { findings: { code: string }[] }) => a.findings.map((f) => f.code);

t.test(
  'lambda 200/s x W 15 ms = 3 busy: max ceil(6 x 1.5) = 9, min 3; planned 200 warns and does not fit',
  async (t) => {
    const a = advise({
      instances: [inst('primary-1', 200, 15, 4)],
      db: db8cores97slots,
      planned: { max: 200, source: 'flag' },
    });
    t.equal(a.fleet.busy_p95_per_instance, 6);
    t.same(
      {
        max: a.recommended.max,
        min: a.recommended.min,
        want: a.recommended.want,
        floor: a.recommended.floor,
        budget_cap: a.recommended.budget_cap,
        slots_cap: a.recommended.slots_cap,
      },
      { max: 9, min: 3, want: 9, floor: 6, budget_cap: 17, slots_cap: 48 },
    );
    t.ok(a.planned && Math.abs(a.planned.ratio_to_recommended - 200 / 9) < 1e-9);
    t.same(codes(a), ['PLANNED_FAR_ABOVE_NEED', 'PLANNED_ABOVE_BUDGET', 'PLANNED_ABOVE_SLOTS']);
    t.equal(a.severity, 'critical', '200 + an overlapping 200 do not fit 97 slots');
    t.ok(
      a.explanation.some(
        (s) =>
          s.includes('= 200/s (lambda)') && s.includes('15 ms on average (W)') && s.includes('= 3 connections busy'),
      ),
      a.explanation.join('\n'),
    );
    t.ok(a.explanation.some((s) => s.includes('2 x 8 + 1 = 17')));
  },
);

t.test('a planned value near the need is ok', async (t) => {
  const a = advise({
    instances: [inst('primary-1', 200, 15, 4)],
    db: db8cores97slots,
    planned: { max: 12, source: 'plan' },
  });
  t.equal(a.severity, 'ok');
  t.same(codes(a), []);
});

t.test('planned below the need warns', async (t) => {
  const a = advise({ instances: [inst('primary-1', 200, 15, 4)], planned: { max: 5, source: 'plan' } });
  t.ok(codes(a).includes('PLANNED_BELOW_NEED'));
  t.equal(a.severity, 'warning');
});

t.test('the usable slots bound the max: 30 slots for 4 pools + 1 overlapping = 6 each', async (t) => {
  const four = ['a', 'b', 'c', 'd'].map((n) => inst(n, 200, 15, 4));
  const a = advise({ instances: four, db: db({ usable_slots: 30, slots_source: 'given' }) });
  t.equal(a.recommended.slots_cap, 6);
  t.equal(a.recommended.max, 6, 'want 9 is cut to 6');
  t.equal(a.severity, 'ok', 'the floor 4 + 2 = 6 still fits');
  const tight = advise({
    instances: ['a', 'b', 'c', 'd'].map((n) => inst(n, 200, 15, 5)),
    db: db({ usable_slots: 30, slots_source: 'given' }),
  });
  t.equal(tight.recommended.max, 6);
  t.ok(codes(tight).includes('SLOTS_BELOW_PEAK'));
  t.equal(tight.severity, 'critical');
});

t.test('the concurrency budget trims the max down to the floor, and says the database is the limit', async (t) => {
  const four = ['a', 'b', 'c', 'd'].map((n) => inst(n, 200, 15, 4));
  const a = advise({ instances: four, db: db({ cores: 2, cores_source: 'given', concurrency_budget: 5 }) });
  t.equal(a.recommended.budget_cap, 2, 'ceil(5 / 4 serving)');
  t.equal(a.recommended.max, 6, 'never below the peak 4 + headroom 2');
  t.ok(codes(a).includes('DEMAND_ABOVE_BUDGET'));
  t.ok(a.explanation.some((s) => s.includes('the floor 6 wins')));
});

t.test('idle standbys do not dilute the need: demand is spread over the serving instances only', async (t) => {
  const a = advise({
    instances: [
      inst('primary-1', 200, 15, 4),
      inst('primary-2', 200, 15, 4),
      inst('standby-1', 0, 0),
      inst('standby-2', 0, 0),
    ],
  });
  t.equal(a.fleet.instances, 4);
  t.equal(a.fleet.serving, 2);
  t.ok(Math.abs(a.fleet.busy_avg_per_instance - 3) < 1e-9);
  t.equal(a.recommended.max, 9);
  t.same(codes(a).filter((c) => c === 'IDLE_INSTANCE').length, 2);
  t.equal(a.severity, 'ok');
  const onTwo = advise({ instances: [inst('primary-1', 200, 15, 4), inst('primary-2', 200, 15, 4)], serving: 1 });
  t.ok(
    Math.abs(onTwo.fleet.busy_avg_per_instance - 6) < 1e-9,
    'if one instance must carry both, it needs 6 on average',
  );
});

t.test('backups answering only health checks (1/s) do not count as serving', async (t) => {
  const a = advise({
    instances: [
      inst('primary-1', 600, 1.5),
      inst('primary-2', 600, 1.5),
      inst('standby-1', 1, 2),
      inst('standby-2', 1, 2),
    ],
  });
  t.equal(a.fleet.serving, 2, '1/s is under a tenth of 600/s');
  t.ok(Math.abs(a.fleet.busy_avg_sum - 1.804) < 1e-9, '2 x 600 x 0.0015 + 2 x 1 x 0.002');
  t.equal(a.fleet.busy_p95_fleet, 4, 'Poisson(1.804) 95th percentile: cdf(3) = 0.891, cdf(4) = 0.963');
  t.equal(a.fleet.busy_p95_per_instance, 3, 'Poisson(0.902): cdf(2) = 0.937, cdf(3) = 0.986');
});

t.test('zero traffic everywhere: cannot size, keep the current values, warn', async (t) => {
  const a = advise({
    instances: [inst('primary-1', 0, 0, 0, { max: 50, min: 10 })],
    planned: { max: 200, source: 'plan' },
  });
  t.equal(a.recommended.basis, 'fallback');
  t.equal(a.recommended.max, 50);
  t.equal(a.recommended.min, 10);
  t.ok(codes(a).includes('NO_TRAFFIC'));
  t.match(a.findings.find((f) => f.code === 'NO_TRAFFIC')?.message, /no traffic in the window: cannot size from data/);
  t.notOk(codes(a).includes('PLANNED_FAR_ABOVE_NEED'), 'need unknown: not judged');
  t.equal(a.severity, 'warning');
});

t.test('a counter reset skips that instance with a warning and sizes from the rest', async (t) => {
  const reset = measureInstance(
    { name: 'primary-2', url: 'http://x:1' },
    [...window30(100, 10).slice(0, 1), ...window30(100, 10, 0, { pid: 7 }).slice(1)],
    0.95,
  );
  const a = advise({ instances: [inst('primary-1', 200, 15, 4), reset] });
  t.equal(reset.status, 'reset');
  t.ok(codes(a).includes('COUNTER_RESET'));
  t.equal(a.recommended.basis, 'measured');
  t.equal(a.recommended.max, 9);
  t.equal(a.severity, 'warning');
});

t.test('a pool that made requests wait is reported; timeouts make it a warning', async (t) => {
  const waited = advise({ instances: [inst('p', 200, 15, 10, { waiting: 3, wait_p95: 40, max: 10 })] });
  t.equal(waited.findings.find((f) => f.code === 'POOL_WAITED')?.severity, 'ok');
  const withTimeouts = measureInstance(
    { name: 'p', url: 'http://x:1' },
    [
      metrics({ uptime_s: 0, acquires: 0, hold_ms_sum: 0 }),
      metrics({ uptime_s: 10, acquires: 2000, hold_ms_sum: 30000, acquire_timeouts: 5, active: 10, max: 10 }),
    ],
    0.95,
  );
  const timedOut = advise({ instances: [withTimeouts] });
  t.equal(timedOut.findings.find((f) => f.code === 'POOL_WAITED')?.severity, 'warning');
  t.match(timedOut.findings.find((f) => f.code === 'POOL_WAITED')?.message, /5 acquire timeouts/);
});

t.test('--instances below those measured and --serving out of range are bad input', async (t) => {
  const two = [inst('a', 1, 1), inst('b', 1, 1)];
  t.throws(() => advise({ instances: two, instanceCount: 1 }), { code: 'E_ADVISE_INSTANCES' });
  t.throws(() => advise({ instances: two, serving: 3 }), { code: 'E_ADVISE_SERVING' });
  t.throws(() => advise({ instances: [] }), { code: 'E_ADVISE_EMPTY' });
});
