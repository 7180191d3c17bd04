import type { MonitorSample } from '../../types/monitor-sample';
import type { MonitorResult } from '../../types/monitor-result';
import { alertsFor } from './alerts';
import type { ResolvedMonitorConfig } from './monitor-defaults';
import type { Judgement } from './monitor-judge';

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
