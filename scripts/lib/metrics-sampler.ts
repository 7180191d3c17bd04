import { MeasureError } from './errors';
import { readMetrics } from './metrics-source/read-metrics';
import { JSON_SOURCE } from './metrics-source/source';
import type { ServiceMetrics } from '../types/service-metrics';
import type { Target } from './targets';
import { counterReading, counterReset } from './counter-reset';
import type { Rates } from '../types/evidence-common';

/**
 * Rates from two samples of an instance's cumulative counters (`GET /api/health/metrics`). Exact over the
 * interval, unlike the service's windowed percentiles. If the process restarted in between (its pid changed,
 * its uptime went back, or any counter went down) the interval is NOT usable: we say so instead of computing
 * a negative or partial rate.
 */
export type IntervalRates = Rates;

export function intervalRates(a: ServiceMetrics, b: ServiceMetrics): IntervalRates {
  const interval = (Date.parse(b.timestamp) - Date.parse(a.timestamp)) / 1000;
  const d = (f: (m: ServiceMetrics) => number): number => f(b) - f(a);
  const base: IntervalRates = {
    usable: true,
    interval_s: interval,
    requests: d((m) => m.requests.total),
    errors: d((m) => m.requests.errors),
    error_rate: null,
    requests_per_s: 0,
    connects: d((m) => m.pool.connects),
    disconnects: d((m) => m.pool.disconnects),
    churn_per_s: 0,
    acquire_timeouts: d((m) => m.pool.acquire_timeouts),
    pool_errors: d((m) => m.pool.errors),
  };
  const unusable = (reason: string): IntervalRates => ({ ...base, usable: false, reason, error_rate: null });
  const reset = counterReset(counterReading(a), counterReading(b));
  if (reset) return unusable(reset);
  if (!(interval > 0)) return unusable(`sample timestamps do not advance (${a.timestamp} → ${b.timestamp})`);
  return {
    ...base,
    error_rate: base.requests > 0 ? base.errors / base.requests : null,
    requests_per_s: base.requests / interval,
    churn_per_s: (base.connects + base.disconnects) / interval,
  };
}

export interface InstanceSample {
  name: string;
  url: string;
  first: ServiceMetrics | null;
  second: ServiceMetrics | null;
  rates: IntervalRates | null;
  /** Why the instance could not be measured. */
  error: string | null;
}

export type MetricsFetcher = (url: string) => Promise<ServiceMetrics>;

export const fetchMetrics: MetricsFetcher = (url) => readMetrics({ name: url, url }, JSON_SOURCE, { timeoutMs: 3000 });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sample every target at the start and at the end of one window (all in parallel). Never throws per target. */
export async function sampleFleet(
  targets: Target[],
  windowS: number,
  fetcher: MetricsFetcher = fetchMetrics,
): Promise<InstanceSample[]> {
  const take = async (t: Target): Promise<ServiceMetrics | string> => {
    try {
      return await fetcher(t.url);
    } catch (err) {
      return err instanceof MeasureError ? err.message : String(err);
    }
  };
  const firsts = await Promise.all(targets.map(take));
  await sleep(windowS * 1000);
  const seconds = await Promise.all(targets.map(take));
  return targets.map((t, i) => {
    const a = firsts[i]!;
    const b = seconds[i]!;
    const first = typeof a === 'string' ? null : a;
    const second = typeof b === 'string' ? null : b;
    const error = typeof a === 'string' ? a : typeof b === 'string' ? b : null;
    return {
      name: t.name,
      url: t.url,
      first,
      second,
      rates: first && second ? intervalRates(first, second) : null,
      error,
    };
  });
}
