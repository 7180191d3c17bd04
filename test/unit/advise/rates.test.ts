import t from 'tap';
import { measureInstance } from '../../../scripts/lib/advise/rates';
import { metrics, window30 } from './fake-metrics';

const target = { name: 'primary-1', url: 'http://127.0.0.21:3000' };

t.test("Little's law: lambda = 200/s and W = 15 ms keep L = 3 connections busy", async (t) => {
  const m = measureInstance(target, window30(200, 15, 4), 0.95);
  t.equal(m.status, 'measured');
  t.equal(m.window_s, 30);
  t.equal(m.acquires, 6000);
  t.equal(m.arrival_rate_per_s, 200);
  t.equal(m.mean_hold_ms, 15);
  t.ok(Math.abs(m.busy_avg - 3) < 1e-9, `L=${m.busy_avg}`);
  t.equal(m.busy_p95, 6, 'Poisson(3) 95th percentile is 6, above the peak of 4 seen');
  t.equal(m.peak_active, 4);
});

t.test('the observed peak wins when it is above the Poisson estimate', async (t) => {
  t.equal(measureInstance(target, window30(200, 15, 9), 0.95).busy_p95, 9);
});

t.test('the peak, waiting and wait p95 come from every sample, the rates from the first and last', async (t) => {
  const samples = [
    metrics({ uptime_s: 10, acquires: 0, hold_ms_sum: 0 }),
    metrics({ uptime_s: 15, acquires: 500, hold_ms_sum: 1000, active: 7, waiting: 2, wait_p95: 12 }),
    metrics({ uptime_s: 20, acquires: 1000, hold_ms_sum: 2000, active: 1 }),
  ];
  const m = measureInstance(target, samples, 0.95);
  t.equal(m.arrival_rate_per_s, 100);
  t.equal(m.mean_hold_ms, 2);
  t.equal(m.peak_active, 7);
  t.equal(m.peak_waiting, 2);
  t.equal(m.acquire_wait_p95_ms, 12);
});

t.test('acquire timeouts count as offered demand', async (t) => {
  const samples = [
    metrics({ uptime_s: 0, acquires: 0, hold_ms_sum: 0 }),
    metrics({ uptime_s: 10, acquires: 900, hold_ms_sum: 9000, acquire_timeouts: 100 }),
  ];
  const m = measureInstance(target, samples, 0.95);
  t.equal(m.arrival_rate_per_s, 100, '(900 + 100) / 10 s');
  t.equal(m.mean_hold_ms, 10);
  t.equal(m.busy_avg, 1);
});

t.test('zero traffic: idle, no hold time, nothing busy', async (t) => {
  const m = measureInstance(target, window30(0, 0), 0.95);
  t.equal(m.status, 'idle');
  t.equal(m.reason, 'no traffic in the window');
  t.equal(m.mean_hold_ms, null);
  t.equal(m.busy_avg, 0);
});

t.test('pool acquisitions without API requests are health checks, not a workload', async (t) => {
  const a = metrics({ uptime_s: 100, acquires: 50, hold_ms_sum: 100 });
  const b = metrics({ uptime_s: 130, acquires: 80, hold_ms_sum: 160 });
  b.requests.total = a.requests.total;
  const m = measureInstance(target, [a, b], 0.95);
  t.equal(m.status, 'idle');
  t.equal(m.reason, 'no traffic in the window (only 30 health-check acquisitions)');
  t.equal(m.arrival_rate_per_s, 0);
});

t.test('a restart between samples is detected and the instance skipped', async (t) => {
  const byPid = measureInstance(
    target,
    [
      metrics({ uptime_s: 100, acquires: 10, hold_ms_sum: 10 }),
      metrics({ pid: 99, uptime_s: 130, acquires: 20, hold_ms_sum: 20 }),
    ],
    0.95,
  );
  t.equal(byPid.status, 'reset');
  t.match(byPid.reason, /pid 4242 → 99/);
  const byCounter = measureInstance(
    target,
    [
      metrics({ uptime_s: 100, acquires: 5000, hold_ms_sum: 10 }),
      metrics({ uptime_s: 130, acquires: 20, hold_ms_sum: 20 }),
    ],
    0.95,
  );
  t.equal(byCounter.status, 'reset');
  t.match(byCounter.reason, /counters went down \(.*pool\.acquires/);
  const inTheMiddle = measureInstance(
    target,
    [
      metrics({ uptime_s: 100, acquires: 10, hold_ms_sum: 10 }),
      metrics({ uptime_s: 5, acquires: 1, hold_ms_sum: 1 }),
      metrics({ uptime_s: 130, acquires: 20, hold_ms_sum: 20 }),
    ],
    0.95,
  );
  t.equal(inTheMiddle.status, 'reset', 'a reset hidden between first and last sample is still caught');
  t.equal(inTheMiddle.busy_avg, 0);
});

t.test('one sample is not a window', async (t) => {
  t.throws(() => measureInstance(target, [metrics({ uptime_s: 1, acquires: 1, hold_ms_sum: 1 })], 0.95), {
    code: 'E_ADVISE_SAMPLES',
  });
});
