import { counterReading, counterReset } from '../counter-reset';
import type { ServiceMetrics } from '../../types/service-metrics';
import type { Why } from '../../types/monitor-sample';

/** What happened on one instance between two of its answers, from its cumulative counters. */
export interface InstanceInterval {
  interval_s: number | null;
  /** Set when the rates are null: why. */
  rate_why?: Why;
  requests: number;
  errors: number;
  acquire_timeouts: number;
  error_rate: number | null;
  churn_per_s: number | null;
}

/**
 * A restart (scripts/lib/counter-reset.ts) DROPS its interval (rates null, deltas 0): the counters since the restart
 * do not cover the interval, and a negative delta is not a rate. A dropped interval is not a breach.
 */
const DROPPED = { requests: 0, errors: 0, acquire_timeouts: 0, error_rate: null, churn_per_s: null };

/**
 * Rates between the instance's previous successful answer and this one. Δt is the service's own timestamps
 * (the counters' clock), so a slow answer does not distort the rate. error rate = Δerrors / Δrequests (null
 * without traffic: no traffic is not an error rate of 0); churn = (Δconnects + Δdisconnects) / Δt.
 */
export function instanceInterval(prev: ServiceMetrics | undefined, cur: ServiceMetrics): InstanceInterval {
  if (!prev) return { interval_s: null, rate_why: 'first', ...DROPPED };
  const dt = (Date.parse(cur.timestamp) - Date.parse(prev.timestamp)) / 1000;
  if (counterReset(counterReading(prev), counterReading(cur)) !== null || !(dt > 0))
    return { interval_s: Number.isFinite(dt) ? dt : null, rate_why: 'reset', ...DROPPED };
  const requests = cur.requests.total - prev.requests.total;
  const errors = cur.requests.errors - prev.requests.errors;
  const churn = cur.pool.connects - prev.pool.connects + (cur.pool.disconnects - prev.pool.disconnects);
  return {
    interval_s: dt,
    ...(requests === 0 ? { rate_why: 'no_traffic' as const } : {}),
    requests,
    errors,
    acquire_timeouts: cur.pool.acquire_timeouts - prev.pool.acquire_timeouts,
    error_rate: requests > 0 ? errors / requests : null,
    churn_per_s: churn / dt,
  };
}
