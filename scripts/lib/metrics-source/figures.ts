import { MeasureError } from '../errors';
import { isValid, problemsOf } from '../schema';
import type { ServiceMetrics } from '../../types/service-metrics';
import type { Percentiles } from '../../types/service-metrics';

/**
 * The reference service's Prometheus series (lab/service/prometheus.ts) behind each field of the
 * /api/health/metrics document. Both non-JSON sources read these names, so they live in one place.
 */
export const SERIES = {
  requestsTotal: 'poolgate_service_requests_total',
  requestErrors: 'poolgate_service_request_errors_total',
  inFlight: 'poolgate_service_requests_in_flight',
  pid: 'poolgate_service_pid',
  startTime: 'poolgate_service_start_time_seconds',
  max: 'poolgate_pool_max',
  min: 'poolgate_pool_min',
  total: 'poolgate_pool_total',
  idle: 'poolgate_pool_idle',
  active: 'poolgate_pool_active',
  waiting: 'poolgate_pool_waiting',
  utilization: 'poolgate_pool_utilization',
  generation: 'poolgate_pool_generation',
  acquires: 'poolgate_pool_acquires_total',
  holdSeconds: 'poolgate_pool_hold_seconds_total',
  acquireTimeouts: 'poolgate_pool_acquire_timeouts_total',
  connects: 'poolgate_pool_connects_total',
  disconnects: 'poolgate_pool_disconnects_total',
  poolErrors: 'poolgate_pool_errors_total',
} as const;

export type Scalar = keyof typeof SERIES;

export const HISTOGRAMS = {
  latency: 'poolgate_service_request_duration_seconds',
  acquireWait: 'poolgate_pool_acquire_wait_seconds',
} as const;

/** Percentiles of one histogram over a window, in seconds as Prometheus keeps them (NaN = no observations). */
/** A window's percentiles, as /api/health/metrics reports them. */
export type WindowQuantiles = Percentiles;

export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99, max: 1 } as const;

export interface Figures {
  /** when the figures were current (scrape time, or the PromQL evaluation time) */
  at: Date;
  instance: string;
  windowS: number;
  scalars: Record<Scalar, number>;
  latency: WindowQuantiles;
  acquireWait: WindowQuantiles;
}

const ms = (seconds: number): number => (Number.isFinite(seconds) ? Math.round(seconds * 1_000_000) / 1000 : 0);
const count = (v: number): number => Math.max(0, Math.round(v));

function percentiles(w: WindowQuantiles): ServiceMetrics['latency'] {
  const c = count(w.count);
  // An empty window is all zeros in the JSON document; keep that so every consumer reads it the same way.
  if (c === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0 };
  return { count: c, p50: ms(w.p50), p95: ms(w.p95), p99: ms(w.p99), max: ms(w.max) };
}

/**
 * The /api/health/metrics document rebuilt from Prometheus figures, validated against its schema: a source
 * that cannot fill a field (a series missing, an instance without the pid gauge) is "could not measure".
 */
export function metricsFromFigures(f: Figures, where: string): ServiceMetrics {
  const s = f.scalars;
  const doc: ServiceMetrics = {
    timestamp: f.at.toISOString(),
    instance: f.instance,
    pid: count(s.pid),
    uptime_s: Math.max(0, Math.round((f.at.getTime() / 1000 - s.startTime) * 1000) / 1000),
    window_s: Math.round(f.windowS * 1000) / 1000,
    requests: { total: count(s.requestsTotal), errors: count(s.requestErrors), in_flight: count(s.inFlight) },
    latency: percentiles(f.latency),
    pool: {
      max: count(s.max),
      min: count(s.min),
      total: count(s.total),
      idle: count(s.idle),
      active: count(s.active),
      waiting: count(s.waiting),
      utilization: Math.max(0, Math.round(s.utilization * 10_000) / 10_000),
      acquire_wait_ms: percentiles(f.acquireWait),
      acquires: count(s.acquires),
      hold_ms_sum: Math.round(s.holdSeconds * 1_000_000) / 1000,
      acquire_timeouts: count(s.acquireTimeouts),
      connects: count(s.connects),
      disconnects: count(s.disconnects),
      errors: count(s.poolErrors),
      generation: count(s.generation),
    },
  };
  if (!isValid<ServiceMetrics>('service-metrics', doc)) {
    throw new MeasureError(
      `${where}: the figures do not make a valid metrics document: ${problemsOf('service-metrics', doc).join('; ')}`,
      'E_BAD_SHAPE',
    );
  }
  return doc;
}

/** Every scalar series, or "could not measure" naming the missing ones. */
export function scalarsFrom(read: (series: string) => number | undefined, where: string): Record<Scalar, number> {
  const out = {} as Record<Scalar, number>;
  const missing: string[] = [];
  for (const [key, series] of Object.entries(SERIES) as [Scalar, string][]) {
    const v = read(series);
    if (v === undefined || Number.isNaN(v)) missing.push(series);
    else out[key] = v;
  }
  if (missing.length > 0) throw new MeasureError(`${where}: no value for ${missing.join(', ')}`, 'E_METRICS_MISSING');
  return out;
}
