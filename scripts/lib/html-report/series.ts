import { RUNBOOK_ALERTS, RUNBOOK_TRIGGERS } from '../judge/monitor-defaults';
import { RUNBOOK_SUCCESS } from '../judge/verification-report';
import type { Metric } from '../../types/monitor-config';
import type { RunEvidence } from './run-evidence';

/** One measured point: time (epoch ms), which line it belongs to, its value, and which evidence file said so. */
export interface Row {
  t: number;
  series: string;
  value: number;
  source: 'snapshot' | 'verify' | 'loadtest' | 'monitor';
}

export type RuleLevel = 'success' | 'warning' | 'critical' | 'trigger' | 'range';

/** A threshold drawn as a horizontal rule line. */
export interface Rule {
  value: number;
  label: string;
  level: RuleLevel;
}

export type ChartId = 'latency' | 'error_rate' | 'pool_utilization' | 'db_connections' | 'acquire_wait';

export interface ChartDef {
  id: ChartId;
  title: string;
  /** The title of the chart's small copy in a dashboard snapshot. */
  short: string;
  unit: string;
  /**
   * symlog keeps a 20 ms line readable under a 1 s threshold and still draws zeros; below `constant` it is
   * linear, so the constant is the smallest difference worth seeing.
   */
  scale: { type: 'linear' } | { type: 'symlog'; constant: number };
  rows: Row[];
  rules: Rule[];
  /** The series this chart is meant to show, in legend order; those without a point are named in the page. */
  series: string[];
  note?: string;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const maxOf = (xs: unknown[]): number | null => {
  const ok = xs.filter(num);
  return ok.length ? Math.max(...ok) : null;
};
const sumOf = (xs: unknown[]): number | null => {
  const ok = xs.filter(num);
  return ok.length ? ok.reduce((a, b) => a + b, 0) : null;
};
const at = (iso: string): number => Date.parse(iso);

class Rows {
  readonly rows: Row[] = [];
  add(t: number, series: string, value: number | null | undefined, source: Row['source']): void {
    if (num(value) && Number.isFinite(t)) this.rows.push({ t, series, value: Number(value.toFixed(4)), source });
  }
  /** A whole-run figure of the load test, drawn as a segment over its span. */
  span(ev: RunEvidence, series: string, value: number | null | undefined): void {
    if (!ev.loadtest) return;
    this.add(at(ev.loadtest.started_at), series, value, 'loadtest');
    this.add(at(ev.loadtest.finished_at), series, value, 'loadtest');
  }
}

const RANK: Record<RuleLevel, number> = { range: 0, success: 1, warning: 2, critical: 3, trigger: 4 };

/** Rules at the same value become one line with both labels (70 % is both a success limit and a warning). */
/** The runbook's success criterion drawn on a chart: "success < 500 ms". */
const successRule = (value: number, unit: string, what = ''): Rule => ({
  value,
  label: `success ${what}< ${value} ${unit}`,
  level: 'success',
});

function mergeRules(rules: Rule[]): Rule[] {
  const byValue = new Map<number, Rule>();
  for (const r of rules) {
    const seen = byValue.get(r.value);
    if (!seen) byValue.set(r.value, { ...r });
    else {
      if (!seen.label.includes(r.label)) seen.label = `${seen.label} · ${r.label}`;
      if (RANK[r.level] > RANK[seen.level]) seen.level = r.level;
    }
  }
  return [...byValue.values()].sort((a, b) => a.value - b.value);
}

/** Alert levels and rollback triggers in force for the run (the monitor's recorded config, else the runbook's). */
function monitorRules(ev: RunEvidence, metric: Metric, factor: number, unit: string): Rule[] {
  const alerts = ev.monitor?.config.alerts ?? RUNBOOK_ALERTS;
  const triggers = ev.monitor?.config.triggers ?? RUNBOOK_TRIGGERS;
  const fmt = (v: number) => `${Number((v * factor).toPrecision(6))} ${unit}`;
  return [
    ...alerts
      .filter((a) => a.metric === metric)
      .flatMap((a): Rule[] => [
        ...(a.above !== undefined
          ? [{ value: a.above * factor, label: `${a.level} > ${fmt(a.above)}`, level: a.level }]
          : []),
        ...(a.below !== undefined
          ? [{ value: a.below * factor, label: `${a.level} < ${fmt(a.below)}`, level: a.level }]
          : []),
      ]),
    ...triggers
      .filter((r) => r.metric === metric)
      .map((r): Rule => ({
        value: r.above * factor,
        label: `rollback > ${fmt(r.above)} for ${r.sustained_s} s`,
        level: 'trigger',
      })),
  ];
}

function latency(ev: RunEvidence): ChartDef {
  const r = new Rows();
  const snap = ev.snapshot;
  if (snap) {
    for (const p of ['p50', 'p95', 'p99'] as const) {
      r.add(
        at(snap.timestamp),
        p,
        maxOf(snap.instances.map((i) => (i.metrics && i.metrics.latency.count > 0 ? i.metrics.latency[p] : null))),
        'snapshot',
      );
    }
  }
  if (ev.verify)
    r.add(
      at(ev.verify.run.finished_at),
      'p95',
      maxOf(ev.verify.instances.map((i) => i.sample.latency_p95_ms)),
      'verify',
    );
  const lt = ev.loadtest?.latency_ms.from_intended;
  if (lt && lt.count > 0) for (const p of ['p50', 'p95', 'p99'] as const) r.span(ev, p, lt[p]);
  for (const s of ev.samples) r.add(at(s.at), 'p95', s.fleet.p95_ms, 'monitor');
  return {
    id: 'latency',
    title: 'Latency p50 / p95 / p99 (ms, worst instance; load test from intended send)',
    short: 'Latency (ms)',
    unit: 'ms',
    scale: { type: 'symlog', constant: 1 },
    rows: r.rows,
    rules: mergeRules([successRule(RUNBOOK_SUCCESS.p95_ms, 'ms', 'p95 '), ...monitorRules(ev, 'p95_ms', 1, 'ms')]),
    series: ['p50', 'p95', 'p99'],
    note: 'Monitoring samples carry p95 only; p50 and p99 come from the baseline snapshot and the load test.',
  };
}

function errorRate(ev: RunEvidence): ChartDef {
  const r = new Rows();
  const pct = (v: number | null | undefined) => (num(v) ? v * 100 : null);
  if (ev.snapshot)
    r.add(
      at(ev.snapshot.timestamp),
      'fleet',
      pct(maxOf(ev.snapshot.instances.map((i) => i.summary?.error_rate))),
      'snapshot',
    );
  if (ev.verify) {
    const usable = ev.verify.instances.map((i) => i.sample.rates).filter((x) => x?.usable);
    const req = sumOf(usable.map((x) => x?.requests));
    if (req)
      r.add(at(ev.verify.run.finished_at), 'fleet', ((sumOf(usable.map((x) => x?.errors)) ?? 0) / req) * 100, 'verify');
  }
  r.span(ev, 'fleet', ev.loadtest?.errors.rate_pct);
  for (const s of ev.samples) r.add(at(s.at), 'fleet', pct(s.fleet.error_rate), 'monitor');
  return {
    id: 'error_rate',
    title: 'Error rate (%, fleet)',
    short: 'Error rate (%)',
    unit: '%',
    scale: { type: 'symlog', constant: 0.01 },
    rows: r.rows,
    rules: mergeRules([successRule(RUNBOOK_SUCCESS.error_rate_pct, '%'), ...monitorRules(ev, 'error_rate', 100, '%')]),
    series: ['fleet'],
  };
}

function instanceNames(ev: RunEvidence): string[] {
  const names = new Set<string>();
  for (const t of ev.plan?.targets ?? []) names.add(t.name);
  for (const i of ev.snapshot?.instances ?? []) names.add(i.name);
  for (const s of ev.samples) for (const i of s.instances) names.add(i.name);
  return [...names];
}

function poolUtilization(ev: RunEvidence): ChartDef {
  const r = new Rows();
  const pct = (v: number | null | undefined) => (num(v) ? v * 100 : null);
  for (const i of ev.snapshot?.instances ?? [])
    r.add(at(ev.snapshot!.timestamp), i.name, pct(i.summary?.pool_utilization), 'snapshot');
  for (const i of ev.verify?.instances ?? [])
    r.add(at(ev.verify!.run.finished_at), i.name, pct(i.sample.pool?.utilization), 'verify');
  for (const i of ev.loadtest?.pool.instances ?? []) r.span(ev, i.name, i.utilization_mean_pct);
  for (const s of ev.samples) for (const i of s.instances) r.add(at(s.at), i.name, pct(i.pool_utilization), 'monitor');
  return {
    id: 'pool_utilization',
    title: 'Pool utilisation per instance (% of max; load test: mean over its span)',
    short: 'Pool utilisation (%)',
    unit: '%',
    scale: { type: 'linear' },
    rows: r.rows,
    rules: mergeRules([
      successRule(RUNBOOK_SUCCESS.pool_utilization_pct, '%'),
      ...monitorRules(ev, 'pool_utilization', 100, '%'),
    ]),
    series: instanceNames(ev),
  };
}

const DB_BACKENDS = 'database backends';
const POOL_OPEN = 'pool connections open (Σ instances)';
const POOL_ACTIVE = 'pool connections active (Σ instances)';

function dbConnections(ev: RunEvidence): ChartDef {
  const r = new Rows();
  const snap = ev.snapshot;
  if (snap) {
    const t = at(snap.timestamp);
    r.add(t, DB_BACKENDS, snap.database?.activity?.db_total, 'snapshot');
    r.add(t, POOL_OPEN, sumOf(snap.instances.map((i) => i.metrics?.pool.total)), 'snapshot');
    r.add(t, POOL_ACTIVE, sumOf(snap.instances.map((i) => i.summary?.active_connections)), 'snapshot');
  }
  const v = ev.verify;
  if (v) {
    const t = at(v.run.finished_at);
    r.add(t, DB_BACKENDS, v.database?.activity.db_total, 'verify');
    r.add(t, POOL_OPEN, sumOf(v.instances.map((i) => i.sample.pool?.total)), 'verify');
    r.add(t, POOL_ACTIVE, sumOf(v.instances.map((i) => i.sample.pool?.active)), 'verify');
  }
  for (const s of ev.samples) {
    const t = at(s.at);
    r.add(t, DB_BACKENDS, s.db.backends, 'monitor');
    r.add(t, POOL_OPEN, sumOf(s.instances.map((i) => i.total)), 'monitor');
    r.add(t, POOL_ACTIVE, s.fleet.active, 'monitor');
  }
  const range = v?.database?.range;
  return {
    id: 'db_connections',
    title: 'Database connections (count)',
    short: 'DB connections',
    unit: 'connections',
    scale: { type: 'linear' },
    rows: r.rows,
    rules: range
      ? mergeRules([
          { value: range.min, label: `verify range min ${range.min}`, level: 'range' },
          { value: range.max, label: `verify range max ${range.max}`, level: 'range' },
        ])
      : [],
    series: [DB_BACKENDS, POOL_OPEN, POOL_ACTIVE],
  };
}

function acquireWait(ev: RunEvidence): ChartDef {
  const r = new Rows();
  const S = 'acquire wait p95 (worst instance)';
  if (ev.snapshot)
    r.add(
      at(ev.snapshot.timestamp),
      S,
      maxOf(ev.snapshot.instances.map((i) => i.summary?.acquire_wait_p95_ms)),
      'snapshot',
    );
  if (ev.verify)
    r.add(
      at(ev.verify.run.finished_at),
      S,
      maxOf(ev.verify.instances.map((i) => i.sample.pool?.acquire_wait_p95_ms)),
      'verify',
    );
  r.span(ev, S, maxOf((ev.loadtest?.pool.instances ?? []).map((i) => i.acquire_wait_p95_max_ms)));
  for (const s of ev.samples) r.add(at(s.at), S, s.fleet.acquire_wait_p95_ms, 'monitor');
  return {
    id: 'acquire_wait',
    title: 'Connection acquire wait p95 (ms, worst instance)',
    short: 'Acquire wait p95 (ms)',
    unit: 'ms',
    scale: { type: 'symlog', constant: 0.1 },
    rows: r.rows,
    rules: mergeRules([
      successRule(RUNBOOK_SUCCESS.acquire_wait_p95_ms, 'ms'),
      ...monitorRules(ev, 'acquire_wait_p95_ms', 1, 'ms'),
    ]),
    series: [S],
  };
}

/** The five charts of the report, in the order the runbook's dashboard lists its metrics. */
export function buildCharts(ev: RunEvidence): ChartDef[] {
  return [latency(ev), errorRate(ev), poolUtilization(ev), dbConnections(ev), acquireWait(ev)];
}

/** The same chart as it looked at `until` (a dashboard snapshot): the points measured by then. */
export function cutChart(chart: ChartDef, until: number): ChartDef {
  return { ...chart, rows: chart.rows.filter((r) => r.t <= until) };
}
