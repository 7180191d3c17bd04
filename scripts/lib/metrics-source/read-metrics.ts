import { getJson } from '../http-json';
import { authHeaders, type TokenRef } from '../target-auth';
import { readFromPrometheus } from './from-prometheus';
import { httpPromQuery, type PromQuery } from './promql';
import { readScrape, ScrapeMemory, type FetchText } from './scrape';
import { DEFAULT_WINDOW_S, JSON_SOURCE, type MetricsSource } from './source';
import type { ServiceMetrics } from '../../types/service-metrics';

export interface ReadOptions {
  timeoutMs?: number;
  /** injected in tests: the scrape's GET and the PromQL query */
  fetchText?: FetchText;
  query?: PromQuery;
  now?: () => Date;
}

// Scrape readings remembered per source object (one command run holds one), so scrape percentiles have a window.
const memories = new WeakMap<MetricsSource, ScrapeMemory>();

function memoryOf(source: MetricsSource): ScrapeMemory {
  let m = memories.get(source);
  if (!m) memories.set(source, (m = new ScrapeMemory()));
  return m;
}

/**
 * The one seam through which poolgate reads an instance's metrics: whatever the source, the answer is a
 * /api/health/metrics document valid against schemas/service-metrics.schema.json, and any failure is a
 * MeasureError ("could not measure"), so every command judges the same way whichever source it reads.
 */
export async function readMetrics(
  target: { name: string; url: string } & TokenRef,
  source: MetricsSource = JSON_SOURCE,
  opts: ReadOptions = {},
): Promise<ServiceMetrics> {
  const timeoutMs = opts.timeoutMs ?? 3000;
  switch (source.kind) {
    case 'json':
      return (
        await getJson<ServiceMetrics>(`${target.url}/api/health/metrics`, 'service-metrics', {
          timeoutMs,
          headers: authHeaders(target),
        })
      ).body;
    case 'scrape':
      return readScrape(target, {
        timeoutMs,
        windowS: source.window_s,
        memory: memoryOf(source),
        fetch: opts.fetchText,
        now: opts.now,
      });
    case 'prometheus':
      return readFromPrometheus(target.name, {
        query: opts.query ?? httpPromQuery(source.url, timeoutMs),
        where: source.url,
        windowS: source.window_s ?? DEFAULT_WINDOW_S,
        label: source.label ?? 'instance',
        now: opts.now,
      });
  }
}

/**
 * For the samplers whose fetchers take a URL (and maybe a timeout): the target's name, which the Prometheus
 * source matches series by, is looked up among the command's targets.
 */
export function metricsFetcherFor(
  source: MetricsSource,
  targets: readonly ({ name: string; url: string } & TokenRef)[],
  opts: Omit<ReadOptions, 'timeoutMs'> = {},
): (url: string, timeoutMs?: number) => Promise<ServiceMetrics> {
  return (url, timeoutMs) => {
    const target = targets.find((t) => t.url === url) ?? { name: url, url };
    return readMetrics(target, source, { ...opts, ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
  };
}
