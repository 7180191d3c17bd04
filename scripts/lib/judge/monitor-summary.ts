import type { MonitorSample } from '../../types/monitor-sample';
import type { MonitorResult } from '../../types/monitor-result';
import { alertsFor } from './alerts';
import type { DbConnectionsRange, ResolvedMonitorConfig } from './monitor-defaults';
import type { Judgement } from './monitor-judge';
import { notMeasured, shownVerdict } from '../verdict';

type Stat = MonitorResult['summary']['p95_ms'];
export type MonitorWindow = NonNullable<MonitorResult['windows']>[number];

export function statOf(values: readonly (number | null | undefined)[]): Stat {
  const xs = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const last = values.length ? (values[values.length - 1] ?? null) : null;
  return {
    max: xs.length ? Math.max(...xs) : null,
    mean: xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null,
    last: typeof last === 'number' ? last : null,
    measured_samples: xs.length,
  };
}

/** The figures the verification report needs ("post-change metrics"), over every sample of the run. */
export function summarise(samples: readonly MonitorSample[]): MonitorResult['summary'] {
  const requests = samples.reduce((s, x) => s + x.fleet.requests, 0);
  const errors = samples.reduce((s, x) => s + x.fleet.errors, 0);
  const poolMax: Record<string, number> = {};
  for (const s of samples)
    for (const i of s.instances) if (i.measured && i.pool_max !== undefined) poolMax[i.name] = i.pool_max;
  return {
    requests,
    errors,
    error_rate: requests > 0 ? errors / requests : null,
    acquire_timeouts: samples.reduce((s, x) => s + (x.fleet.acquire_timeouts ?? 0), 0),
    p95_ms: statOf(samples.map((s) => s.fleet.p95_ms)),
    pool_utilization: statOf(samples.map((s) => s.fleet.pool_utilization)),
    acquire_wait_p95_ms: statOf(samples.map((s) => s.fleet.acquire_wait_p95_ms)),
    active_connections: statOf(samples.map((s) => s.fleet.active)),
    db_backends: statOf(samples.map((s) => s.db.backends)),
    new_backends_per_s: statOf(samples.map((s) => s.db.new_backends_per_s)),
    db_cpu_pct: statOf(samples.map((s) => s.db.cpu_pct)),
    pool_max: poolMax,
  };
}

export type DbConnectionsSummary = NonNullable<MonitorResult['summary']['db_connections']>;

/**
 * Runbook Step 6 "Active DB connections (should be 20-60 under normal load)", judged over the run: every sample's
 * pg_stat_activity count against the range (strictly outside it is a WARN, like the WARNING alert each such sample
 * raised; shown, never deciding). No count in any sample is COULD_NOT_MEASURE, never PASS.
 */
export function dbConnectionsSummary(
  samples: readonly MonitorSample[],
  range: DbConnectionsRange,
): DbConnectionsSummary {
  const counts = samples.map((s) => s.db.backends).filter((v): v is number => typeof v === 'number');
  const outside = counts.filter((v) => v < range.min || v > range.max).length;
  return {
    ...range,
    lowest: counts.length ? Math.min(...counts) : null,
    highest: counts.length ? Math.max(...counts) : null,
    measured_samples: counts.length,
    outside_samples: outside,
    verdict: counts.length === 0 ? 'COULD_NOT_MEASURE' : outside > 0 ? 'WARN' : 'PASS',
  };
}

/** "42–57 (range 20–60, <basis>): PASS": the runbook's "Active DB connections (should be 20-60)" as judged. */
export function dbConnectionsLine(d: DbConnectionsSummary | undefined): string {
  if (!d) return 'not judged';
  const range = `range ${d.min}–${d.max}, ${d.basis}`;
  if (d.verdict === 'COULD_NOT_MEASURE') return notMeasured(`no database probe; ${range}`);
  const seen = d.lowest === d.highest ? `${d.lowest}` : `${d.lowest}–${d.highest}`;
  return `${seen} (${range}): ${shownVerdict(d.verdict)}${d.outside_samples ? `, ${d.outside_samples}/${d.measured_samples} samples outside` : ''}`;
}

/** One reporting window's verdict (for --windowed): samples whose elapsed time falls in it. */
export function windowVerdict(
  index: number,
  samples: readonly MonitorSample[],
  cfg: ResolvedMonitorConfig,
  judgement: Judgement,
): MonitorWindow {
  const requests = samples.reduce((s, x) => s + x.fleet.requests, 0);
  const errors = samples.reduce((s, x) => s + x.fleet.errors, 0);
  const alerts = samples.reduce((n, s) => n + (s.alerts ?? alertsFor(s, cfg.alerts)).length, 0);
  const p95 = statOf(samples.map((s) => s.fleet.p95_ms)).max;
  const util = statOf(samples.map((s) => s.fleet.pool_utilization)).max;
  const unmeasured = samples.filter((s) => s.unmeasured.length > 0).length;
  const verdict: MonitorWindow['verdict'] =
    judgement.state === 'triggered'
      ? 'FAIL'
      : judgement.state === 'could_not_measure'
        ? 'COULD_NOT_MEASURE'
        : alerts > 0
          ? 'WARN'
          : 'PASS';
  return {
    index,
    from: samples[0]?.at ?? new Date(0).toISOString(),
    to: samples[samples.length - 1]?.at ?? new Date(0).toISOString(),
    samples: samples.length,
    unmeasured,
    verdict,
    p95_ms_max: p95,
    error_rate: requests > 0 ? errors / requests : null,
    pool_utilization_max: util,
    alerts,
  };
}
