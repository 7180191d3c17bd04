import { MeasureError } from '../errors';
import { getText } from '../http-json';
import { authHeaders, type TokenRef } from '../target-auth';
import { bucketDelta, histogramQuantile, type Bucket } from './histogram';
import { HISTOGRAMS, QUANTILES, metricsFromFigures, scalarsFrom, SERIES, type WindowQuantiles } from './figures';
import { DEFAULT_WINDOW_S } from './source';
import { parseExposition, type Sample } from './text-format';
import type { ServiceMetrics } from '../../types/service-metrics';

export type FetchText = (url: string, timeoutMs: number, headers?: Record<string, string>) => Promise<string>;

export const fetchText: FetchText = async (url, timeoutMs, headers = {}) =>
  (await getText(url, { timeoutMs, headers })).text;

interface Reading {
  atMs: number;
  pid: number;
  latency: Bucket[];
  acquireWait: Bucket[];
}

/**
 * Earlier readings of each URL, so the percentiles of a scrape cover a recent window as the JSON document's
 * do (a scrape alone only has buckets counted since the process started). Held per source object: one
 * command run, one memory.
 */
export class ScrapeMemory {
  private readonly byUrl = new Map<string, Reading[]>();

  /**
   * The baseline for a reading: the oldest earlier reading of the same process within the window, else the
   * newest one before it (a reader slower than the window gets its own interval), else none (since start).
   */
  baseline(url: string, now: Reading, windowS: number): Reading | undefined {
    const earlier = (this.byUrl.get(url) ?? []).filter((r) => r.pid === now.pid && r.atMs < now.atMs);
    const inWindow = earlier.filter((r) => r.atMs >= now.atMs - windowS * 1000);
    const before = earlier.filter((r) => r.atMs < now.atMs - windowS * 1000).at(-1);
    this.byUrl.set(url, [...(before ? [before] : []), ...inWindow, now]);
    return inWindow[0] ?? before;
  }
}

function buckets(samples: Sample[], histogram: string): Bucket[] {
  return samples
    .filter((s) => s.name === `${histogram}_bucket` && s.labels.le !== undefined)
    .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), count: s.value }));
}

function quantiles(b: Bucket[]): WindowQuantiles {
  const count = b.find((x) => x.le === Infinity)?.count ?? 0;
  return {
    count,
    p50: histogramQuantile(QUANTILES.p50, b),
    p95: histogramQuantile(QUANTILES.p95, b),
    p99: histogramQuantile(QUANTILES.p99, b),
    max: histogramQuantile(QUANTILES.max, b),
  };
}

/** Pure: one scrape's text (plus the memory of earlier ones) → the metrics document. */
export function metricsFromScrape(
  text: string,
  opts: { url: string; name: string; at: Date; windowS: number; memory: ScrapeMemory },
): ServiceMetrics {
  const where = `${opts.url}/metrics`;
  let samples: Sample[];
  try {
    samples = parseExposition(text);
  } catch (err) {
    throw new MeasureError(`${where}: not the Prometheus text format (${(err as Error).message})`, 'E_BAD_SHAPE');
  }
  const values = new Map(samples.map((s) => [s.name, s]));
  const scalars = scalarsFrom((series) => values.get(series)?.value, where);
  const now: Reading = {
    atMs: opts.at.getTime(),
    pid: scalars.pid,
    latency: buckets(samples, HISTOGRAMS.latency),
    acquireWait: buckets(samples, HISTOGRAMS.acquireWait),
  };
  if (now.latency.length === 0 || now.acquireWait.length === 0) {
    throw new MeasureError(
      `${where}: no ${now.latency.length === 0 ? HISTOGRAMS.latency : HISTOGRAMS.acquireWait} histogram`,
      'E_METRICS_MISSING',
    );
  }
  const base = opts.memory.baseline(opts.url, now, opts.windowS);
  const windowS = base ? (now.atMs - base.atMs) / 1000 : now.atMs / 1000 - scalars.startTime;
  return metricsFromFigures(
    {
      at: opts.at,
      // The service labels its own series with its name; the target's name when it does not.
      instance: values.get(SERIES.pid)?.labels.instance ?? opts.name,
      windowS: Math.max(0, windowS),
      scalars,
      latency: quantiles(base ? bucketDelta(now.latency, base.latency) : now.latency),
      acquireWait: quantiles(base ? bucketDelta(now.acquireWait, base.acquireWait) : now.acquireWait),
    },
    where,
  );
}

export async function readScrape(
  target: { name: string; url: string } & TokenRef,
  opts: { timeoutMs: number; windowS?: number; memory: ScrapeMemory; fetch?: FetchText; now?: () => Date },
): Promise<ServiceMetrics> {
  const text = await (opts.fetch ?? fetchText)(`${target.url}/metrics`, opts.timeoutMs, authHeaders(target));
  return metricsFromScrape(text, {
    url: target.url,
    name: target.name,
    at: (opts.now ?? (() => new Date()))(),
    windowS: opts.windowS ?? DEFAULT_WINDOW_S,
    memory: opts.memory,
  });
}
