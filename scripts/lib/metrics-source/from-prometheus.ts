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

/**
 * The /api/health/metrics document of one instance, from a Prometheus server: every query is evaluated at the
 * same instant, so the figures belong together. Counters and gauges are the instant values of their series;
 * percentiles are histogram_quantile over the window's bucket rates (NaN when nothing was observed: an empty
 * window), counts the window's increase.
 */
export async function readFromPrometheus(name: string, opts: PrometheusReadOptions): Promise<ServiceMetrics> {
  const at = (opts.now ?? (() => new Date()))();
  const timeS = at.getTime() / 1000;
  const selector = `{${opts.label}=${promString(name)}}`;
  const where = `${opts.where} (${opts.label}=${name})`;

  const one = async (promql: string): Promise<number> => {
    const v = await opts.query(promql, timeS);
    if (v.length > 1) throw new MeasureError(`${where}: ${promql} matched ${v.length} series, expected one`, 'E_AMBIGUOUS');
    return v.length === 0 ? NaN : v[0]!.value;
  };
  const window = async (histogram: string): Promise<WindowQuantiles> => {
    const [count, p50, p95, p99, max] = await Promise.all([
      one(countQuery(histogram, selector, opts.windowS)),
      ...[QUANTILES.p50, QUANTILES.p95, QUANTILES.p99, QUANTILES.max].map((q) => one(quantileQuery(histogram, q, selector, opts.windowS))),
    ]);
    return { count: Number.isNaN(count) ? 0 : count!, p50: p50!, p95: p95!, p99: p99!, max: max! };
  };

  const [instant, latency, acquireWait] = await Promise.all([
    opts.query(`{__name__=~"poolgate_(service|pool)_.+",${opts.label}=${promString(name)}}`, timeS),
    window(HISTOGRAMS.latency),
    window(HISTOGRAMS.acquireWait),
  ]);
  if (instant.length === 0) {
    throw new MeasureError(`${where}: no poolgate series (is the instance scraped, and labelled ${opts.label}="${name}"?)`, 'E_METRICS_MISSING');
  }
  const byName = new Map<string, number>();
  for (const s of instant) {
    const series = s.metric.__name__;
    if (series === undefined || series.endsWith('_bucket')) continue;
    if (byName.has(series)) throw new MeasureError(`${where}: ${series} has more than one series`, 'E_AMBIGUOUS');
    byName.set(series, s.value);
  }
  return metricsFromFigures({ at, instance: name, windowS: opts.windowS, scalars: scalarsFrom((s) => byName.get(s), where), latency, acquireWait }, where);
}
