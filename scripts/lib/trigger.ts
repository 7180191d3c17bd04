import type { Severity, Stop } from '../types/evidence-common';
import type { Verdict } from './verdict';

export type { Severity, Stop };

/**
 * The triggers that stop a change, and their severity (runbook "Incident response": ASSESS P0/P1/P2). A failed
 * gate carries its trigger as data (`stop` in its JSON, `trigger` in an Ansible result) into the rollback and the
 * incident; nothing is inferred from a task's name.
 *
 * P0: a declared P0 incident, or a rollback that did not complete (the fleet runs a config nobody verified).
 * P1: customer impact while it fires (errors, latency, thrashing, DB CPU), a failed post-change gate, or an
 * instance failing its health check after its change.
 * P2: anything else — a monitoring outage, a could-not-measure, a step that failed before traffic saw the change.
 */
export const TRIGGER_SEVERITY = {
  p0_incident: 'P0',
  rollback_incomplete: 'P0',
  error_rate_sustained: 'P1',
  p95_latency_sustained: 'P1',
  connection_thrashing: 'P1',
  db_connection_thrashing: 'P1',
  db_cpu_sustained: 'P1',
  verify_failed: 'P1',
  loadtest_failed: 'P1',
  health_check_failed: 'P1',
  report_failed: 'P1',
  preflight_failed: 'P2',
  preflight_could_not_measure: 'P2',
  verify_could_not_measure: 'P2',
  loadtest_could_not_measure: 'P2',
  apply_failed: 'P2',
  config_not_in_force: 'P2',
  lb_switch_failed: 'P2',
  monitor_could_not_measure: 'P2',
  report_could_not_measure: 'P2',
  manual_rollback: 'P2',
  rollout_step_failed: 'P2',
} as const satisfies Record<string, Severity>;

export type KnownTrigger = keyof typeof TRIGGER_SEVERITY;

/** A trigger nobody named (a step that failed without saying what it stands for). */
export const UNNAMED_TRIGGER: KnownTrigger = 'rollout_step_failed';

/** The severity of a trigger: its own when known, P2 for any other (a configured monitor trigger's custom name). */
export function severityFor(trigger: string): Severity {
  return (TRIGGER_SEVERITY as Record<string, Severity>)[trigger] ?? 'P2';
}

/** The `stop` a failed gate's JSON carries. */
export const stopFor = (trigger: string): Stop => ({ name: trigger, severity: severityFor(trigger) });

/** The gates whose failure stops a change: each names its trigger `<gate>_failed` or `<gate>_could_not_measure`. */
export type Gate = 'preflight' | 'verify' | 'loadtest' | 'monitor' | 'report';

/** What a gate's JSON carries beside its verdict: `{ stop }` unless it passed. */
export function gateStop(gate: Gate, verdict: Verdict): { stop?: Stop } {
  if (verdict === 'PASS') return {};
  return { stop: stopFor(`${gate}_${verdict === 'FAIL' ? 'failed' : 'could_not_measure'}`) };
}

/**
 * An incident's severity once the watch after its rollback judged the return to baseline (runbook rollback step 4):
 * a fleet not back at its baseline still hurts, so at least P1.
 */
export function severityAfterWatch(assessed: Severity, watch: Verdict | null): Severity {
  return watch === 'FAIL' && assessed === 'P2' ? 'P1' : assessed;
}
