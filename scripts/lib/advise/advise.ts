import { MeasureError } from '../errors';
import { assertValid } from '../schema';
import type { Advice } from '../../types/advice';
import type { ServiceMetrics } from '../../types/service-metrics';
import type { Snapshot } from '../../types/snapshot';
import { buildAdvice } from './build-advice';
import { resolveDbFacts, type DbFactsInput } from './db-facts';
import type { AdviceParameters } from './parameters';
import { measureInstance } from './rates';
import { sampleOnce, sampleWindow, type MetricsFetcher } from './sample-window';

export interface AdviseOptions {
  params: AdviceParameters;
  db: DbFactsInput;
  fetcher: MetricsFetcher;
  instanceCount?: number;
  serving?: number;
  planned?: { max: number; source: 'flag' | 'plan' } | null;
  sleep?: (ms: number) => Promise<void>;
  onSample?: (index: number, of: number) => void;
  now?: () => Date;
}

/** The advice from measured instances, their source and the database's facts, with the caller's parameters. */
const sized = (
  instances: Parameters<typeof buildAdvice>[0]['instances'],
  source: Parameters<typeof buildAdvice>[0]['source'],
  db: Parameters<typeof buildAdvice>[0]['db'],
  opts: Pick<AdviseOptions, 'params' | 'instanceCount' | 'serving' | 'planned' | 'now'>,
): Advice =>
  buildAdvice({
    instances,
    source,
    db,
    params: opts.params,
    instanceCount: opts.instanceCount,
    serving: opts.serving,
    planned: opts.planned,
    now: opts.now?.(),
  });

/**
 * Live: sample every target over the window, then size. The database facts are read first, so bad input or an
 * unreachable database fails before the operator waits out the window.
 */
export async function adviseFromWindow(
  targets: { name: string; url: string }[],
  window: { windowS: number; samples: number },
  opts: AdviseOptions,
): Promise<Advice> {
  const db = await resolveDbFacts(opts.db);
  const byName = await sampleWindow(targets, {
    ...window,
    fetcher: opts.fetcher,
    sleep: opts.sleep,
    onSample: opts.onSample,
  });
  const instances = targets.map((t) => measureInstance(t, byName.get(t.name)!, opts.params.quantile));
  return sized(instances, { kind: 'window', window_s: window.windowS, samples: window.samples }, db, opts);
}

export interface SamplePair {
  name: string;
  url: string;
  first: ServiceMetrics | null;
  second: ServiceMetrics | null;
  error?: string | null;
}

/**
 * From a window someone already sampled (preflight's sampleFleet: the first and last sample per instance), so
 * the advice costs no extra wait. The peak `active` is then only what those two samples saw.
 */
export async function adviseFromPairs(
  pairs: SamplePair[],
  opts: Omit<AdviseOptions, 'fetcher' | 'sleep' | 'onSample'>,
): Promise<Advice> {
  const missing = pairs.filter((p) => !p.first || !p.second);
  if (missing.length > 0) {
    throw new MeasureError(
      `no metrics window for ${missing.map((p) => `${p.name} (${p.error ?? 'not sampled'})`).join(', ')}`,
      'E_ADVISE_SAMPLE',
    );
  }
  const db = await resolveDbFacts(opts.db);
  const instances = pairs.map((p) => measureInstance(p, [p.first!, p.second!], opts.params.quantile));
  return sized(
    instances,
    { kind: 'window', window_s: Math.max(0, ...instances.map((i) => i.window_s)), samples: 2 },
    db,
    opts,
  );
}

/**
 * From a pre-change snapshot. A snapshot holds ONE metrics sample per instance, and a rate needs two, so the
 * snapshot is the window's first sample and a sample taken now is its last: the window is the time since the
 * snapshot (the service's uptime clock), and a restart since then is detected and that instance skipped.
 */
export async function adviseFromSnapshot(raw: unknown, file: string, opts: AdviseOptions): Promise<Advice> {
  const snapshot = assertValid<Snapshot>('snapshot', raw, `snapshot ${file}`);
  const firsts: { name: string; url: string; first: ServiceMetrics }[] = [];
  for (const i of snapshot.instances) {
    if (!i.metrics)
      throw new MeasureError(
        `snapshot ${file} has no metrics for ${i.name} (${i.error ?? 'not measured'}): advise needs them`,
        'E_ADVISE_SNAPSHOT',
      );
    firsts.push({ name: i.name, url: i.url, first: i.metrics as ServiceMetrics });
  }
  if (firsts.length === 0) throw new MeasureError(`snapshot ${file} lists no instances`, 'E_ADVISE_SNAPSHOT');
  const db = await resolveDbFacts(opts.db);
  const lasts = await sampleOnce(firsts, opts.fetcher, 'sample now, paired with the snapshot');
  const instances = firsts.map((t, k) => measureInstance(t, [t.first, lasts[k]!], opts.params.quantile));
  return sized(
    instances,
    {
      kind: 'snapshot',
      window_s: Math.max(0, ...instances.map((i) => i.window_s)),
      samples: 2,
      snapshot_file: file,
    },
    db,
    opts,
  );
}
