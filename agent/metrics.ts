import { ACQUIRE_WAIT_BOUNDS_MS, CumulativeHistogram, LATENCY_BOUNDS_MS } from './cumulative-histogram';
import { SampleWindow, type WindowSummary } from './sample-window';
import type { ServiceMetrics } from './generated/service-metrics';
import { monotonicMs } from './clock';

export const METRICS_WINDOW_MS = 60_000;

/** Live pool figures, summed over the pool in force and any pool still draining after a reload. */
export interface PoolGauges {
  max: number;
  min: number;
  total: number;
  idle: number;
  waiting: number;
  generation: number;
}

/**
 * The service's cumulative counters (never reset, so a sampler computes exact rates between two samples) and its
 * windowed distributions. Only API routes feed `requests`/`latency`; every pool acquisition feeds the pool figures.
 */
export class ServiceCounters {
  requestsTotal = 0;
  requestErrors = 0;
  inFlight = 0;
  acquires = 0;
  holdMsSum = 0;
  acquireTimeouts = 0;
  connects = 0;
  disconnects = 0;
  poolErrors = 0;
  readonly latency: SampleWindow;
  readonly acquireWait: SampleWindow;
  /** The same observations since start, for the Prometheus histograms. */
  readonly latencyHistogram = new CumulativeHistogram(LATENCY_BOUNDS_MS);
  readonly acquireWaitHistogram = new CumulativeHistogram(ACQUIRE_WAIT_BOUNDS_MS);

  /**
   * `now` is the windows' clock (monotonic by default: a wall-clock step must not empty or stretch a window), and the
   * request meter's, which passes its readings to the windows.
   */
  constructor(
    windowMs = METRICS_WINDOW_MS,
    readonly now: () => number = monotonicMs,
  ) {
    this.latency = new SampleWindow(windowMs, 100_000, now);
    this.acquireWait = new SampleWindow(windowMs, 100_000, now);
  }

  /** An app request's response closed: answered, failed (5xx), or abandoned before it finished. */
  requestEnded(failed: boolean): void {
    this.inFlight -= 1;
    this.requestsTotal += 1;
    if (failed) this.requestErrors += 1;
  }

  /**
   * A request's latency; `weight`: how many requests it stands for when the meter samples (RequestMeter), and
   * `at`: the window clock's time it ended, when the caller has just read it (one clock read less).
   */
  latencyMeasured(latencyMs: number, weight = 1, at?: number): void {
    this.latency.record(latencyMs, at);
    this.latencyHistogram.observe(latencyMs, weight);
  }
}

/** The `/api/health/metrics` document (pure: every input is passed in). */
export function metricsDocument(
  c: ServiceCounters,
  gauges: PoolGauges,
  meta: { instance: string; pid: number; uptimeS: number; now: Date },
): ServiceMetrics {
  const active = Math.max(0, gauges.total - gauges.idle);
  return {
    timestamp: meta.now.toISOString(),
    instance: meta.instance,
    pid: meta.pid,
    uptime_s: Math.round(meta.uptimeS * 1000) / 1000,
    window_s: c.latency.windowMs / 1000,
    requests: { total: c.requestsTotal, errors: c.requestErrors, in_flight: c.inFlight },
    latency: rounded(c.latency.summary()),
    pool: {
      max: gauges.max,
      min: gauges.min,
      total: gauges.total,
      idle: gauges.idle,
      active,
      waiting: gauges.waiting,
      // The schema allows > 1: during a swap the draining pool's connections count against the new max.
      utilization: gauges.max > 0 ? Math.round((active / gauges.max) * 10_000) / 10_000 : 0,
      acquire_wait_ms: rounded(c.acquireWait.summary()),
      acquires: c.acquires,
      hold_ms_sum: Math.round(c.holdMsSum * 1000) / 1000,
      acquire_timeouts: c.acquireTimeouts,
      connects: c.connects,
      disconnects: c.disconnects,
      errors: c.poolErrors,
      generation: gauges.generation,
    },
  };
}

function rounded(s: WindowSummary): WindowSummary {
  const r = (v: number): number => Math.round(v * 1000) / 1000;
  return { count: s.count, p50: r(s.p50), p95: r(s.p95), p99: r(s.p99), max: r(s.max) };
}
