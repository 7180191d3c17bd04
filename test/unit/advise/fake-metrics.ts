import type { ServiceMetrics } from '../../../scripts/types/service-metrics';

/** A schema-shaped /api/health/metrics answer with only the fields the advice reads varied. */
export function metrics(over: {
  pid?: number;
  uptime_s: number;
  acquires: number;
  hold_ms_sum: number;
  acquire_timeouts?: number;
  active?: number;
  waiting?: number;
  wait_p95?: number;
  max?: number;
  min?: number;
}): ServiceMetrics {
  const max = over.max ?? 50;
  const active = over.active ?? 0;
  return {
    timestamp: new Date(Date.UTC(2026, 0, 1) + over.uptime_s * 1000).toISOString(),
    instance: 'test',
    pid: over.pid ?? 4242,
    uptime_s: over.uptime_s,
    window_s: 10,
    requests: { total: over.acquires, errors: 0, in_flight: active },
    latency: { count: 10, p50: 1, p95: 2, p99: 3, max: 4 },
    pool: {
      max,
      min: over.min ?? 10,
      total: Math.max(active, over.min ?? 10),
      idle: Math.max(0, (over.min ?? 10) - active),
      active,
      waiting: over.waiting ?? 0,
      utilization: active / max,
      acquire_wait_ms: { count: 10, p50: 0, p95: over.wait_p95 ?? 0.2, p99: 0.5, max: 1 },
      acquires: over.acquires,
      hold_ms_sum: over.hold_ms_sum,
      acquire_timeouts: over.acquire_timeouts ?? 0,
      connects: 10,
      disconnects: 0,
      errors: 0,
      generation: 1,
    },
  };
}

/** Two samples 30 s apart at lambda = rate/s and W = holdMs (the first sample carries earlier history). */
export function window30(
  rate: number,
  holdMs: number,
  peakActive = 0,
  extra: Partial<Parameters<typeof metrics>[0]> = {},
): ServiceMetrics[] {
  const a = metrics({ uptime_s: 100, acquires: 1000, hold_ms_sum: 5000, ...extra });
  const b = metrics({
    uptime_s: 130,
    acquires: 1000 + rate * 30,
    hold_ms_sum: 5000 + rate * 30 * holdMs,
    active: peakActive,
    ...extra,
  });
  return [a, b];
}
