import type { ServiceMetrics } from '../../../scripts/types/service-metrics';

export interface MetricsOverrides {
  at?: number;
  pid?: number;
  uptime?: number;
  total?: number;
  errors?: number;
  p95?: number;
  count?: number;
  utilization?: number;
  active?: number;
  max?: number;
  connects?: number;
  disconnects?: number;
  acquireTimeouts?: number;
  waitP95?: number;
}

/** A schema-valid /api/health/metrics answer, `at` seconds after 2026-02-01T02:00:00Z. */
export function metrics(name: string, o: MetricsOverrides = {}): ServiceMetrics {
  const at = o.at ?? 0;
  const pct = (p95: number) => ({ count: o.count ?? 100, p50: p95 / 2, p95, p99: p95 * 1.5, max: p95 * 2 });
  return {
    timestamp: new Date(Date.UTC(2026, 1, 1, 2, 0, 0) + at * 1000).toISOString(),
    instance: name,
    pid: o.pid ?? 1000,
    uptime_s: o.uptime ?? 1000 + at,
    window_s: 60,
    requests: { total: o.total ?? 0, errors: o.errors ?? 0, in_flight: 0 },
    latency: pct(o.p95 ?? 20),
    pool: {
      max: o.max ?? 200,
      min: 20,
      total: 20,
      idle: 20 - (o.active ?? 5),
      active: o.active ?? 5,
      waiting: 0,
      utilization: o.utilization ?? 0.1,
      acquire_wait_ms: pct(o.waitP95 ?? 1),
      acquires: o.total ?? 0,
      hold_ms_sum: 0,
      acquire_timeouts: o.acquireTimeouts ?? 0,
      connects: o.connects ?? 20,
      disconnects: o.disconnects ?? 0,
      errors: 0,
      generation: 1,
    },
  };
}

export const T0 = Date.UTC(2026, 1, 1, 2, 0, 0);
