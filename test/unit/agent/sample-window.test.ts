import t from 'tap';
import { SampleWindow, nearestRank, selectRank } from '../../../agent/sample-window';
import { ServiceCounters, metricsDocument } from '../../../agent/metrics';
import { isValid } from '../../../scripts/lib/schema';

t.test('nearest-rank percentiles', async (t) => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  t.equal(nearestRank(sorted, 50), 50);
  t.equal(nearestRank(sorted, 95), 95);
  t.equal(nearestRank(sorted, 99), 99);
  t.equal(nearestRank([7], 99), 7);
  t.equal(nearestRank([], 50), 0);
  t.equal(nearestRank([1, 2, 3], 0), 1, 'p0 is the minimum, never out of range');
});

t.test('selection finds the same percentiles as a full sort, at every size and with ties', async (t) => {
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const n of [1, 2, 3, 5, 19, 20, 21, 99, 100, 101, 1000, 4099]) {
    for (const ties of [false, true]) {
      const values = Array.from({ length: n }, () => (ties ? Math.floor(rand() * 5) : rand() * 100));
      const w = new SampleWindow(60_000, n + 10, () => 0);
      for (const v of values) w.record(v);
      const sorted = [...values].sort((a, b) => a - b);
      const want = {
        count: n,
        p50: nearestRank(sorted, 50),
        p95: nearestRank(sorted, 95),
        p99: nearestRank(sorted, 99),
        max: sorted[n - 1],
      };
      t.same(w.summary(), want, `n=${n}${ties ? ' with ties' : ''}`);
    }
  }
  const a = Float64Array.from([5, 1, 4, 2, 3]);
  t.equal(selectRank(a, 5, 4), 4, 'rank 4 of 1..5 is 4');
  t.ok(
    Array.from(a.subarray(0, 3)).every((v) => v <= 4),
    'and every value before it is no larger',
  );
});

t.test('only observations inside the window count', async (t) => {
  let now = 0;
  const w = new SampleWindow(60_000, 1000, () => now);
  t.same(w.summary(), { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }, 'empty window is all zeros');
  w.record(1000);
  now = 30_000;
  for (let i = 1; i <= 10; i += 1) w.record(i);
  t.same(w.summary(), { count: 11, p50: 6, p95: 1000, p99: 1000, max: 1000 });
  now = 60_001; // the 1000 ms outlier recorded at t=0 is now older than 60 s
  t.same(w.summary(), { count: 10, p50: 5, p95: 10, p99: 10, max: 10 });
  now = 90_001;
  t.equal(w.summary().count, 0, 'everything aged out');
});

t.test('beyond capacity the oldest samples are forgotten first', async (t) => {
  const now = 0;
  const w = new SampleWindow(60_000, 4, () => now);
  for (const v of [100, 1, 2, 3, 4]) w.record(v);
  t.same(w.summary(), { count: 4, p50: 2, p95: 4, p99: 4, max: 4 });
});

t.test('the metrics document is schema-valid and sums pools', async (t) => {
  let now = 0;
  const c = new ServiceCounters(60_000, () => now);
  for (const [ms, failed] of [
    [12, false],
    [30, true],
  ] as const) {
    c.inFlight += 1;
    c.requestEnded(failed);
    c.latencyMeasured(ms);
  }
  c.acquires = 2;
  c.holdMsSum = 40.12345;
  c.acquireWait.record(0.5);
  now = 1000;
  const doc = metricsDocument(
    c,
    { max: 50, min: 10, total: 60, idle: 5, waiting: 3, generation: 2 },
    {
      instance: 'primary-1',
      pid: 42,
      uptimeS: 12.3456,
      now: new Date('2026-01-01T00:00:00Z'),
    },
  );
  t.ok(isValid('service-metrics', doc), 'valid against service-metrics.schema.json');
  t.same(doc.requests, { total: 2, errors: 1, in_flight: 0 });
  t.equal(doc.pool.active, 55, 'active = total - idle, over both pools');
  t.equal(doc.pool.utilization, 1.1, 'a draining pool may push utilization over 1');
  t.equal(doc.pool.hold_ms_sum, 40.123);
  t.equal(doc.latency.max, 30);
  t.equal(doc.window_s, 60);
});
