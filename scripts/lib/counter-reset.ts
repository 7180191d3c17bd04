import type { ServiceMetrics } from '../types/service-metrics';

/**
 * The one rule for telling whether two readings of an instance's /api/health/metrics can be differenced. The
 * service's counters are cumulative (DESIGN.md, the target service contract): within one process they never go
 * down. A new pid, a shorter uptime or any counter going down means the process restarted (or reset them): the
 * interval between the two readings has no exact rate and is left out, never read as a negative delta or as zero.
 */
const CUMULATIVE = {
  'requests.total': (m: ServiceMetrics) => m.requests.total,
  'requests.errors': (m: ServiceMetrics) => m.requests.errors,
  'pool.acquires': (m: ServiceMetrics) => m.pool.acquires,
  'pool.hold_ms_sum': (m: ServiceMetrics) => m.pool.hold_ms_sum,
  'pool.acquire_timeouts': (m: ServiceMetrics) => m.pool.acquire_timeouts,
  'pool.connects': (m: ServiceMetrics) => m.pool.connects,
  'pool.disconnects': (m: ServiceMetrics) => m.pool.disconnects,
  'pool.errors': (m: ServiceMetrics) => m.pool.errors,
} as const;

export type CounterName = keyof typeof CUMULATIVE;

/** What a reading says about its process and its cumulative counters: all that differencing two readings needs. */
export interface CounterReading {
  pid: number;
  uptime_s: number;
  counters: Record<CounterName, number>;
}

export function counterReading(m: ServiceMetrics): CounterReading {
  const counters = {} as Record<CounterName, number>;
  for (const [name, read] of Object.entries(CUMULATIVE)) counters[name as CounterName] = read(m);
  return { pid: m.pid, uptime_s: m.uptime_s, counters };
}

/** Why readings `a` then `b` cannot be differenced, or null when they can. */
export function counterReset(a: CounterReading, b: CounterReading): string | null {
  if (a.pid !== b.pid) return `the process restarted (pid ${a.pid} → ${b.pid}): counters reset`;
  if (b.uptime_s < a.uptime_s) return `uptime went back (${a.uptime_s} s → ${b.uptime_s} s): the process restarted`;
  const down = (Object.keys(CUMULATIVE) as CounterName[]).filter((n) => b.counters[n] < a.counters[n]);
  return down.length ? `counters went down (${down.join(', ')}): counters reset` : null;
}
