import t from 'tap';
import { intervalRates, sampleFleet } from '../../../scripts/lib/metrics-sampler';
import { MeasureError } from '../../../scripts/lib/errors';
import type { ServiceMetrics } from '../../../scripts/types/service-metrics';

const pct = { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
function metrics(over: {
  t: string;
  pid?: number;
  uptime?: number;
  total: number;
  errors: number;
  connects?: number;
  disconnects?: number;
}): ServiceMetrics {
  return {
    timestamp: over.t,
    instance: 'primary-1',
    pid: over.pid ?? 100,
    uptime_s: over.uptime ?? 1000,
    requests: { total: over.total, errors: over.errors, in_flight: 0 },
    latency: { ...pct, count: 10, p95: 12 },
    pool: {
      max: 50,
      min: 10,
      total: 10,
      idle: 10,
      active: 0,
      waiting: 0,
      utilization: 0,
      acquire_wait_ms: pct,
      acquires: over.total,
      hold_ms_sum: over.total * 2,
      acquire_timeouts: 0,
      connects: over.connects ?? 10,
      disconnects: over.disconnects ?? 0,
      errors: 0,
      generation: 1,
    },
  };
}

t.test('exact rates from counter deltas', async (t) => {
  const a = metrics({ t: '2026-02-01T02:00:00.000Z', total: 1000, errors: 1, connects: 10 });
  const b = metrics({
    t: '2026-02-01T02:00:10.000Z',
    uptime: 1010,
    total: 3000,
    errors: 3,
    connects: 30,
    disconnects: 20,
  });
  const r = intervalRates(a, b);
  t.equal(r.usable, true);
  t.equal(r.interval_s, 10);
  t.equal(r.requests, 2000);
  t.equal(r.errors, 2);
  t.equal(r.error_rate, 0.001);
  t.equal(r.requests_per_s, 200);
  t.equal(r.churn_per_s, 4, '(20 connects + 20 disconnects) / 10 s');
});

t.test('no traffic: the error rate is null (nothing to judge), not 0', async (t) => {
  const a = metrics({ t: '2026-02-01T02:00:00Z', total: 5, errors: 0 });
  const b = metrics({ t: '2026-02-01T02:00:05Z', uptime: 1005, total: 5, errors: 0 });
  t.equal(intervalRates(a, b).error_rate, null);
});

t.test('a restart in the window makes the interval unusable: new pid', async (t) => {
  const a = metrics({ t: '2026-02-01T02:00:00Z', total: 1000, errors: 0 });
  const b = metrics({ t: '2026-02-01T02:00:10Z', pid: 101, uptime: 3, total: 1200, errors: 0 });
  const r = intervalRates(a, b);
  t.equal(r.usable, false);
  t.match(r.reason, /pid 100 → 101/);
  t.equal(r.error_rate, null);
});

t.test('a restart with the same pid (container): uptime or counters go back', async (t) => {
  const a = metrics({ t: '2026-02-01T02:00:00Z', total: 1000, errors: 5 });
  const down = intervalRates(a, metrics({ t: '2026-02-01T02:00:10Z', uptime: 1010, total: 40, errors: 0 }));
  t.equal(down.usable, false);
  t.match(down.reason, /counters went down \(requests.total, requests.errors/);
  const back = intervalRates(a, metrics({ t: '2026-02-01T02:00:10Z', uptime: 5, total: 2000, errors: 5 }));
  t.equal(back.usable, false);
  t.match(back.reason, /uptime went back/);
});

t.test('timestamps that do not advance are unusable', async (t) => {
  const a = metrics({ t: '2026-02-01T02:00:00Z', total: 1, errors: 0 });
  t.equal(intervalRates(a, a).usable, false);
});

t.test('sampleFleet samples twice and records an unreachable instance instead of throwing', async (t) => {
  let calls = 0;
  const samples = await sampleFleet(
    [
      { name: 'a', url: 'http://a' },
      { name: 'b', url: 'http://b' },
    ],
    0.01,
    async (url) => {
      calls++;
      if (url === 'http://b') throw new MeasureError('GET http://b failed: ECONNREFUSED');
      return metrics({
        t: new Date(Date.UTC(2026, 1, 1, 2, 0, calls)).toISOString(),
        uptime: 1000 + calls,
        total: calls * 10,
        errors: 0,
      });
    },
  );
  t.equal(calls, 4);
  t.equal(samples[0]!.error, null);
  t.equal(samples[0]!.rates!.usable, true);
  t.equal(samples[1]!.rates, null);
  t.match(samples[1]!.error, /ECONNREFUSED/);
});
