/**
 * Where an instance's metrics come from:
 *  - json: GET <url>/api/health/metrics, the service's own document (the default);
 *  - scrape: GET <url>/metrics, the Prometheus text format, rebuilt into that document; percentiles over the
 *    buckets observed since the oldest reading of this run still inside `window_s` (since start at first);
 *  - prometheus: PromQL over HTTP against a Prometheus server that scrapes the instances; counters and
 *    gauges are instant values, percentiles histogram_quantile over rate(..._bucket[window_s]). The instance's
 *    series are those whose `label` (default `instance`, as the lab's scrape config sets it) is its name.
 */
export type MetricsSource =
  | { kind: 'json' }
  | { kind: 'scrape'; window_s?: number }
  | { kind: 'prometheus'; url: string; window_s: number; label?: string };

export type MetricsSourceKind = MetricsSource['kind'];

export const METRICS_SOURCE_KINDS: readonly MetricsSourceKind[] = ['json', 'scrape', 'prometheus'];

/** The JSON document's percentile window (lab/service/metrics.ts); the other sources default to the same. */
export const DEFAULT_WINDOW_S = 60;

export const JSON_SOURCE: MetricsSource = { kind: 'json' };

export function describeSource(s: MetricsSource): string {
  if (s.kind === 'json') return '/api/health/metrics';
  if (s.kind === 'scrape') return '/metrics (Prometheus text format)';
  return `Prometheus ${s.url} (window ${s.window_s}s)`;
}
