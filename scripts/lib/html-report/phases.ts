import type { RolloutEvent, RunEvidence } from './run-evidence';
import type { RollbackOutcome } from '../verdict';

export type PhaseId = 'baseline' | 'standby' | 'switch' | 'primary' | 'verify' | 'loadtest' | 'monitor' | 'rollback';

export interface Phase {
  id: PhaseId;
  label: string;
  start: number;
  end: number;
}

export const PHASE_LABELS: Record<PhaseId, string> = {
  baseline: 'baseline',
  standby: 'standby changed',
  switch: 'traffic switched',
  primary: 'primary changed',
  verify: 'verification',
  loadtest: 'load test',
  monitor: 'monitoring',
  rollback: 'rollback',
};

/** Fixed colours so a phase looks the same in the timeline and in every chart's bands. */
export const PHASE_COLORS: Record<PhaseId, string> = {
  baseline: '#9e9e9e',
  standby: '#8fb8de',
  switch: '#f2c14e',
  primary: '#5b8fc7',
  verify: '#7fc97f',
  loadtest: '#b39ddb',
  monitor: '#80cbc4',
  rollback: '#e57373',
};

const HOST_PHASES = new Set<PhaseId>(['standby', 'switch', 'primary']);

/** Events that show a host's pool config being changed (pool_config role). */
const CHANGE_ACTIONS = new Set(['backed_up', 'rendered', 'would_render', 'applying', 'verified']);

const ms = (iso: string | undefined | null): number | null => {
  if (!iso) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};

type Role = 'standby' | 'primary' | 'other';

function roleResolver(ev: RunEvidence): (host: string) => Role {
  const roles = new Map<string, string | undefined>((ev.plan?.targets ?? []).map((t) => [t.name, t.role]));
  return (host) => {
    const role = roles.get(host) ?? (/standby/i.test(host) ? 'standby' : /primary/i.test(host) ? 'primary' : undefined);
    return role === 'standby' || role === 'primary' ? role : 'other';
  };
}

const first = (events: RolloutEvent[], pred: (e: RolloutEvent) => boolean): number | null => {
  const e = events.find(pred);
  return e ? Date.parse(e.at) : null;
};
const last = (events: RolloutEvent[], pred: (e: RolloutEvent) => boolean): number | null => {
  const e = [...events].reverse().find(pred);
  return e ? Date.parse(e.at) : null;
};

/**
 * The run's phases on one time axis, from events.jsonl (the rollout's own record) and the measuring
 * commands' start/end stamps. Phases are sequential: each host phase ends where the next begins, every phase
 * before a rollback is cut at the rollback's start (events after it belong to the rollback), and the host
 * phase a rollback interrupted runs until the rollback starts.
 */
export function derivePhases(ev: RunEvidence): Phase[] {
  const roleOf = roleResolver(ev);
  const rollbackStart = first(ev.events, (e) => e.action === 'rollback_started');
  const before = rollbackStart === null ? ev.events : ev.events.filter((e) => Date.parse(e.at) < rollbackStart);
  const changes = (role: Role) => (e: RolloutEvent) => roleOf(e.host) === role && CHANGE_ACTIONS.has(e.action);

  const standbyStart = first(before, changes('standby'));
  const switchStart = first(before, (e) => e.action === 'lb_drain');
  const primaryStart = first(before, changes('primary'));
  const primaryEnd = last(
    before,
    (e) => roleOf(e.host) === 'primary' && (e.action === 'lb_enabled' || CHANGE_ACTIONS.has(e.action)),
  );
  const snapStart = ms(ev.snapshot?.run.started_at);
  const snapEnd = ms(ev.snapshot?.run.finished_at);
  const runStart = [ms(ev.events[0]?.at), snapStart].filter((x): x is number => x !== null);

  const raw: [PhaseId, number | null, number | null][] = [
    ['baseline', runStart.length ? Math.min(...runStart) : null, standbyStart ?? snapEnd],
    ['standby', standbyStart, switchStart ?? last(before, changes('standby'))],
    ['switch', switchStart, primaryStart ?? last(before, (e) => e.action === 'lb_drain')],
    ['primary', primaryStart, primaryEnd],
    ['verify', ms(ev.verify?.run.started_at), ms(ev.verify?.run.finished_at)],
    ['loadtest', ms(ev.loadtest?.started_at), ms(ev.loadtest?.finished_at)],
    ['monitor', ms(ev.monitor?.started_at), ms(ev.monitor?.ended_at)],
  ];
  const phases: Phase[] = [];
  for (const [id, start, end] of raw) {
    if (start === null || end === null) continue;
    const cut = rollbackStart === null ? end : Math.min(end, rollbackStart);
    if (cut >= start) phases.push({ id, label: PHASE_LABELS[id], start, end: cut });
  }
  if (rollbackStart !== null) {
    // A host phase the rollback interrupted lasted until the rollback began (its last event is only its last step).
    const interrupted = phases.reduce<Phase | undefined>((a, p) => (a && a.start > p.start ? a : p), undefined);
    if (interrupted && HOST_PHASES.has(interrupted.id)) interrupted.end = rollbackStart;
    const rollbackEnd =
      last(ev.events, (e) => e.action === 'rollback_verified' || e.action === 'rollback_incomplete') ??
      Date.parse(ev.events[ev.events.length - 1]!.at);
    phases.push({
      id: 'rollback',
      label: PHASE_LABELS.rollback,
      start: rollbackStart,
      end: Math.max(rollbackStart, rollbackEnd),
    });
  }
  return phases.sort((a, b) => a.start - b.start);
}

/** The rollback's reason as the rollout recorded it, or null when the run was not rolled back. */
export function rollbackReason(ev: Pick<RunEvidence, 'events' | 'rollbackLog'>): string | null {
  const started = ev.events.find((e) => e.action === 'rollback_started');
  if (started) return started.reason ?? 'rollback started (no reason recorded)';
  const line = ev.rollbackLog?.split('\n').find((l) => /Rollback reason:/.test(l));
  return line ? line.replace(/^.*Rollback reason:\s*/, '') : null;
}

/** How the rollback ended; null when there was none, or it has not ended (see rollbackReason). */
export function rollbackOutcome(ev: Pick<RunEvidence, 'events'>): RollbackOutcome | null {
  if (ev.events.some((e) => e.action === 'rollback_incomplete')) return 'INCOMPLETE';
  if (ev.events.some((e) => e.action === 'rollback_verified')) return 'VERIFIED';
  return null;
}
