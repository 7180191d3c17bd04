import { MeasureError } from '../errors';
import { HISTOGRAMS, QUANTILES, metricsFromFigures, scalarsFrom, type WindowQuantiles } from './figures';
import { promString, type PromQuery } from './promql';
import type { ServiceMetrics } from '../../types/service-metrics';

export interface PrometheusReadOptions {
  query: PromQuery;
  /** where the queries go, for messages */
  where: string;
  windowS: number;
  /** the label that names the instance in Prometheus (the lab's scrape config sets `instance`) */
  label: string;
  now?: () => Date;
}

/** The PromQL poolgate sends for one instance, one histogram (exported for the tests and the docs). */
export function quantileQuery(histogram: string, q: number, selector: string, windowS: number): string {
  return `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket${selector}[${windowS}s])))`;
}

export function countQuery(histogram: string, selector: string, windowS: number): string {
  return `sum(increase(${histogram}_count${selector}[${windowS}s]))`;
}

const QUANTILE_KEYS = ['p50', 'p95', 'p99', 'max'] as const;
const HISTOGRAM_KEYS = ['latency', 'acquireWait'] as const;

/**
 * Every windowed figure of both histograms in one query (a read is two queries, not eleven: a Prometheus
 * shared by a fleet's samplers answers fewer, cheaper requests). Each part is tagged with label_replace:
 * h = which histogram, f = count or the quantile's key.
 */
export function windowQuery(selector: string, windowS: number): string {
  const tag = (expr: string, h: string, f: string): string =>
    `label_replace(label_replace(${expr}, "h", "${h}", "", ""), "f", "${f}", "", "")`;
  const parts: string[] = [];
  for (const h of HISTOGRAM_KEYS) {
    parts.push(tag(countQuery(HISTOGRAMS[h], selector, windowS), h, 'count'));
    for (const k of QUANTILE_KEYS) parts.push(tag(quantileQuery(HISTOGRAMS[h], QUANTILES[k], selector, windowS), h, k));
  }
  return parts.join(' or ');
}

export function instantQuery(label: string, name: string): string {
  return `{__name__=~"poolgate_(service|pool)_.+",${label}=${promString(name)}}`;
}

/**
 * The /api/health/metrics document of one instance, from a Prometheus server: both queries are evaluated at
 * the same instant, so the figures belong together. Counters and gauges are the instant values of their
 * series; percentiles are histogram_quantile over the window's bucket rates (NaN, or no answer, when nothing
 * was observed: an empty window), counts the window's increase.
 */
export async function readFromPrometheus(name: string, opts: PrometheusReadOptions): Promise<ServiceMetrics> {
  const at = (opts.now ?? (() => new Date()))();
  const timeS = at.getTime() / 1000;
  const selector = `{${opts.label}=${promString(name)}}`;
  const where = `${opts.where} (${opts.label}=${name})`;
  const [instant, windows] = await Promise.all([
    opts.query(instantQuery(opts.label, name), timeS),
    opts.query(windowQuery(selector, opts.windowS), timeS),
  ]);
  if (instant.length === 0) {
    throw new MeasureError(
      `${where}: no poolgate series (is the instance scraped, and labelled ${opts.label}="${name}"?)`,
      'E_METRICS_MISSING',
    );
  }
  const byName = new Map<string, number>();
  for (const s of instant) {
    const series = s.metric.__name__;
    if (series === undefined || series.endsWith('_bucket')) continue;
    if (byName.has(series)) throw new MeasureError(`${where}: ${series} has more than one series`, 'E_AMBIGUOUS');
    byName.set(series, s.value);
  }
  const windowed = (h: (typeof HISTOGRAM_KEYS)[number]): WindowQuantiles => {
    const get = (f: string): number => {
      const v = windows.filter((w) => w.metric.h === h && w.metric.f === f);
      if (v.length > 1)
        throw new MeasureError(`${where}: ${h} ${f} matched ${v.length} series, expected one`, 'E_AMBIGUOUS');
      return v.length === 0 ? NaN : v[0]!.value;
    };
    const count = get('count');
    return {
      count: Number.isNaN(count) ? 0 : count,
      p50: get('p50'),
      p95: get('p95'),
      p99: get('p99'),
      max: get('max'),
    };
  };
  return metricsFromFigures(
    {
      at,
      instance: name,
      windowS: opts.windowS,
      scalars: scalarsFrom((s) => byName.get(s), where),
      latency: windowed('latency'),
      acquireWait: windowed('acquireWait'),
    },
    where,
  );
}
