import type { MonitorSample } from '../../types/monitor-sample';
import type { RollbackConfig } from '../../types/rollback-config';
import type { RollbackWatchResult } from '../../types/rollback-watch-result';
import type { Snapshot } from '../../types/snapshot';
import { notMeasured, worstOf, type Verdict } from '../verdict';

/**
 * The runbook's rollback step 4, "Monitor for 15 minutes - verify metrics return to baseline", as a judgement: the
 * samples of the watch after its settle time, against the pre-change snapshot, within stated tolerances
 * (schemas/rollback-config.schema.json). Each figure is the fleet's, against the baseline's worst instance (the
 * snapshot's own basis for "current metrics"):
 * - pool in force: every instance answers with the baseline's min and max in every judged sample (exact);
 * - error rate: Σerrors/Σrequests over the judged samples ≤ baseline + error_rate_pp;
 * - p95: the median of the samples' worst-instance p95 ≤ baseline × (1 + p95_pct) + p95_ms (a median, so one slow
 *   sample in a quarter hour does not decide; the service's own p95 is already a window);
 * - pool utilisation and acquire wait p95: their highest ≤ baseline + tolerance;
 * - DB connections: the median pg_stat_activity count within baseline ± (pct + abs).
 * A figure with no baseline or no judged value is COULD_NOT_MEASURE, and so is the watch: never "back at baseline".
 */
export type Tolerance = Required<NonNullable<NonNullable<RollbackConfig['watch']>['tolerance']>>;
export type Check = RollbackWatchResult['checks'][number];
export type Baseline = RollbackWatchResult['baseline']['figures'];

const worst = (xs: (number | null | undefined)[]): number | null => {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? Math.max(...ok) : null;
};

export function median(xs: (number | null | undefined)[]): number | null {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!ok.length) return null;
  const mid = Math.floor(ok.length / 2);
  return ok.length % 2 ? ok[mid]! : (ok[mid - 1]! + ok[mid]!) / 2;
}

/** The figures a watch compares with, from pre_change_snapshot_<ts>.json. */
export function baselineOf(s: Snapshot): Baseline {
  const sums = s.instances.map((i) => i.summary).filter((x): x is NonNullable<typeof x> => x !== null);
  const pools: Baseline['pools'] = {};
  for (const i of s.instances)
    if (i.pool_config) pools[i.name] = { min: i.pool_config.pool.min, max: i.pool_config.pool.max };
  return {
    error_rate: worst(sums.map((x) => x.error_rate)),
    p95_ms: worst(sums.map((x) => x.latency_p95_ms)),
    pool_utilization: worst(sums.map((x) => x.pool_utilization)),
    acquire_wait_p95_ms: worst(sums.map((x) => x.acquire_wait_p95_ms)),
    db_connections: s.database?.activity?.db_total ?? null,
    pools,
  };
}

const pct = (v: number): string => `${Number((v * 100).toFixed(3))}%`;
const ms = (v: number): string => `${Number(v.toFixed(1))}ms`;

function check(
  id: string,
  label: string,
  base: number | null,
  value: number | null,
  limit: { low?: number; high: number } | null,
  show: (v: number) => string,
  why: string,
): Check {
  if (base === null || value === null || !limit)
    return {
      id,
      label,
      baseline: base,
      value,
      limit: null,
      verdict: 'COULD_NOT_MEASURE',
      shown: notMeasured(base === null ? 'no baseline figure' : why),
    };
  const ok = value <= limit.high && (limit.low === undefined || value >= limit.low);
  const range = limit.low === undefined ? `≤ ${show(limit.high)}` : `${show(limit.low)}–${show(limit.high)}`;
  return {
    id,
    label,
    baseline: base,
    value,
    limit: range,
    verdict: ok ? 'PASS' : 'FAIL',
    shown: `${show(value)} (baseline ${show(base)}, ${range})`,
  };
}

export function judgeReturn(
  samples: readonly MonitorSample[],
  baseline: Baseline,
  tol: Tolerance,
  settleS: number,
): { judged: MonitorSample[]; checks: Check[]; verdict: RollbackWatchResult['verdict'] } {
  const judged = samples.filter((s) => s.elapsed_s >= settleS);
  const requests = judged.reduce((n, s) => n + s.fleet.requests, 0);
  const errors = judged.reduce((n, s) => n + s.fleet.errors, 0);
  const er = requests > 0 ? errors / requests : null;

  const wrongPools: string[] = [];
  let poolReads = 0;
  for (const s of judged)
    for (const i of s.instances) {
      if (!i.measured || i.pool_max === undefined) continue;
      poolReads++;
      const want = baseline.pools[i.name];
      if (!want || want.max !== i.pool_max || want.min !== i.pool_min)
        wrongPools.push(`${i.name} max ${i.pool_max}/min ${i.pool_min} at ${s.at}`);
    }
  const poolCheck: Check =
    Object.keys(baseline.pools).length === 0 || poolReads === 0
      ? {
          id: 'pool',
          label: 'pool in force',
          baseline: null,
          value: null,
          limit: null,
          verdict: 'COULD_NOT_MEASURE',
          shown: notMeasured('no pool read in the baseline or the judged samples'),
        }
      : {
          id: 'pool',
          label: 'pool in force',
          baseline: null,
          value: wrongPools.length,
          limit: 'the baseline min and max on every instance',
          verdict: wrongPools.length ? 'FAIL' : 'PASS',
          shown: wrongPools.length
            ? `${wrongPools.slice(0, 4).join('; ')}`
            : `${poolReads} reads, each the baseline's (${Object.entries(baseline.pools)
                .map(([n, p]) => `${n} ${p.max}/${p.min}`)
                .join(', ')})`,
        };

  const dbBase = baseline.db_connections;
  const dbSpan = dbBase === null ? 0 : (dbBase * tol.db_connections_pct) / 100 + tol.db_connections_abs;
  const checks: Check[] = [
    poolCheck,
    check(
      'error_rate',
      'error rate',
      baseline.error_rate ?? (er === null ? null : 0),
      er,
      baseline.error_rate === null && er === null
        ? null
        : { high: (baseline.error_rate ?? 0) + tol.error_rate_pp / 100 },
      pct,
      'no request in the judged samples',
    ),
    check(
      'p95_ms',
      'p95 latency (median of the samples)',
      baseline.p95_ms,
      median(judged.map((s) => s.fleet.p95_ms)),
      baseline.p95_ms === null ? null : { high: baseline.p95_ms * (1 + tol.p95_pct / 100) + tol.p95_ms },
      ms,
      'no latency in the judged samples',
    ),
    check(
      'pool_utilization',
      'pool utilisation (highest)',
      baseline.pool_utilization,
      worst(judged.map((s) => s.fleet.pool_utilization)),
      baseline.pool_utilization === null ? null : { high: baseline.pool_utilization + tol.pool_utilization_pp / 100 },
      pct,
      'no instance answered',
    ),
    check(
      'acquire_wait_p95_ms',
      'connection wait p95 (highest)',
      baseline.acquire_wait_p95_ms,
      worst(judged.map((s) => s.fleet.acquire_wait_p95_ms)),
      baseline.acquire_wait_p95_ms === null ? null : { high: baseline.acquire_wait_p95_ms + tol.acquire_wait_ms },
      ms,
      'no connection acquired in the judged samples',
    ),
    check(
      'db_connections',
      'active DB connections (median)',
      dbBase,
      median(judged.map((s) => s.db.backends)),
      dbBase === null ? null : { low: Math.max(0, dbBase - dbSpan), high: dbBase + dbSpan },
      (v) => String(Math.round(v)),
      'no database probe',
    ),
  ];
  return { judged, checks, verdict: worstOf(checks.map((c) => c.verdict)) };
}

/**
 * The watch's verdict in one line, verdict first: "PASS: back at baseline: …", "FAIL: NOT BACK AT BASELINE: p95 …",
 * "COULD_NOT_MEASURE: return to baseline not judged: …".
 */
export function watchVerdictText(r: Pick<RollbackWatchResult, 'verdict' | 'checks'>): string {
  const of = (v: Verdict): string =>
    r.checks
      .filter((c) => c.verdict === v)
      .map((c) => `${c.label} ${c.shown}`)
      .join('; ');
  if (r.verdict === 'PASS') return 'PASS: back at baseline: every figure within its tolerance';
  if (r.verdict === 'FAIL') return `FAIL: NOT BACK AT BASELINE: ${of('FAIL')}`;
  return `COULD_NOT_MEASURE: return to baseline not judged: ${of('COULD_NOT_MEASURE')}`;
}
