import { readEvents, readEvidence, readLines, textLines, type RolloutEvent } from './run-evidence';
import { addresseesText } from './stakeholders';
import { notMeasured } from './verdict';
import type { RollbackWatchResult } from '../types/rollback-watch-result';
import type { AnalysisResult } from '../types/analysis-result';
import type { MonitorResult } from '../types/monitor-result';
import type { Notification } from '../types/notification';
import type { PreflightResult } from '../types/preflight-result';
import type { VerificationReport } from '../types/report';
import type { VerifyResult } from '../types/verify-result';

/**
 * What an incident reads from a run's evidence folder, each file through its schema (scripts/lib/run-evidence):
 * the rollout's own steps (events.jsonl), the gate that failed with its figures, the notifications sent. A line or
 * file that does not validate is left out rather than guessed at.
 */
export interface TimelineEvent {
  at: string;
  what: string;
}

export const rolloutEvents = (dir: string): RolloutEvent[] => readEvents(dir).values;
export const notifications = (dir: string): Notification[] => readLines<Notification>(dir, 'notifications').values;

type Pool = { min?: unknown; max?: unknown };
const pool = (p: unknown): string => {
  const x = (p ?? {}) as Pool;
  return typeof x.max === 'number' ? `max ${x.max} / min ${String(x.min)}` : 'unknown pool';
};
const inForce = (m: unknown): string => {
  const entries = Object.entries((m ?? {}) as Record<string, unknown>);
  const distinct = [...new Set(entries.map(([, p]) => pool(p)))];
  return distinct.length === 1
    ? `every instance runs ${distinct[0]}`
    : entries.map(([h, p]) => `${h} ${pool(p)}`).join(', ');
};

/** One rollout step in words. */
export function describeEvent(e: RolloutEvent): string {
  const x = e as RolloutEvent & Record<string, unknown>;
  const host = e.host === 'localhost' ? '' : `${e.host}: `;
  switch (e.action) {
    case 'run_started':
      return `run ${String(e.run_id ?? '')} started by ${String(e.operator ?? '?')} (commit ${String(e.git_commit ?? '?').slice(0, 12)}${e.git_dirty ? ', dirty tree' : ''}, ${String(x.apply_method ?? '?')})`;
    case 'backed_up':
      return `${host}config backed up (sha256 ${String(e.sha256 ?? '?').slice(0, 12)})`;
    case 'rendered':
      return `${host}new config written (${pool(x.pool)})`;
    case 'applying':
      return `${host}applying by ${String(x.method ?? '?')} (generation ${String(x.generation_before ?? '?')})`;
    case 'verified':
      return `${host}read back ${pool(x.pool)} in force (generation ${String(x.generation ?? '?')})`;
    case 'lb_drain':
      return `${host}drained at HAProxy (${String(x.status ?? '?')}, ${String(x.sessions ?? '?')} sessions)`;
    case 'lb_enabled':
      return `${host}enabled at HAProxy (${String(x.status ?? '?')})`;
    case 'rollback_started':
      return `ROLLBACK started: ${String(e.reason ?? 'no reason recorded')}`;
    case 'rollback_verified':
      return `ROLLBACK verified: restored ${((x.restored as string[] | undefined) ?? []).join(', ') || 'no host'}; ${inForce(x.in_force)}`;
    case 'rollback_incomplete':
      return `ROLLBACK INCOMPLETE: ${String(x.error ?? e.reason ?? 'unknown')}`;
    default:
      return `${host}${e.phase ? `${e.phase} ` : ''}${e.action}${e.reason ? `: ${e.reason}` : ''}`;
  }
}

export interface GateFigure {
  item: string;
  measured: string;
  threshold: string;
}

export interface FailedGate {
  gate: 'preflight' | 'verify' | 'analysis' | 'monitor' | 'report';
  file: string;
  at: string;
  /** The gate's own one-line verdict (its `message`). */
  message: string;
  figures: GateFigure[];
}

type GateDoc = PreflightResult | VerifyResult | AnalysisResult | MonitorResult | VerificationReport;
const bad = (v: string): boolean => v === 'FAIL' || v === 'COULD_NOT_MEASURE';

/** When a gate ended, and the figures of what it failed or could not measure. */
function figuresOf(gate: FailedGate['gate'], v: GateDoc): { at: string; figures: GateFigure[] } {
  if (gate === 'verify' || gate === 'preflight') {
    const r = v as VerifyResult | PreflightResult;
    const figures = r.items
      .filter((i) => bad(i.verdict))
      .map((i) => ({ item: i.item, measured: i.measured, threshold: String(i.threshold ?? '') }));
    return { at: r.run.finished_at, figures };
  }
  if (gate === 'analysis') {
    const a = v as AnalysisResult;
    const figures = a.results
      .filter((r) => bad(r.verdict))
      .map((r) => ({
        item: r.label,
        measured: r.value === null ? notMeasured(r.detail) : `${r.value} ${r.unit}`,
        threshold: `${r.comparison} ${r.threshold} ${r.unit}`,
      }));
    return { at: a.analyzed_at, figures };
  }
  if (gate === 'report') {
    const r = v as VerificationReport;
    const figures = [...r.criteria, ...r.sections]
      .filter((c) => bad(c.verdict))
      .map((c) => ({ item: c.label, measured: c.shown, threshold: 'threshold' in c ? c.threshold : 'measured' }));
    return { at: r.generated_at, figures };
  }
  const m = v as MonitorResult;
  const t = m.trigger;
  if (t)
    return {
      at: m.ended_at,
      figures: [
        {
          item: `${t.name} (${t.metric}, ${t.subject})`,
          measured: String(t.value ?? 'no value'),
          threshold: `> ${String(t.threshold)} sustained ${t.sustained_s} s (${t.run_samples} samples over ${t.run_span_s} s)`,
        },
      ],
    };
  if (m.verdict === 'COULD_NOT_MEASURE')
    return {
      at: m.ended_at,
      figures: [{ item: 'monitoring', measured: m.message, threshold: 'every sample measured' }],
    };
  return { at: m.ended_at, figures: [] };
}

const GATE_KINDS = {
  preflight: 'preflight',
  verify: 'verify',
  analysis: 'analysis',
  monitor: 'monitor',
  report: 'report',
} as const;

/** The gate that ended last (preflight, verify, analysis, monitor, report) with its failed items; null when it passed. */
export function failedGate(dir: string): FailedGate | null {
  let last: FailedGate | null = null;
  for (const gate of Object.keys(GATE_KINDS) as FailedGate['gate'][]) {
    const r = readEvidence<GateDoc>(dir, GATE_KINDS[gate]);
    if (r.status !== 'used') continue;
    const f = figuresOf(gate, r.value);
    if (!last || Date.parse(f.at) > Date.parse(last.at)) last = { gate, file: r.file, message: r.value.message, ...f };
  }
  return last && last.figures.length > 0 ? last : null;
}

export const figureText = (g: GateFigure): string => `${g.item}: measured ${g.measured} (threshold ${g.threshold})`;

export function describeNotification(n: Notification): string {
  const outcome = n.ok
    ? `delivered${n.status ? ` (HTTP ${n.status})` : ''}`
    : n.skipped
      ? 'not sent: no webhook configured'
      : `NOT delivered: ${n.error ?? 'unknown'}`;
  const to = n.for ? ` for ${addresseesText(n.for)}` : '';
  return `notified ${n.event}${to} via webhook ${n.target ?? '(none)'}: ${outcome}`;
}

/**
 * The timeline, ordered by time: the rollout's steps, monitoring's start and end, critical alerts, the failed
 * gate's figures, the notifications and earlier rollback-log lines. The newest 150 entries are kept.
 */
export function timelineFrom(dir: string): TimelineEvent[] {
  const out: TimelineEvent[] = rolloutEvents(dir).map((e) => ({ at: e.at, what: describeEvent(e) }));
  const monitor = readEvidence<MonitorResult>(dir, 'monitor');
  if (monitor.status === 'used') {
    const m = monitor.value;
    out.push({ at: m.started_at, what: `monitoring started (${m.config.duration_s}s, every ${m.config.interval_s}s)` });
    out.push({ at: m.ended_at, what: `monitoring ended: ${m.message}` });
  }
  const watch = readEvidence<RollbackWatchResult>(dir, 'rollback_watch');
  if (watch.status === 'used') {
    const w = watch.value;
    out.push({
      at: w.started_at,
      what: `post-rollback watch started (${w.config.duration_s}s, every ${w.config.interval_s}s)`,
    });
    out.push({ at: w.ended_at, what: `post-rollback watch ended: ${w.message}` });
  }
  for (const line of textLines(dir, 'alerts')) {
    const a = /^(\S+) CRITICAL\s+(.*)$/.exec(line);
    if (a) out.push({ at: a[1]!, what: `CRITICAL alert: ${a[2]}` });
  }
  const gate = failedGate(dir);
  if (gate)
    out.push({ at: gate.at, what: `${gate.gate} FAILED (${gate.file}): ${gate.figures.map(figureText).join('; ')}` });
  for (const n of notifications(dir)) out.push({ at: n.at, what: describeNotification(n) });
  for (const line of textLines(dir, 'rollback_log')) {
    const m = /^(\S+) (.*)$/.exec(line);
    if (m && !Number.isNaN(Date.parse(m[1]!))) out.push({ at: m[1]!, what: m[2]! });
  }
  const time = (e: TimelineEvent): number => Date.parse(e.at) || 0;
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => time(a.e) - time(b.e) || a.i - b.i)
    .map((x) => x.e)
    .slice(-150);
}

/** What the rollback did, each with its time: the steps from its start on, and its outcome. */
export function rollbackActions(dir: string): { actions: TimelineEvent[]; outcome: string | null } {
  const events = rolloutEvents(dir);
  const start = events.findIndex((e) => e.action === 'rollback_started');
  if (start < 0) return { actions: [], outcome: null };
  const actions = events.slice(start).map((e) => ({ at: e.at, what: describeEvent(e) }));
  const end = [...events].reverse().find((e) => e.action === 'rollback_verified' || e.action === 'rollback_incomplete');
  const outcome = !end
    ? 'not recorded: the rollback did not reach its read-back'
    : end.action === 'rollback_verified'
      ? `VERIFIED at ${end.at}: ${describeEvent(end).replace(/^ROLLBACK verified: /, '')}`
      : `INCOMPLETE at ${end.at}: ${describeEvent(end).replace(/^ROLLBACK INCOMPLETE: /, '')}`;
  return { actions, outcome };
}
