import t from 'tap';
import { levelConfig, rampLevels, rampPasses } from '../../../scripts/lib/ramp-passes';

const timeouts = { idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const from = { min: 10, max: 50, ...timeouts };
const to = { min: 20, max: 200, ...timeouts, acquireTimeoutMillis: 8000 };

void t.test('the runbook ramp 50 → 100 → 200: two passes, each from the level the previous one reached', async (t) => {
  const passes = rampPasses({ from, to, steps: [100] });
  t.equal(passes.length, 2);
  t.same(
    passes.map((p) => [p.pass, p.of, p.from.max, p.to.max]),
    [
      [1, 2, 50, 100],
      [2, 2, 100, 200],
    ],
  );
  t.equal(passes[1]!.from, passes[0]!.to, 'pass 2 starts from exactly what pass 1 made');
  t.same(passes[0]!.from, from, "pass 1 starts from the fleet's config");
  t.same(passes[1]!.to, to, 'the last pass ends on the target, unchanged');
  t.same(rampLevels({ from, to, steps: [100] }), [50, 100, 200]);
});

void t.test("an intermediate level: min proportional to max, the target's timeouts", async (t) => {
  t.same(
    levelConfig({ from, to }, 100),
    { min: 13, max: 100, ...timeouts, acquireTimeoutMillis: 8000 },
    '10 + 10 × 50/150 = 13.3 → 13',
  );
  t.equal(levelConfig({ from, to }, 125).min, 15, 'half way: 15');
  t.same(levelConfig({ from, to }, 200), to, 'the target level is the target');
});

void t.test('a ramp down and a change without steps', async (t) => {
  const down = rampPasses({ from: to, to: from, steps: [100] });
  t.same(
    down.map((p) => [p.from.max, p.to.max, p.to.min]),
    [
      [200, 100, 13],
      [100, 50, 10],
    ],
  );
  const single = rampPasses({ from, to });
  t.equal(single.length, 1);
  t.same([single[0]!.from, single[0]!.to], [from, to]);
});
