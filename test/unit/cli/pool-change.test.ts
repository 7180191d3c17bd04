import t from 'tap';
import { checkPoolChange } from '../../../scripts/lib/pool-change';

const from = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const to = { ...from, min: 20, max: 200 };
const rules = (c: Parameters<typeof checkPoolChange>[0]): string[] =>
  checkPoolChange(c).map((p) => `${p.severity}:${p.rule}`);

t.test('the runbook change is valid', async (t) => {
  t.same(checkPoolChange({ from, to }), []);
  t.same(checkPoolChange({ from, to, steps: [100] }), []);
});

t.test('min > max is an error; min == max is fine', async (t) => {
  t.same(rules({ from, to: { ...to, min: 201 } }), ['error:min<=max']);
  t.same(rules({ from, to: { ...to, min: 200 } }), []);
});

t.test('acquire timeout shorter than the connection timeout is an error; equal is fine', async (t) => {
  t.same(rules({ from, to: { ...to, acquireTimeoutMillis: 1999 } }), [
    'error:acquire>=connection timeout',
    'warning:timeouts unchanged',
  ]);
  t.same(rules({ from: { ...from, acquireTimeoutMillis: 2000 }, to: { ...to, acquireTimeoutMillis: 2000 } }), []);
});

t.test('non-integers are errors (the schema already rejects them; the rule holds without it)', async (t) => {
  t.same(rules({ from, to: { ...to, max: 200.5 } }), ['error:integer']);
});

t.test('a very short idle timeout and a changed timeout are warnings', async (t) => {
  t.same(rules({ from: { ...from, idleTimeoutMillis: 500 }, to: { ...to, idleTimeoutMillis: 500 } }), [
    'warning:idle timeout >= 1s',
    'warning:idle timeout >= 1s',
  ]);
  t.same(rules({ from, to: { ...to, idleTimeoutMillis: 60000 } }), ['warning:timeouts unchanged']);
});

t.test('steps must increase strictly between from.max and to.max', async (t) => {
  t.same(rules({ from, to, steps: [100, 150] }), []);
  t.same(rules({ from, to, steps: [150, 100] }), ['error:steps monotonic']);
  t.same(rules({ from, to, steps: [100, 100] }), ['error:steps monotonic']);
  t.same(rules({ from, to, steps: [50] }), ['error:steps monotonic'], 'equal to from.max is not a step');
  t.same(rules({ from, to, steps: [200] }), ['error:steps before target'], 'the last step is always to.max');
  t.same(rules({ from: { ...from, max: 20 }, to: { ...to, min: 30 }, steps: [25] }), ['error:step >= min']);
});

t.test('a decrease (a rollback plan) steps downwards', async (t) => {
  t.same(rules({ from: to, to: from, steps: [100] }), []);
  t.same(rules({ from: to, to: from, steps: [100, 150] }), ['error:steps monotonic']);
});
