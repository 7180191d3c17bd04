import { InputError } from '../errors';
import type { Advice } from '../../types/advice';
import { poissonQuantile } from './poisson';
import type { InstanceMeasure } from './rates';

export type FleetMeasure = Advice['fleet'];

/**
 * An instance serves if it takes at least this share of the busiest instance's acquisition rate: a backup that
 * only answers the load balancer's health checks (about one acquisition a second) does not serve.
 */
export const SERVING_SHARE = 0.1;

/**
 * The fleet's workload per instance. Every instance gets the same pool config, and traffic may concentrate on
 * fewer instances than hold a pool (the standbys serve only while the primaries are drained), so the per-instance
 * demand is the fleet's total busy connections spread over the instances that serve at once, or the busiest
 * instance's own if that is higher (uneven balancing).
 */
export function fleetMeasure(
  instances: InstanceMeasure[],
  opts: { quantile: number; instances?: number; serving?: number },
): FleetMeasure {
  const measured = instances.filter((i) => i.status === 'measured');
  const count = opts.instances ?? instances.length;
  if (count < instances.length) {
    throw new InputError(
      `--instances ${count} is fewer than the ${instances.length} instances measured`,
      'E_ADVISE_INSTANCES',
    );
  }
  const topRate = Math.max(0, ...measured.map((i) => i.arrival_rate_per_s));
  const serving =
    opts.serving ?? Math.max(1, measured.filter((i) => i.arrival_rate_per_s >= SERVING_SHARE * topRate).length);
  if (serving < 1 || serving > count) {
    throw new InputError(`--serving ${serving} must be from 1 to the ${count} instances`, 'E_ADVISE_SERVING');
  }
  const lambda = measured.reduce((s, i) => s + i.arrival_rate_per_s, 0);
  const busySum = measured.reduce((s, i) => s + i.busy_avg, 0);
  const busiest = Math.max(0, ...measured.map((i) => i.busy_avg));
  const busyPer = Math.max(busySum / serving, busiest);
  const peakActive = Math.max(0, ...instances.map((i) => i.peak_active));
  return {
    instances: count,
    serving,
    arrival_rate_per_s: lambda,
    mean_hold_ms: lambda > 0 ? (busySum / lambda) * 1000 : null,
    busy_avg_sum: busySum,
    busy_avg_per_instance: busyPer,
    busy_p95_per_instance: Math.max(poissonQuantile(busyPer, opts.quantile), peakActive),
    // A sum of independent Poisson counts is Poisson: the fleet's p95 is not the sum of the instances' p95s.
    busy_p95_fleet: poissonQuantile(busySum, opts.quantile),
    peak_active_max: peakActive,
    acquire_wait_p95_ms_max: Math.max(0, ...instances.map((i) => i.acquire_wait_p95_ms)),
  };
}
