import type { Argv } from 'yargs';
import { InputError } from '../errors';
import { parseDurationS } from '../duration';
import { DEFAULT_WINDOW_S, METRICS_SOURCE_KINDS, type MetricsSource, type MetricsSourceKind } from './source';
import type { Plan } from '../../types/plan';

/** Where instance metrics come from (every command that reads them takes these). */
export interface MetricsSourceArgs {
  metricsSource?: MetricsSourceKind;
  prometheusUrl?: string;
  metricsWindow?: string;
}

export function metricsSourceOptions<T>(y: Argv<T>): Argv<T & MetricsSourceArgs> {
  return y
    .option('metrics-source', {
      choices: METRICS_SOURCE_KINDS,
      describe:
        'Read instance metrics from /api/health/metrics (json, default), their /metrics (scrape) or a Prometheus server (prometheus, needs --prometheus-url)',
    })
    .option('prometheus-url', {
      type: 'string',
      describe:
        'Prometheus server for --metrics-source prometheus and --db-cpu-source node-exporter, e.g. http://127.0.0.1:9090',
    })
    .option('metrics-window', {
      type: 'string',
      describe: `Percentile window of the scrape and prometheus sources (rate(..._bucket[window])), e.g. 30s [default ${DEFAULT_WINDOW_S}s]`,
    }) as unknown as Argv<T & MetricsSourceArgs>;
}

/**
 * The metrics source from the flags over the plan's metrics_source section; bad combinations are bad input,
 * found before anything is measured.
 */
export function resolveMetricsSource(args: MetricsSourceArgs, plan: Plan | null): MetricsSource {
  const section = plan?.metrics_source;
  const kind = args.metricsSource ?? section?.kind ?? 'json';
  const windowS =
    args.metricsWindow !== undefined
      ? parseDurationS(args.metricsWindow, '--metrics-window')
      : (section?.window_s ?? DEFAULT_WINDOW_S);
  if (kind === 'json') return { kind };
  if (kind === 'scrape') return { kind, window_s: windowS };
  const url = args.prometheusUrl ?? section?.prometheus_url;
  if (!url)
    throw new InputError('--metrics-source prometheus needs --prometheus-url (or plan.metrics_source.prometheus_url)');
  if (!/^https?:\/\/[^/]/.test(url)) throw new InputError(`--prometheus-url "${url}" must be an http(s) URL`);
  return {
    kind,
    url: url.replace(/\/+$/, ''),
    window_s: windowS,
    ...(section?.instance_label ? { label: section.instance_label } : {}),
  };
}
