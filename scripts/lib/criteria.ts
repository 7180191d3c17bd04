import type { AnalysisResult } from '../types/analysis-result';
import type { LoadtestCriteria } from '../types/loadtest-criteria';
import type { LoadtestResult } from '../types/loadtest-result';
import { describeLoadLevel } from './loadgen/load-level';
import { verdictOfCheck, worstOf, type Verdict } from './verdict';

export type CriterionResult = AnalysisResult['results'][number];

/**
 * Limits are strict because the runbook writes them with "<" ("p95 latency: <500ms"): a value exactly at
 * the limit fails. A criterion whose value could not be measured is COULD_NOT_MEASURE, never a pass.
 */
function below(
  id: string,
  label: string,
  value: number | null,
  threshold: number,
  unit: 'ms' | '%',
  why?: string,
): CriterionResult {
  const r: CriterionResult = {
    id,
    label,
    value,
    threshold,
    comparison: '<',
    unit,
    verdict: verdictOfCheck(value === null ? null : value < threshold),
  };
  if (why) r.detail = why;
  return r;
}

function none(id: string, label: string, value: number | null, detail?: string): CriterionResult {
  const r: CriterionResult = {
    id,
    label,
    value,
    threshold: 0,
    comparison: '==',
    unit: 'count',
    verdict: verdictOfCheck(value === null ? null : value === 0),
  };
  if (detail) r.detail = detail;
  return r;
}

type Instance = LoadtestResult['pool']['instances'][number];

/** Pool criteria need every sampled instance to have at least one reading; otherwise they are unmeasured. */
function poolReadings(result: LoadtestResult): { instances: Instance[]; missing: string | null } {
  const { pool } = result;
  if (!pool.sampled || pool.instances.length === 0)
    return { instances: [], missing: 'no instance was sampled (give --target to loadtest)' };
  const blind = pool.instances.filter((i) => i.samples === 0).map((i) => i.name);
  if (blind.length > 0) return { instances: pool.instances, missing: `no reading from ${blind.join(', ')}` };
  return { instances: pool.instances, missing: null };
}

export function judge(
  result: LoadtestResult,
  criteria: Required<LoadtestCriteria>,
): { verdict: Verdict; results: CriterionResult[] } {
  const view = criteria.latency_view === 'intended' ? result.latency_ms.from_intended : result.latency_ms.from_send;
  const viewLabel = criteria.latency_view === 'intended' ? 'from intended send' : 'from actual send';
  const lat = (p: number): number | null => (view.count === 0 ? null : p);
  let results: CriterionResult[] = [
    below('p50_latency', `p50 latency (${viewLabel})`, lat(view.p50), criteria.max_p50_ms, 'ms'),
    below('p95_latency', `p95 latency (${viewLabel})`, lat(view.p95), criteria.max_p95_ms, 'ms'),
    below('p99_latency', `p99 latency (${viewLabel})`, lat(view.p99), criteria.max_p99_ms, 'ms'),
    below('error_rate', 'error rate', result.errors.rate_pct, criteria.max_error_rate_pct, '%', errorDetail(result)),
  ];
  if (criteria.forbid_dropped_sends) {
    results.push(
      none(
        'dropped_sends',
        'scheduled requests never sent',
        result.requests.dropped,
        result.requests.dropped > 0
          ? `the hard stop came with ${result.requests.dropped} requests still waiting for a free connection`
          : undefined,
      ),
    );
  }
  results.push(loadLevelCriterion(result, criteria));
  results.push(...poolCriteria(result, criteria));
  if (!result.outcome.target_reachable) {
    // No answer at all is an outage of the measurement, not a verdict on the service (loadtest exited 3 too).
    results = results.map((r) => ({
      ...r,
      value: null,
      verdict: 'COULD_NOT_MEASURE' as const,
      detail: 'the target never answered: nothing to judge',
    }));
  }
  return { verdict: worstOf(results.map((r) => r.verdict)), results };
}

/**
 * The load level against the baseline's traffic (docs/load-test.md): a test far below normal traffic leaves the
 * pool idle and proves nothing about it, so it warns, or fails when the criteria say so. Without a baseline it
 * cannot be judged: a warning, or "could not measure" when a low load must fail.
 */
function loadLevelCriterion(result: LoadtestResult, c: Required<LoadtestCriteria>): CriterionResult {
  const l = result.load_level;
  const low = c.load_below_baseline === 'fail' ? 'FAIL' : 'WARN';
  const r: CriterionResult = {
    id: 'load_level',
    label: "load level (% of the baseline's traffic)",
    value: l.ratio === null ? null : Math.round(l.ratio * 1000) / 10,
    threshold: c.min_load_vs_baseline_pct,
    comparison: '>=',
    unit: '%',
    verdict: 'PASS',
    detail: describeLoadLevel(l),
  };
  if (l.baseline === null) return { ...r, verdict: low === 'FAIL' ? 'COULD_NOT_MEASURE' : 'WARN' };
  if (l.baseline.requests_per_s === 0) return r;
  if (r.value === null) return { ...r, verdict: 'COULD_NOT_MEASURE' };
  return r.value >= r.threshold ? r : { ...r, verdict: low };
}

function errorDetail(result: LoadtestResult): string | undefined {
  const kinds = Object.entries(result.errors.by_kind);
  return kinds.length ? kinds.map(([k, n]) => `${k}: ${n}`).join(', ') : undefined;
}

function poolCriteria(result: LoadtestResult, c: Required<LoadtestCriteria>): CriterionResult[] {
  const { instances, missing } = poolReadings(result);
  const out: CriterionResult[] = [];
  const unmeasured = (r: CriterionResult): CriterionResult => {
    if (missing === null) return r;
    return { ...r, value: null, verdict: c.require_pool_metrics ? 'COULD_NOT_MEASURE' : 'SKIPPED', detail: missing };
  };

  const utilOf = (i: Instance): number | null => {
    const seen = [i.utilization_peak_interval_pct, i.utilization_peak_sample_pct].filter(
      (v): v is number => v !== null,
    );
    return seen.length ? Math.max(...seen) : null;
  };
  const peak = instances.reduce<{ value: number | null; name: string }>(
    (best, i) =>
      utilOf(i) !== null && (best.value === null || utilOf(i)! > best.value)
        ? { value: utilOf(i), name: i.name }
        : best,
    { value: null, name: '' },
  );
  out.push(
    unmeasured(
      below(
        'pool_utilization',
        'peak pool utilisation (any instance)',
        peak.value,
        c.max_pool_utilization_pct,
        '%',
        peak.value === null ? undefined : `on ${peak.name}`,
      ),
    ),
  );

  if (c.forbid_acquire_timeouts) {
    const total = instances.reduce((n, i) => n + i.acquire_timeouts_delta, 0);
    const where = instances
      .filter((i) => i.acquire_timeouts_delta > 0)
      .map((i) => `${i.name}: ${i.acquire_timeouts_delta}`);
    out.push(
      unmeasured(
        none(
          'acquire_timeouts',
          'connection (pool acquire) timeouts',
          total,
          where.length ? where.join(', ') : undefined,
        ),
      ),
    );
  }

  if (c.forbid_pool_exhaustion) {
    const signs: string[] = [];
    for (const i of instances) {
      if (i.waiting_longest_streak >= c.exhaustion_sustained_samples) {
        signs.push(
          `${i.name}: requests waiting for a connection in ${i.waiting_longest_streak} consecutive samples (max ${i.waiting_max})`,
        );
      }
      if ((i.utilization_peak_sample_pct ?? 0) >= 100)
        signs.push(`${i.name}: every connection busy (${i.utilization_peak_sample_pct} %)`);
      if (i.acquire_timeouts_delta > 0) signs.push(`${i.name}: ${i.acquire_timeouts_delta} acquire timeouts`);
    }
    out.push(
      unmeasured(
        none('pool_exhaustion', 'pool exhaustion signs', signs.length, signs.length ? signs.join('; ') : undefined),
      ),
    );
  }
  return out;
}
