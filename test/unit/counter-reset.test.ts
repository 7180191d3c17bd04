import t from 'tap';
import { measureInstance } from '../../scripts/lib/advise/rates';
import { counterReading, counterReset, type CounterName } from '../../scripts/lib/counter-reset';
import { instanceInterval } from '../../scripts/lib/judge/rates';
import { toPoolSample } from '../../scripts/lib/loadgen/pool-sampler';
import { summarizePoolSamples } from '../../scripts/lib/loadgen/pool-summary';
import { intervalRates } from '../../scripts/lib/metrics-sampler';
import type { ServiceMetrics } from '../../scripts/types/service-metrics';
import { metrics } from './judge/fixtures';

/** Two readings of one process, 10 s apart, with traffic; `later` changes the second. */
function pair(later: (m: ServiceMetrics) => void): [ServiceMetrics, ServiceMetrics] {
  const a = metrics('p1', { at: 0, total: 100, errors: 2, connects: 20, disconnects: 1, acquireTimeouts: 1 });
  a.pool.hold_ms_sum = 5000;
  a.pool.errors = 1;
  const b = metrics('p1', { at: 10, total: 200, errors: 3, connects: 21, disconnects: 2, acquireTimeouts: 2 });
  b.pool.hold_ms_sum = 9000;
  b.pool.errors = 1;
  later(b);
  return [a, b];
}

const COUNTERS: Array<[CounterName, (m: ServiceMetrics) => void]> = [
  ['requests.total', (m) => (m.requests.total = 1)],
  ['requests.errors', (m) => (m.requests.errors = 0)],
  ['pool.acquires', (m) => (m.pool.acquires = 1)],
  ['pool.hold_ms_sum', (m) => (m.pool.hold_ms_sum = 1)],
  ['pool.acquire_timeouts', (m) => (m.pool.acquire_timeouts = 0)],
  ['pool.connects', (m) => (m.pool.connects = 1)],
  ['pool.disconnects', (m) => (m.pool.disconnects = 0)],
  ['pool.errors', (m) => (m.pool.errors = 0)],
];

/** What each of the four users of the rule makes of a pair of readings. */
function verdicts([a, b]: [ServiceMetrics, ServiceMetrics]): Record<string, boolean> {
  return {
    'preflight/verify sample': !intervalRates(a, b).usable,
    'monitor interval': instanceInterval(a, b).rate_why === 'reset',
    'advise window': measureInstance({ name: 'p1', url: 'http://x' }, [a, b], 0.95).status === 'reset',
    'load-test pool summary': summarizePoolSamples([toPoolSample(a), toPoolSample(b)]).restarts === 1,
  };
}

t.test('one rule: a readings pair is differenced, or left out, the same way everywhere', async (t) => {
  const calm = pair(() => undefined);
  t.equal(counterReset(counterReading(calm[0]), counterReading(calm[1])), null);
  t.same(
    verdicts(calm),
    {
      'preflight/verify sample': false,
      'monitor interval': false,
      'advise window': false,
      'load-test pool summary': false,
    },
    'growing counters: every user differences them',
  );
  const cases: Array<[string, (m: ServiceMetrics) => void, RegExp]> = [
    ['a new pid', (m) => (m.pid = 2000), /the process restarted \(pid 1000 → 2000\)/],
    ['a shorter uptime', (m) => (m.uptime_s = 3), /uptime went back/],
    ...COUNTERS.map(([name, down]): [string, (m: ServiceMetrics) => void, RegExp] => [
      `${name} going down`,
      down,
      new RegExp(`counters went down \\(${name.replace('.', '\\.')}\\)`),
    ]),
  ];
  for (const [what, change, says] of cases) {
    const p = pair(change);
    t.match(counterReset(counterReading(p[0]), counterReading(p[1])), says, `${what} is a reset`);
    t.same(
      verdicts(p),
      {
        'preflight/verify sample': true,
        'monitor interval': true,
        'advise window': true,
        'load-test pool summary': true,
      },
      `${what}: every user leaves the interval out`,
    );
  }
});
