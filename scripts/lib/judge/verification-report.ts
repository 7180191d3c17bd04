import type { AnalysisResult } from '../../types/analysis-result';
import type { LoadtestResult } from '../../types/loadtest-result';
import type { MonitorResult } from '../../types/monitor-result';
import type { Plan } from '../../types/plan';
import type { VerificationReport } from '../../types/report';
import type { Snapshot } from '../../types/snapshot';
import type { VerifyResult } from '../../types/verify-result';
import { formatDurationS } from '../duration';
import { baselineOf, describeLoadLevel, loadLevelOf } from '../loadgen/load-level';
import { gateStop } from '../trigger';
import { decisionOf, exitCodeOfVerdict, messageOf, notMeasured, verdictOfCheck, worstOf } from '../verdict';

export type Criterion = VerificationReport['criteria'][number];
export type ReportInput = VerificationReport['inputs'][number];
export type Metrics = VerificationReport['pre'];

/** The runbook's success criteria thresholds (strict <, like "Pool utilization <70%"). */
export const RUNBOOK_SUCCESS = {
  pool_utilization_pct: 70,
  acquire_wait_p95_ms: 10,
  error_rate_pct: 0.1,
  p95_ms: 500,
  db_cpu_pct: 90,
  sustained_s: 3600,
} as const;

export interface ReportEvidence {
  plan: Plan | null;
  snapshot: Snapshot | null;
  verify: VerifyResult | null;
  loadtest: LoadtestResult | null;
  analysis: AnalysisResult | null;
  monitor: MonitorResult | null;
  inputs: ReportInput[];
  operator: { name: string; source: string };
  now: Date;
  markdownFile: string;
  /** The run's rollback, when it was rolled back: the decision is then ROLLBACK whatever the criteria say. */
  rollback?: VerificationReport['rollback'];
}

const NM = notMeasured();
const round = (v: number, d = 3): number => Number(v.toFixed(d));
const maxOf = (xs: (number | null | undefined)[]): number | null => {
  const ok = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return ok.length ? Math.max(...ok) : null;
};
export const showPct = (v: number | null): string => (v === null ? NM : `${round(v, 3)}%`);
export const showMs = (v: number | null): string => (v === null ? NM : `${round(v, 1)}ms`);
export const showCount = (v: number | null): string => (v === null ? NM : String(Math.round(v)));

function missingWhy(inputs: ReportInput[], kind: ReportInput['kind']): string {
  const i = inputs.find((x) => x.kind === kind);
  if (!i || i.status === 'missing') return `no ${kind} evidence${i?.detail ? ` (${i.detail})` : ''}`;
  return `${kind} evidence ${i.file ?? ''} invalid${i.detail ? `: ${i.detail}` : ''}`;
}

/** Pre-change figures: the worst instance for rates and latency (a fleet mean would hide one bad instance). */
export function preMetrics(s: Snapshot | null): Metrics {
  if (!s)
    return {
      pool_utilization_pct: null,
      error_rate_pct: null,
      p95_ms: null,
      active_connections: null,
      basis: 'no pre-change snapshot',
    };
  const sums = s.instances.map((i) => i.summary).filter((x): x is NonNullable<typeof x> => x !== null);
  const dbTotal = s.database && s.database.activity ? s.database.activity.db_total : null;
  const active = dbTotal ?? (sums.length ? sums.reduce((n, x) => n + x.active_connections, 0) : null);
  const err = maxOf(sums.map((x) => x.error_rate));
  return {
    pool_utilization_pct: sums.length ? maxOf(sums.map((x) => x.pool_utilization))! * 100 : null,
    error_rate_pct: err === null ? null : err * 100,
    p95_ms: maxOf(sums.map((x) => x.latency_p95_ms)),
    active_connections: active,
    basis: `snapshot ${s.timestamp}: worst of ${sums.length}/${s.instances.length} instances; active connections ${dbTotal !== null ? 'from pg_stat_activity' : 'Σ pool active'}`,
  };
}

/** Post-change figures from sustained monitoring: peaks over every sample, run-wide error rate. */
export function postMetrics(m: MonitorResult | null): Metrics {
  if (!m)
    return {
      pool_utilization_pct: null,
      error_rate_pct: null,
      p95_ms: null,
      active_connections: null,
      basis: 'no monitor result',
    };
  const s = m.summary;
  const dbBackends = s.db_backends.max;
  return {
    pool_utilization_pct: s.pool_utilization.max === null ? null : s.pool_utilization.max * 100,
    error_rate_pct: s.error_rate === null ? null : s.error_rate * 100,
    p95_ms: s.p95_ms.max,
    active_connections: dbBackends ?? s.active_connections.max,
    basis: `monitor ${m.started_at} → ${m.ended_at}, ${m.samples.total} samples: peak utilisation and p95, Σerrors/Σrequests, peak ${dbBackends !== null ? 'pg_stat_activity backends' : 'Σ pool active'}`,
  };
}

/**
 * The load test's figures and its load level against the baseline's traffic: the baseline the load test was
 * given, else the run's pre-change snapshot, so a load test run without --baseline is still compared.
 */
export function loadtestFigures(
  l: LoadtestResult | null,
  a: AnalysisResult | null,
  s: Snapshot | null = null,
): VerificationReport['loadtest'] {
  const level = l
    ? l.load_level.baseline !== null || s === null
      ? l.load_level
      : loadLevelOf(baselineOf(s, 'pre-change snapshot'), l.load_level.achieved_per_s)
    : null;
  return {
    requests: l ? l.requests.sent : null,
    p50_ms: l && l.latency_ms.from_intended.count > 0 ? l.latency_ms.from_intended.p50 : null,
    p95_ms: l && l.latency_ms.from_intended.count > 0 ? l.latency_ms.from_intended.p95 : null,
    p99_ms: l && l.latency_ms.from_intended.count > 0 ? l.latency_ms.from_intended.p99 : null,
    error_rate_pct: l ? l.errors.rate_pct : null,
    rate_per_s: level?.achieved_per_s ?? null,
    baseline_rate_per_s: level?.baseline?.requests_per_s ?? null,
    load_vs_baseline: level?.ratio ?? null,
    load_level: level ? describeLoadLevel(level) : `${NM} (no load-test evidence)`,
    verdict: a ? a.verdict : null,
  };
}

function criterion(
  id: Criterion['id'],
  label: string,
  threshold: string,
  value: number | null,
  shown: string,
  pass: boolean | null,
  source: string,
): Criterion {
  return { id, label, threshold, value, shown, verdict: verdictOfCheck(pass), source };
}

/** The runbook's "Sustained 60 min": whole minutes as minutes, anything else as a duration. */
export const inMinutes = (seconds: number): string =>
  seconds >= 60 && seconds % 60 === 0 ? `${seconds / 60} min` : formatDurationS(seconds);

/** Worst of several measured values with where each came from; null when none was measured. */
function worst(parts: { source: string; value: number | null }[]): { value: number | null; source: string } {
  const measured = parts.filter((p) => p.value !== null);
  if (!measured.length) return { value: null, source: parts.map((p) => p.source).join(' + ') };
  const w = measured.reduce((a, b) => (b.value! > a.value! ? b : a));
  return { value: w.value, source: measured.map((p) => `${p.source} ${p.value}`).join(', ') };
}

/**
 * The runbook's eight success criteria, each with its value and verdict. Values come from the evidence:
 * pool max from verify's read-back of /api/health/pool-config (else the monitor's metrics); utilisation, acquire
 * wait, DB CPU from monitoring peaks; error rate and p95 the worse of monitoring and the load test; timeouts the
 * sum of the pools' acquire timeouts and the load test's timeouts; "sustained 60 min" = the monitor completed its
 * configured duration without a trigger. Missing evidence is COULD_NOT_MEASURE, never PASS.
 */
export function successCriteria(e: ReportEvidence, toMax: number | null): Criterion[] {
  const m = e.monitor;
  const post = postMetrics(m);
  const lt = loadtestFigures(e.loadtest, e.analysis, e.snapshot);
  const out: Criterion[] = [];

  // 1. pool max
  let maxes: Record<string, number> | null = null;
  let maxSource = '';
  if (e.verify) {
    maxes = {};
    for (const i of e.verify.instances) if (i.pool_config) maxes[i.name] = i.pool_config.pool.max;
    maxSource = 'verify: /api/health/pool-config';
    if (Object.keys(maxes).length < e.verify.instances.length) maxes = Object.keys(maxes).length ? maxes : null;
  }
  if (!maxes && m && Object.keys(m.summary.pool_max).length) {
    maxes = m.summary.pool_max;
    maxSource = 'monitor: /api/health/metrics pool.max';
  }
  if (toMax === null || !maxes) {
    out.push(
      criterion(
        'pool_max',
        `Pool max = ${toMax ?? '(target not recorded)'}`,
        `= ${toMax ?? '?'}`,
        null,
        `${NM} (${toMax === null ? 'no plan or verify evidence names the target max' : missingWhy(e.inputs, 'verify')})`,
        null,
        maxSource || 'verify',
      ),
    );
  } else {
    const wrong = Object.entries(maxes).filter(([, v]) => v !== toMax);
    const unread = e.verify ? e.verify.instances.filter((i) => !i.pool_config).map((i) => i.name) : [];
    const shown = wrong.length
      ? wrong.map(([n, v]) => `${n}: ${v}`).join(', ')
      : `${toMax} on ${Object.keys(maxes).length} instance(s)${unread.length ? `; not read: ${unread.join(', ')}` : ''}`;
    out.push(
      criterion(
        'pool_max',
        `Pool max = ${toMax}`,
        `= ${toMax}`,
        wrong.length ? wrong[0]![1] : toMax,
        shown,
        wrong.length ? false : unread.length ? null : true,
        maxSource,
      ),
    );
  }

  // 2. utilisation
  const util = post.pool_utilization_pct;
  out.push(
    criterion(
      'pool_utilization',
      `Pool utilization <${RUNBOOK_SUCCESS.pool_utilization_pct}%`,
      `< ${RUNBOOK_SUCCESS.pool_utilization_pct}%`,
      util,
      util === null
        ? `${NM} (${m ? 'no instance answered' : missingWhy(e.inputs, 'monitor')})`
        : `${showPct(util)} peak`,
      util === null ? null : util < RUNBOOK_SUCCESS.pool_utilization_pct,
      'monitor',
    ),
  );

  // 3. acquire wait
  const wait = m ? m.summary.acquire_wait_p95_ms.max : null;
  out.push(
    criterion(
      'acquire_wait_p95',
      `Connection wait time p95 <${RUNBOOK_SUCCESS.acquire_wait_p95_ms}ms`,
      `< ${RUNBOOK_SUCCESS.acquire_wait_p95_ms}ms`,
      wait,
      wait === null
        ? `${NM} (${m ? 'no connection acquired in any window' : missingWhy(e.inputs, 'monitor')})`
        : `${showMs(wait)} peak`,
      wait === null ? null : wait < RUNBOOK_SUCCESS.acquire_wait_p95_ms,
      'monitor',
    ),
  );

  // 4. error rate
  const er = worst([
    { source: 'monitor', value: post.error_rate_pct },
    { source: 'loadtest', value: lt.error_rate_pct },
  ]);
  out.push(
    criterion(
      'error_rate',
      `Error rate <${RUNBOOK_SUCCESS.error_rate_pct}%`,
      `< ${RUNBOOK_SUCCESS.error_rate_pct}%`,
      er.value,
      er.value === null ? `${NM} (no traffic measured by monitor or load test)` : showPct(er.value),
      er.value === null ? null : er.value < RUNBOOK_SUCCESS.error_rate_pct,
      er.source,
    ),
  );

  // 5. p95
  const p95 = worst([
    { source: 'monitor', value: post.p95_ms },
    { source: 'loadtest', value: lt.p95_ms },
  ]);
  out.push(
    criterion(
      'p95_latency',
      `p95 latency <${RUNBOOK_SUCCESS.p95_ms}ms`,
      `< ${RUNBOOK_SUCCESS.p95_ms}ms`,
      p95.value,
      p95.value === null ? `${NM} (no latency measured by monitor or load test)` : showMs(p95.value),
      p95.value === null ? null : p95.value < RUNBOOK_SUCCESS.p95_ms,
      p95.source,
    ),
  );

  // 6. connection timeouts
  const parts: string[] = [];
  let timeouts: number | null = null;
  // the monitor's count covers something only if some instance answered twice (an interval to difference)
  if (m && m.summary.pool_utilization.measured_samples >= 2) {
    timeouts = m.summary.acquire_timeouts;
    parts.push(`monitor acquire timeouts ${m.summary.acquire_timeouts}`);
  }
  if (e.loadtest) {
    const client = e.loadtest.errors.by_kind.timeout ?? 0;
    const pool = e.loadtest.pool.instances.reduce((n, i) => n + i.acquire_timeouts_delta, 0);
    timeouts = (timeouts ?? 0) + client + pool;
    parts.push(`load test timeouts ${client}, pool acquire timeouts ${pool}`);
  }
  out.push(
    criterion(
      'connection_timeouts',
      'No connection timeouts',
      '= 0',
      timeouts,
      timeouts === null ? `${NM} (no monitor or load test evidence)` : `${timeouts} (${parts.join('; ')})`,
      timeouts === null ? null : timeouts === 0,
      'monitor + loadtest',
    ),
  );

  // 7. DB CPU
  const cpuLimit = m?.config.triggers.find((tr) => tr.metric === 'db_cpu_pct')?.above ?? RUNBOOK_SUCCESS.db_cpu_pct;
  const cpu = m && m.summary.db_cpu_pct.measured_samples > 0 ? m.summary.db_cpu_pct.max : null;
  out.push(
    criterion(
      'db_cpu',
      'No database CPU spike',
      `< ${cpuLimit}%`,
      cpu,
      cpu === null
        ? `${NM} (${m ? 'monitor had no DB CPU source: --db-cpu-command or --db-cpu-pid-file' : missingWhy(e.inputs, 'monitor')})`
        : `${showPct(cpu)} peak`,
      cpu === null ? null : cpu < cpuLimit,
      'monitor',
    ),
  );

  // 8. sustained
  if (!m) {
    out.push(
      criterion(
        'sustained',
        'Sustained 60 min',
        'monitor completed without a trigger',
        null,
        `${NM} (${missingWhy(e.inputs, 'monitor')})`,
        null,
        'monitor',
      ),
    );
  } else {
    const d = formatDurationS(m.config.duration_s);
    const shown =
      m.verdict === 'PASS' && m.completed
        ? `${d} completed, ${m.samples.total} samples, no trigger`
        : m.verdict === 'FAIL'
          ? `trigger ${m.trigger?.name ?? '?'} fired: ${m.trigger?.message ?? m.message ?? ''}`
          : `${NM} (${m.message ?? 'monitoring did not complete'})`;
    const pass = m.verdict === 'PASS' && m.completed ? true : m.verdict === 'FAIL' ? false : null;
    out.push(
      criterion(
        'sustained',
        `Sustained ${inMinutes(m.config.duration_s)}`,
        `${d} without a trigger`,
        m.config.duration_s,
        shown,
        pass,
        'monitor',
      ),
    );
  }
  return out;
}

export type Section = VerificationReport['sections'][number];

const section = (id: Section['id'], label: string, verdict: Section['verdict'], shown: string): Section => ({
  id,
  label,
  verdict,
  shown,
});

/** A metrics section is measured when every figure is: it names each one that is not. */
function metricsSection(id: 'pre' | 'post', label: string, m: Metrics): Section {
  const missing = (['pool_utilization_pct', 'error_rate_pct', 'p95_ms', 'active_connections'] as const).filter(
    (k) => m[k] === null,
  );
  return missing.length
    ? section(id, label, 'COULD_NOT_MEASURE', `not measured: ${missing.join(', ')} (${m.basis})`)
    : section(id, label, 'PASS', m.basis);
}

/**
 * Is the report complete? Every evidence file it is built from is present and valid (a missing or unreadable one
 * is named), and every section of the runbook's template is measured. The load-test section also carries its
 * analysis verdict: a failed analysis fails, an unanalysed load test is not measured.
 */
export function sections(
  e: ReportEvidence,
  pre: Metrics,
  post: Metrics,
  lt: VerificationReport['loadtest'],
): Section[] {
  const bad = e.inputs.filter((i) => i.status !== 'used');
  const files = bad.length
    ? section(
        'evidence',
        'Evidence files',
        'COULD_NOT_MEASURE',
        bad.map((i) => `${i.kind}: ${i.file ?? 'none'} ${i.status}${i.detail ? ` (${i.detail})` : ''}`).join('; '),
      )
    : section('evidence', 'Evidence files', 'PASS', `${e.inputs.length} files present and valid`);
  const ltMissing = (['requests', 'p50_ms', 'p95_ms', 'p99_ms', 'error_rate_pct'] as const).filter(
    (k) => lt[k] === null,
  );
  const loadtest = ltMissing.length
    ? section(
        'loadtest',
        'Synthetic Load Test Results',
        'COULD_NOT_MEASURE',
        `not measured: ${ltMissing.join(', ')} (${e.loadtest ? 'the load test measured no answer' : missingWhy(e.inputs, 'loadtest')})`,
      )
    : lt.verdict === null
      ? section('loadtest', 'Synthetic Load Test Results', 'COULD_NOT_MEASURE', missingWhy(e.inputs, 'analysis'))
      : section(
          'loadtest',
          'Synthetic Load Test Results',
          lt.verdict,
          `${lt.requests} requests, analysis ${lt.verdict}${e.analysis && lt.verdict !== 'PASS' ? `: ${e.analysis.message}` : ''}`,
        );
  return [
    files,
    metricsSection('pre', 'Pre-Change Metrics', pre),
    metricsSection('post', 'Post-Change Metrics', post),
    loadtest,
  ];
}

/**
 * The decision from every criterion and every section: ROLLBACK when one failed, else INCOMPLETE when one was not
 * measured (a missing file included), SUCCESS only when all were measured and met.
 */
export function decide(
  criteria: Criterion[],
  parts: Section[],
): Pick<VerificationReport, 'decision' | 'message' | 'stop' | 'exit_code'> {
  const judged = [...criteria, ...parts];
  const verdict = worstOf(judged.map((c) => c.verdict));
  const decision = decisionOf(verdict);
  const message = messageOf(
    verdict,
    judged.map((c) => ({ label: c.label, shown: c.shown, verdict: c.verdict })),
    'every section and success criterion measured and met',
  ).replace(/^[A-Z_]+:/, `${decision}:`);
  return { decision, message, ...gateStop('report', verdict), exit_code: exitCodeOfVerdict(verdict) };
}

export function buildReport(e: ReportEvidence): VerificationReport {
  const change = {
    from_max: e.plan?.change.from.max ?? null,
    to_max: e.plan?.change.to.max ?? e.verify?.expected.max ?? null,
    from_min: e.plan?.change.from.min ?? null,
    to_min: e.plan?.change.to.min ?? e.verify?.expected.min ?? null,
  };
  const criteria = successCriteria(e, change.to_max);
  const pre = preMetrics(e.snapshot);
  const post = postMetrics(e.monitor);
  const loadtest = loadtestFigures(e.loadtest, e.analysis, e.snapshot);
  const parts = sections(e, pre, post, loadtest);
  // A rolled-back run documents its rollback: ROLLBACK whatever its criteria say (its trigger is the rollback's own).
  const decision = e.rollback
    ? {
        decision: 'ROLLBACK' as const,
        message: `ROLLBACK: the change was rolled back: ${e.rollback.reason}`,
        exit_code: exitCodeOfVerdict('FAIL'),
      }
    : decide(criteria, parts);
  return {
    kind: 'verification_report',
    generated_at: e.now.toISOString(),
    implementation_date: e.verify?.run.started_at ?? e.monitor?.started_at ?? null,
    operator: e.operator.name,
    operator_source: e.operator.source,
    change,
    ...decision,
    inputs: e.inputs,
    sections: parts,
    pre,
    post,
    loadtest,
    criteria,
    markdown_file: e.markdownFile,
    db_connections: e.monitor?.summary.db_connections ?? null,
    rollback: e.rollback ?? null,
  };
}
