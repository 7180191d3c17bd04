import type { Metric, Scope } from '../../types/monitor-config';
import type { SampleInstance, MonitorSample } from '../../types/monitor-sample';
import { DB_METRICS } from './monitor-defaults';
import type { Point } from './sustained';

type InstanceMetric = 'error_rate' | 'p95_ms' | 'pool_utilization' | 'acquire_wait_p95_ms' | 'churn_per_s';

function instanceValue(i: SampleInstance | undefined, metric: InstanceMetric): number | null {
  if (!i || !i.measured) return null;
  return i[metric] ?? null;
}

/** One sample's value of `metric` for the fleet (or the database). */
export function fleetValue(s: MonitorSample, metric: Metric): number | null {
  switch (metric) {
    case 'new_backends_per_s':
      return s.db.new_backends_per_s ?? null;
    case 'db_cpu_pct':
      return s.db.cpu_pct ?? null;
    case 'db_backends':
      return s.db.backends ?? null;
    default:
      return s.fleet[metric];
  }
}

/** Subjects of a scope in one sample: instance names, or the single subject "fleet". */
export function valuesAt(s: MonitorSample, metric: Metric, scope: Scope): { subject: string; value: number | null }[] {
  if (scope === 'fleet' || DB_METRICS.has(metric)) {
    return [{ subject: 'fleet', value: fleetValue(s, metric) }];
  }
  return s.instances.map((i) => ({ subject: i.name, value: instanceValue(i, metric as InstanceMetric) }));
}

/**
 * The time series a trigger judges, per subject. An instance absent from a sample (or unmeasured in it) gets
 * a null point there: a gap, never a breach.
 */
export function seriesOf(samples: readonly MonitorSample[], metric: Metric, scope: Scope): Map<string, Point[]> {
  const out = new Map<string, Point[]>();
  const subjects = new Set<string>();
  for (const s of samples) for (const v of valuesAt(s, metric, scope)) subjects.add(v.subject);
  for (const subject of subjects) out.set(subject, []);
  for (const s of samples) {
    const at = Date.parse(s.at);
    const here = new Map(valuesAt(s, metric, scope).map((v) => [v.subject, v.value]));
    for (const subject of subjects) out.get(subject)!.push({ at_ms: at, value: here.get(subject) ?? null });
  }
  return out;
}
