import t from 'tap';
import {
  appSteps,
  checkCapacity,
  checkCapacityRamp,
  largestFittingMax,
  usableSlots,
  type CapacityInput,
} from '../../../scripts/lib/capacity';

const fleet = ['standby-1', 'standby-2', 'primary-1', 'primary-2'].map((name) => ({ name, old_max: 50, new_max: 200 }));
const base: CapacityInput = {
  instances: fleet,
  max_connections: 1100,
  superuser_reserved_connections: 3,
  reserved_connections: 0,
  other_clients_peak: 7,
  headroom: 10,
  overlap: 'one_instance',
};

t.test('usable slots subtract both reserved pools', async (t) => {
  t.equal(usableSlots({ max_connections: 100, superuser_reserved_connections: 3, reserved_connections: 0 }), 97);
  t.equal(usableSlots({ max_connections: 100, superuser_reserved_connections: 3, reserved_connections: 5 }), 92);
});

t.test('each rollout step: switched instances count new, the rest old, the switching one old + new', async (t) => {
  t.same(appSteps(fleet, 'one_instance'), [
    { step: 'before (all old)', app: 200 },
    { step: 'switching standby-1', app: 0 + 250 + 150 }, // 400
    { step: 'switching standby-2', app: 200 + 250 + 100 }, // 550
    { step: 'switching primary-1', app: 400 + 250 + 50 }, // 700
    { step: 'switching primary-2', app: 600 + 250 + 0 }, // 850
    { step: 'after (all new)', app: 800 },
  ]);
});

t.test('restart (overlap none): the switching instance holds only the larger pool', async (t) => {
  const steps = appSteps(fleet, 'none');
  t.equal(steps[4]!.app, 600 + 200, 'switching primary-2: 3 × 200 + max(50, 200)');
  t.equal(Math.max(...steps.map((s) => s.app)), 800, 'the end state is the worst when nothing overlaps');
});

t.test('the worst step is the last switch with overlap, and it fits 1100', async (t) => {
  const r = checkCapacity(base);
  t.equal(r.usable, 1097);
  t.equal(r.worst.step, 'switching primary-2');
  t.equal(r.worst.demand, 850 + 7 + 10);
  t.ok(r.fits);
  t.equal(r.shortfall, 0);
  t.equal(r.advice, null);
});

t.test('exactly at the limit fits; one more slot of demand does not', async (t) => {
  // worst demand 867 = usable when max_connections = 870 (870 − 3)
  const at = checkCapacity({ ...base, max_connections: 870 });
  t.equal(at.usable, 867);
  t.ok(at.fits, 'demand == usable passes');
  const over = checkCapacity({ ...base, max_connections: 869 });
  t.notOk(over.fits);
  t.equal(over.shortfall, 1);
  t.match(over.advice, /raise max_connections by 1 \(to 870\)/);
});

t.test('a small server: the advice says by how much and which max would fit', async (t) => {
  const small = { ...base, max_connections: 300 }; // usable 297
  const r = checkCapacity(small);
  t.notOk(r.fits);
  t.equal(r.worst.demand, 867);
  t.equal(r.shortfall, 867 - 297);
  // with a new max m: switching primary-2 = 3m (switched) + 50 + m (old + new) = 4m + 50; 4m + 50 + 17 <= 297 → m = 57
  t.equal(largestFittingMax(small), 57);
  t.match(r.advice, /raise max_connections by 570 \(to 870\) or lower the new max to 57/);
  t.ok(r.steps[0]!.fits, 'before the change: 200 + 17 <= 297');
  t.notOk(r.steps.find((s) => s.step === 'switching standby-2')!.fits, 'second switch: 550 + 17 > 297');
  const capped = checkCapacity({ ...small, instances: fleet.map((i) => ({ ...i, new_max: 57 })) });
  t.ok(capped.fits, 'the advised max does fit');
  t.notOk(checkCapacity({ ...small, instances: fleet.map((i) => ({ ...i, new_max: 58 })) }).fits, 'one more does not');
});

t.test('when even the current pools do not fit, no new max helps', async (t) => {
  const r = checkCapacity({ ...base, max_connections: 100 });
  t.notOk(r.fits);
  t.match(r.advice, /no new max fits/);
});

t.test("role and database connection limits are checked against the app's worst demand", async (t) => {
  const r = checkCapacity({ ...base, role_conn_limit: 800, db_conn_limit: 900, other_clients_in_db: 3 });
  t.same(r.role_limit, { limit: 800, worst_app: 850, fits: false });
  t.same(r.db_limit, { limit: 900, worst: 853, fits: true });
  t.match(r.advice, /raise the app role's CONNECTION LIMIT by 50 \(to 850\)/);
  t.equal(checkCapacity({ ...base, role_conn_limit: -1 }).role_limit, null, '-1 means no limit');
  t.same(
    checkCapacity({ ...base, role_conn_limit: 850 }).role_limit,
    { limit: 850, worst_app: 850, fits: true },
    'at the limit fits',
  );
});

t.test('a ramped change is judged pass by pass: the last pass starts from the intermediate level', async (t) => {
  const r = checkCapacityRamp(base, [100]);
  t.equal(r.steps.length, 12, 'two passes of six steps');
  // pass 2, switching primary-2: 3 × 200 + (100 + 200) = 900, worse than 50 → 200 in one go (850)
  t.equal(r.worst.demand, 900 + 17);
  t.equal(r.worst.step, 'pass 2/2 (max 100→200): switching primary-2');
  t.ok(r.fits);
  t.same(checkCapacityRamp(base, []), checkCapacity(base), 'no steps: one pass');
  const tight = checkCapacityRamp({ ...base, max_connections: 900 }, [100]);
  t.notOk(tight.fits, '917 > 897 although the one-pass plan (867) would fit');
  t.equal(tight.shortfall, 20);
  t.match(tight.advice, /raise max_connections by 20/);
});
