import { InputError } from '../errors';
import { counterReading, counterReset } from '../counter-reset';
import type { AdviceInstance } from '../../types/advice';
import type { ServiceMetrics } from '../../types/service-metrics';
import { poissonQuantile } from './poisson';

export type InstanceMeasure = AdviceInstance;

/**
 * One instance's workload from its samples (oldest first, at least two), by Little's law:
 * lambda = (delta acquires + delta acquire timeouts) / delta t (timeouts are demand the pool turned away),
 * W = delta hold_ms_sum / delta acquires, L = lambda x W connections busy on average,
 * busy at the p95 moment = max(Poisson quantile of L, the highest `active` seen in any sample).
 * Delta t is the service's own uptime clock, so the sampler's scheduling delays do not bias the rate.
 */
export function measureInstance(
  target: { name: string; url: string },
  samples: ServiceMetrics[],
  quantile: number,
): InstanceMeasure {
  if (samples.length < 2) {
    throw new InputError(
      `${target.name}: sizing needs two samples of the cumulative counters, got ${samples.length}`,
      'E_ADVISE_SAMPLES',
    );
  }
  const first = samples[0]!;
  const last = samples[samples.length - 1]!;
  const peakActive = Math.max(...samples.map((s) => s.pool.active));
  const peakWaiting = Math.max(...samples.map((s) => s.pool.waiting));
  const waitP95 = Math.max(...samples.map((s) => s.pool.acquire_wait_ms.p95));
  const base = {
    name: target.name,
    url: target.url,
    samples: samples.length,
    current_max: last.pool.max,
    current_min: last.pool.min,
    peak_active: peakActive,
    peak_waiting: peakWaiting,
    acquire_wait_p95_ms: waitP95,
  };
  const none = {
    acquires: 0,
    acquire_timeouts: 0,
    arrival_rate_per_s: 0,
    mean_hold_ms: null,
    busy_avg: 0,
    busy_p95: peakActive,
  };

  for (let i = 1; i < samples.length; i += 1) {
    const reason = counterReset(counterReading(samples[i - 1]!), counterReading(samples[i]!));
    if (reason) return { ...base, ...none, status: 'reset', reason, window_s: 0 };
  }
  const windowS = last.uptime_s - first.uptime_s;
  const acquires = last.pool.acquires - first.pool.acquires;
  const timeouts = last.pool.acquire_timeouts - first.pool.acquire_timeouts;
  if (!(windowS > 0)) {
    return {
      ...base,
      ...none,
      status: 'reset',
      reason: 'the samples were taken at the same uptime: no window to rate over',
      window_s: 0,
    };
  }
  // requests.total leaves out the health and metrics endpoints: a backup answering only the load balancer's
  // health checks still acquires connections, but that is no workload to size a pool from.
  const requests = last.requests.total - first.requests.total;
  if (acquires === 0 || requests === 0) {
    const reason =
      acquires === 0 && timeouts > 0
        ? `no acquisition succeeded in the window (${timeouts} timed out): the hold time cannot be measured`
        : acquires === 0
          ? 'no traffic in the window'
          : `no traffic in the window (only ${acquires} health-check acquisitions)`;
    return { ...base, ...none, acquire_timeouts: timeouts, status: 'idle', reason, window_s: windowS };
  }
  const lambda = (acquires + timeouts) / windowS;
  const holdMs = (last.pool.hold_ms_sum - first.pool.hold_ms_sum) / acquires;
  const busyAvg = (lambda * holdMs) / 1000;
  return {
    ...base,
    status: 'measured',
    window_s: windowS,
    acquires,
    acquire_timeouts: timeouts,
    arrival_rate_per_s: lambda,
    mean_hold_ms: holdMs,
    busy_avg: busyAvg,
    busy_p95: Math.max(poissonQuantile(busyAvg, quantile), peakActive),
  };
}
