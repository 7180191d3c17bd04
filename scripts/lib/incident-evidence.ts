import fs from 'node:fs';
import path from 'node:path';
import { listEvidenceFiles } from './evidence';
import { isValid } from './schema';
import { notMeasured } from './verdict';
import type { AnalysisResult } from '../types/analysis-result';
import type { MonitorResult } from '../types/monitor-result';
import type { Notification } from '../types/notification';
import type { PreflightResult } from '../types/preflight-result';
import type { RolloutEvent } from '../types/rollout-event';
import type { VerifyResult } from '../types/verify-result';

/**
 * What an incident reads from a run's evidence folder, each file through its schema: the rollout's own steps
 * (events.jsonl), the gate that failed with its figures, the notifications sent. A line or file that does not
 * validate is left out rather than guessed at.
 */
export interface TimelineEvent {
  at: string;
  what: string;
}

const lines = (dir: string, file: string): string[] => {
  try {
    return fs
      .readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim());
  } catch {
    return [];
  }
};

function jsonLines<T>(dir: string, file: string, schema: string): T[] {
  const out: T[] = [];
  for (const line of lines(dir, file)) {
    try {
      const v: unknown = JSON.parse(line);
      if (isValid<T>(schema, v)) out.push(v);
    } catch {
      // a torn line (a run killed mid-write) is not evidence
    }
  }
  return out;
}

export const rolloutEvents = (dir: string): RolloutEvent[] =>
  jsonLines<RolloutEvent>(dir, 'events.jsonl', 'rollout-event');
export const notifications = (dir: string): Notification[] =>
  jsonLines<Notification>(dir, 'notifications.jsonl', 'notification');

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
  gate: 'preflight' | 'verify' | 'analysis' | 'monitor';
  file: string;
  at: string;
  figures: GateFigure[];
}

const GATE_FILE = /^(preflight|verify|analysis|monitor)_(\d{8}T\d{6}Z)\.json$/;

function figuresOf(gate: FailedGate['gate'], v: unknown): { at: string; figures: GateFigure[] } | null {
  if (
    (gate === 'verify' && isValid<VerifyResult>('verify-result', v)) ||
    (gate === 'preflight' && isValid<PreflightResult>('preflight-result', v))
  ) {
    const r = v as VerifyResult | PreflightResult;
    const figures = r.items
      .filter((i) => i.verdict === 'FAIL' || i.verdict === 'COULD_NOT_MEASURE')
      .map((i) => ({ item: i.item, measured: i.measured, threshold: String(i.threshold ?? '') }));
    return { at: r.run.finished_at, figures };
  }
  if (gate === 'analysis' && isValid<AnalysisResult>('analysis-result', v)) {
    const figures = v.results
      .filter((r) => r.verdict === 'FAIL' || r.verdict === 'COULD_NOT_MEASURE')
      .map((r) => ({
        item: r.label,
        measured: r.value === null ? notMeasured(r.detail) : `${r.value} ${r.unit}`,
        threshold: `${r.comparison} ${r.threshold} ${r.unit}`,
      }));
    return { at: v.analyzed_at, figures };
  }
  if (gate === 'monitor' && isValid<MonitorResult>('monitor-result', v)) {
    const t = v.trigger;
    if (t)
      return {
        at: v.ended_at,
        figures: [
          {
            item: `${t.name} (${t.metric}, ${t.subject})`,
            measured: String(t.value ?? 'no value'),
            threshold: `> ${String(t.threshold)} sustained ${t.sustained_s} s (${t.run_samples} samples over ${t.run_span_s} s)`,
          },
        ],
      };
    if (v.verdict === 'COULD_NOT_MEASURE')
      return {
        at: v.ended_at,
        figures: [{ item: 'monitoring', measured: v.message, threshold: 'every sample measured' }],
      };
    return { at: v.ended_at, figures: [] };
  }
  return null;
}

/** The newest gate result (preflight_, verify_, analysis_, monitor_) with its failed items; null when it passed. */
export function failedGate(dir: string): FailedGate | null {
  const newest = listEvidenceFiles(dir)
    .map((f) => ({ f, m: GATE_FILE.exec(f) }))
    .filter((x) => x.m)
    .sort((a, b) => a.m![2]!.localeCompare(b.m![2]!))
    .pop();
  if (!newest) return null;
  const gate = newest.m![1] as FailedGate['gate'];
  try {
    const r = figuresOf(gate, JSON.parse(fs.readFileSync(path.join(dir, newest.f), 'utf8')));
    return r && r.figures.length > 0 ? { gate, file: newest.f, ...r } : null;
  } catch {
    return null;
  }
}

export const figureText = (g: GateFigure): string => `${g.item}: measured ${g.measured} (threshold ${g.threshold})`;

export function describeNotification(n: Notification): string {
  const outcome = n.ok
    ? `delivered${n.status ? ` (HTTP ${n.status})` : ''}`
    : n.skipped
      ? 'not sent: no webhook configured'
      : `NOT delivered: ${n.error ?? 'unknown'}`;
  return `notified ${n.event} via webhook ${n.target ?? '(none)'}: ${outcome}`;
}

/**
 * The timeline, ordered by time: the rollout's steps, monitoring's start and end, critical alerts, the failed
 * gate's figures, the notifications and earlier rollback-log lines. The newest 150 entries are kept.
 */
export function timelineFrom(dir: string): TimelineEvent[] {
  const out: TimelineEvent[] = rolloutEvents(dir).map((e) => ({ at: e.at, what: describeEvent(e) }));
  for (const f of listEvidenceFiles(dir).filter((x) => /^monitor_\d{8}T\d{6}Z\.json$/.test(x))) {
    try {
      const m: unknown = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (isValid<MonitorResult>('monitor-result', m)) {
        out.push({
          at: m.started_at,
          what: `monitoring started (${m.config.duration_s}s, every ${m.config.interval_s}s)`,
        });
        out.push({ at: m.ended_at, what: `monitoring ended: ${m.message}` });
      }
    } catch {
      // an unreadable result has no place in the timeline
    }
  }
  for (const line of lines(dir, 'alerts.log')) {
    const m = /^(\S+) CRITICAL\s+(.*)$/.exec(line);
    if (m) out.push({ at: m[1]!, what: `CRITICAL alert: ${m[2]}` });
  }
  const gate = failedGate(dir);
  if (gate)
    out.push({ at: gate.at, what: `${gate.gate} FAILED (${gate.file}): ${gate.figures.map(figureText).join('; ')}` });
  for (const n of notifications(dir)) out.push({ at: n.at, what: describeNotification(n) });
  for (const line of lines(dir, 'rollback_log.txt')) {
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
      ? `verified at ${end.at}: ${describeEvent(end).replace(/^ROLLBACK verified: /, '')}`
      : `INCOMPLETE at ${end.at}: ${describeEvent(end).replace(/^ROLLBACK INCOMPLETE: /, '')}`;
  return { actions, outcome };
}
