import { Counter, Gauge, Registry, type Metric } from 'prom-client';
import type { CumulativeHistogram } from './cumulative-histogram';
import type { PoolGauges, ServiceCounters } from './metrics';

export interface PrometheusOptions {
  counters: ServiceCounters;
  gauges: () => PoolGauges;
  instance: string;
  /** when uptime_s of /api/health/metrics started counting, seconds since the epoch */
  startedAtS: number;
  /**
   * The app's own registry: the agent's figures join the app's on it, and GET /metrics serves all of it. Without
   * one the agent keeps its own registry, labelled instance=<name>. (The app's labels are the app's to choose.)
   */
  registry?: Registry;
}

export interface PrometheusExposition {
  contentType: string;
  text(): Promise<string>;
}

/**
 * GET /metrics: the figures of /api/health/metrics in the Prometheus text format. Counters mirror the service's
 * cumulative counters at scrape time (reset + inc is prom-client's way to expose an externally kept total).
 */
export function createPrometheus(opts: PrometheusOptions): PrometheusExposition {
  const { counters, gauges, instance, startedAtS } = opts;
  const registry = opts.registry ?? new Registry();
  if (!opts.registry) registry.setDefaultLabels({ instance });

  const mirror = (name: string, help: string, read: () => number): void => {
    registry.registerMetric(
      new Counter({
        name,
        help,
        registers: [],
        collect() {
          this.reset();
          this.inc(read());
        },
      }),
    );
  };
  mirror('poolgate_service_requests_total', 'API requests completed.', () => counters.requestsTotal);
  mirror('poolgate_service_request_errors_total', 'API requests answered 5xx or failed.', () => counters.requestErrors);
  mirror('poolgate_pool_acquires_total', 'Successful pool acquisitions.', () => counters.acquires);
  mirror(
    'poolgate_pool_hold_seconds_total',
    'Cumulative seconds connections were held.',
    () => counters.holdMsSum / 1000,
  );
  mirror(
    'poolgate_pool_acquire_timeouts_total',
    'Acquisitions that gave up after acquireTimeoutMillis.',
    () => counters.acquireTimeouts,
  );
  mirror('poolgate_pool_connects_total', 'New connections opened.', () => counters.connects);
  mirror('poolgate_pool_disconnects_total', 'Connections closed.', () => counters.disconnects);
  mirror('poolgate_pool_errors_total', 'Pool and client errors.', () => counters.poolErrors);

  const gauge = (name: string, help: string, read: (g: PoolGauges) => number): void => {
    registry.registerMetric(
      new Gauge({
        name,
        help,
        registers: [],
        collect() {
          this.set(read(gauges()));
        },
      }),
    );
  };
  gauge('poolgate_pool_max', 'max of the pool in force.', (g) => g.max);
  gauge('poolgate_pool_min', 'min of the pool in force.', (g) => g.min);
  gauge('poolgate_pool_total', 'Connections open (all pools, including one draining).', (g) => g.total);
  gauge('poolgate_pool_idle', 'Idle connections.', (g) => g.idle);
  gauge('poolgate_pool_active', 'Checked-out connections.', (g) => Math.max(0, g.total - g.idle));
  gauge('poolgate_pool_waiting', 'Requests queued for a connection.', (g) => g.waiting);
  gauge('poolgate_pool_utilization', 'active / max of the pool in force.', (g) =>
    g.max > 0 ? Math.max(0, g.total - g.idle) / g.max : 0,
  );
  gauge('poolgate_pool_generation', 'Pool generation (bumps at each successful reload).', (g) => g.generation);
  registry.registerMetric(
    new Gauge({
      name: 'poolgate_service_requests_in_flight',
      help: 'API requests in flight.',
      registers: [],
      collect() {
        this.set(counters.inFlight);
      },
    }),
  );

  // With these a scraper rebuilds pid and uptime_s of the JSON document (a new pid means a restart).
  registry.registerMetric(
    new Gauge({
      name: 'poolgate_service_pid',
      help: 'Process id of the instance.',
      registers: [],
      collect() {
        this.set(process.pid);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'poolgate_service_start_time_seconds',
      help: 'Start time of the instance, seconds since the epoch.',
      registers: [],
      collect() {
        this.set(startedAtS);
      },
    }),
  );

  registry.registerMetric(
    histogramMetric('poolgate_service_request_duration_seconds', 'API request latency.', counters.latencyHistogram),
  );
  registry.registerMetric(
    histogramMetric(
      'poolgate_pool_acquire_wait_seconds',
      'Time to get a pool connection (successful acquisitions).',
      counters.acquireWaitHistogram,
    ),
  );

  return { contentType: registry.contentType, text: () => registry.metrics() };
}

/**
 * A histogram metric read from the agent's own counts at scrape time, in the shape prom-client's registry
 * renders (`get()` as its Histogram returns it), in seconds as Prometheus names it.
 */
function histogramMetric(name: string, help: string, h: CumulativeHistogram): Metric {
  const get = async () => {
    let below = 0;
    const values = h.boundsMs.map((le, i) => {
      below += h.counts[i]!;
      return { metricName: `${name}_bucket`, labels: { le: le / 1000 }, value: below };
    });
    values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' as unknown as number }, value: h.count });
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      values: [
        ...values,
        { metricName: `${name}_sum`, labels: {}, value: h.sum / 1000 },
        { metricName: `${name}_count`, labels: {}, value: h.count },
      ],
    };
  };
  return { name, help, get, reset: () => undefined } as unknown as Metric;
}
