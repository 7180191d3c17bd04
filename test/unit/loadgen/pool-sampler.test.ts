import t from 'tap';
import { PoolSampler } from '../../../scripts/lib/loadgen/pool-sampler';
import type { ServiceMetrics } from '../../../scripts/types/service-metrics';

const pct = { count: 1, p50: 1, p95: 2, p99: 3, max: 4 };
function metrics(n: number): ServiceMetrics {
  return {
    timestamp: new Date().toISOString(),
    instance: 'x',
    pid: 10,
    uptime_s: n,
    requests: { total: n, errors: 0, in_flight: 0 },
    latency: pct,
    pool: {
      max: 50,
      min: 10,
      total: 10,
      idle: 5,
      active: 5,
      waiting: 0,
      utilization: 0.1,
      acquire_wait_ms: pct,
      acquires: n,
      hold_ms_sum: n * 5000,
      acquire_timeouts: n > 2 ? 1 : 0,
      connects: 10,
      disconnects: 0,
      errors: 0,
      generation: 1,
    },
  };
}

t.test('reads each target before, during and after; a failed reading is missing, not zero', async (t) => {
  let calls = 0;
  const reader = async (url: string): Promise<ServiceMetrics> => {
    if (url.includes('down')) throw new Error('ECONNREFUSED');
    return metrics(++calls);
  };
  const sampler = new PoolSampler(
    [
      { name: 'up', url: 'http://127.0.0.21:3000' },
      { name: 'down', url: 'http://down:3000' },
    ],
    20,
    reader,
  );
  await sampler.start();
  await new Promise((resolve) => setTimeout(resolve, 110));
  const [up, down] = await sampler.stop();
  t.ok(up!.samples >= 4, `${up!.samples} readings of the live target`);
  t.equal(up!.failed_samples, 0);
  t.equal(up!.acquire_timeouts_delta, 1, 'the counter went from 0 to 1 during the run');
  t.equal(up!.utilization_peak_interval_pct, 10, '5,000 ms of hold per 1 s on 50 connections');
  t.equal(down!.samples, 0);
  t.ok(down!.failed_samples >= 4);
  t.equal(down!.utilization_peak_sample_pct, null, 'no reading, no value');
});
