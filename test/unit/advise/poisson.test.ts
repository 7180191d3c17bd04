import t from 'tap';
import { normalQuantile, poissonQuantile } from '../../../scripts/lib/advise/poisson';

t.test('Poisson 95th percentiles computed by hand from the distribution', async (t) => {
  t.equal(poissonQuantile(0, 0.95), 0, 'no traffic: nothing busy');
  // P(X<=2)=0.920, P(X<=3)=0.981 for mean 1
  t.equal(poissonQuantile(1, 0.95), 3);
  // mean 3: cdf(5)=0.916, cdf(6)=0.966
  t.equal(poissonQuantile(3, 0.95), 6);
  // mean 0.01: P(0)=0.990 already covers 95 %
  t.equal(poissonQuantile(0.01, 0.95), 0);
});

t.test('the normal approximation for large means agrees with the exact sum at the switch-over', async (t) => {
  t.ok(Math.abs(normalQuantile(0.95) - 1.6449) < 1e-4);
  const exact = poissonQuantile(600, 0.95);
  const approx = Math.ceil(600 + normalQuantile(0.95) * Math.sqrt(600) - 0.5);
  t.ok(Math.abs(approx - exact) <= 1, `exact(600)=${exact} approx(600)=${approx}`);
  t.equal(poissonQuantile(1000, 0.95), 1052, '1000 + 1.645 x sqrt(1000) - 0.5, rounded up');
});

t.test('bad arguments are refused', async (t) => {
  t.throws(() => poissonQuantile(-1, 0.95), RangeError);
  t.throws(() => poissonQuantile(Number.NaN, 0.95), RangeError);
  t.throws(() => poissonQuantile(1, 1), RangeError);
});
