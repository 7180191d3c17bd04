import { MeasureError } from '../errors';
import type { ServiceMetrics } from '../../types/service-metrics';

export type MetricsFetcher = (url: string) => Promise<ServiceMetrics>;

export interface WindowOptions {
  windowS: number;
  /** Samples per instance including the first and last (>= 2); the ones between only feed the peak `active`. */
  samples: number;
  fetcher: MetricsFetcher;
  sleep?: (ms: number) => Promise<void>;
  onSample?: (index: number, of: number) => void;
}

const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sample every instance `samples` times, evenly over the window, all instances in parallel at each tick.
 * An instance that does not answer at any tick makes the whole window unusable: "could not measure" (exit 3),
 * never a recommendation from partial data.
 */
export async function sampleWindow<T extends { name: string; url: string }>(
  targets: T[],
  opts: WindowOptions,
): Promise<Map<string, ServiceMetrics[]>> {
  if (!Number.isInteger(opts.samples) || opts.samples < 2)
    throw new RangeError(`samples must be an integer >= 2, got ${opts.samples}`);
  const sleep = opts.sleep ?? realSleep;
  const byName = new Map<string, ServiceMetrics[]>(targets.map((t) => [t.name, []]));
  const intervalMs = (opts.windowS * 1000) / (opts.samples - 1);
  for (let i = 0; i < opts.samples; i += 1) {
    if (i > 0) await sleep(intervalMs);
    opts.onSample?.(i + 1, opts.samples);
    const tick = await sampleOnce(targets, opts.fetcher, `sample ${i + 1} of ${opts.samples}`);
    targets.forEach((t, k) => byName.get(t.name)!.push(tick[k]!));
  }
  return byName;
}

/** One sample of every target, in parallel, in target order; any failure is "could not measure". */
export async function sampleOnce(
  targets: { name: string; url: string }[],
  fetcher: MetricsFetcher,
  label = 'sample',
): Promise<ServiceMetrics[]> {
  const answers = await Promise.allSettled(targets.map((t) => fetcher(t.url)));
  return answers.map((a, k) => {
    if (a.status === 'fulfilled') return a.value;
    const why = a.reason instanceof Error ? a.reason.message : String(a.reason);
    throw new MeasureError(`${targets[k]!.name}: could not read its metrics (${label}): ${why}`, 'E_ADVISE_SAMPLE', {
      cause: a.reason,
    });
  });
}
