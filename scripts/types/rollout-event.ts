/* Generated from schemas/rollout-event.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

/**
 * One line of a run's events.jsonl, written by the Ansible rollout: when, on which host, what happened (backed_up, rendered, applying, verified, lb_drain, lb_enabled, rollback_started, ...) and the facts of that step.
 */
export interface RolloutEvent {
  at: string;
  /**
   * The host the event is about (localhost for run-level events).
   */
  host: string;
  action: string;
  /**
   * prepare, preflight, rollback, done (host-level events omit it).
   */
  phase?: string;
  run_id?: string;
  operator?: string;
  git_commit?: string;
  git_dirty?: boolean;
  reason?: string;
  sha256?: string;
}
