/* Generated from schemas/rollout-event.schema.json by scripts/dev/gen-types.ts. Do not edit: change the schema. */

import type { Severity, Trigger } from './evidence-common';
import type { PoolConfig } from './pool-config';

/**
 * This interface was referenced by `RolloutEvent`'s JSON-Schema
 * via the `definition` "pool_or_null".
 */
export type PoolOrNull = PoolConfig | null;
/**
 * A count as Ansible's templating hands it over (a number, or its text; 'unknown' when not read).
 *
 * This interface was referenced by `RolloutEvent`'s JSON-Schema
 * via the `definition` "number_text".
 */
export type NumberText = number | string;

/**
 * One line of a run's events.jsonl, written by the Ansible rollout (poolgate.rollout.event and poolgate.rollout.pool_config, plugin_utils/events.py): when, on which host, what happened, and the facts of that step. Every field any step writes is named here: a step that records a new fact adds it to this schema (scripts/lib/run-evidence reads every line through it).
 */
export interface RolloutEvent {
  /**
   * When the step started (UTC).
   */
  at: string;
  /**
   * The host the event is about (localhost for run-level events).
   */
  host: string;
  /**
   * What happened: run_started, plan_checked, noop_already_at_target, passed, refused, backed_up, rendered, applying, verified (and would_back_up, would_render in check mode), lb_drain, lb_enabled, rollback_started, lb_restore_failed, rollback_verified, rollback_incomplete, change_located, retry_after_rollback, rollback_not_watched, revert_prepared, revert_not_prepared, after_rollback_failed, changed, checked, noop.
   */
  action: string;
  /**
   * Run-level events only.
   */
  phase?: 'prepare' | 'preflight' | 'rollback' | 'done';
  /**
   * run_started: a change run or a manual rollback.
   */
  kind?: 'change' | 'rollback';
  run_id?: string;
  operator?: string;
  git_commit?: string;
  git_dirty?: boolean;
  inventory?: string[];
  check_mode?: boolean;
  apply_method?: 'sighup' | 'restart';
  /**
   * run_started: which pass of which ramp (`poolgate ramp`); empty outside a ramp.
   */
  ramp?: {
    id?: string;
    pass?: number;
    of?: number;
    levels?: number[];
  };
  reason?: string;
  error?: string;
  trigger?: Trigger;
  severity?: Severity;
  /**
   * backed_up: the backup file; rendered: the config file.
   */
  path?: string;
  /**
   * Of the file written (empty in check mode).
   */
  sha256?: string;
  /**
   * backed_up: the config in force when it was backed up.
   */
  config_sha256?: string;
  /**
   * backed_up: false when this run's backup already existed (a resumed run).
   */
  created?: boolean;
  pool?: PoolOrNull;
  method?: 'sighup' | 'restart';
  generation_before?: NumberText;
  generation?: NumberText;
  /**
   * lb_*: the server's status at HAProxy afterwards (UP, DRAIN, MAINT, ...).
   */
  status?: string;
  sessions?: NumberText;
  in_force?: PoolsByHost;
  restored?: string[];
  /**
   * rollback_verified: hosts that did not answer, so their config is unknown; taken out of traffic at HAProxy.
   */
  unknown?: string[];
  /**
   * change_located, revert_*: the commit of the inventory's repository that set pool_scaling_to (empty: not found).
   */
  change_commit?: string;
  /**
   * change_located: the inventory file that sets pool_scaling_to, relative to its repository.
   */
  file?: string;
  /**
   * change_located: why no commit was found (empty when one was).
   */
  why?: string;
  /**
   * retry_after_rollback: the rolled-back run this run retries.
   */
  retry_of?: string;
  /**
   * revert_prepared: the branch holding the revert (poolgate/revert-<run-id>), never pushed.
   */
  branch?: string;
  /**
   * revert_prepared: the revert's commit.
   */
  commit?: string;
  /**
   * revert_prepared: the commands that publish the revert.
   */
  publish?: string[];
}
/**
 * Instance name → the pool config it runs (null: it did not answer).
 *
 * This interface was referenced by `RolloutEvent`'s JSON-Schema
 * via the `definition` "pools_by_host".
 */
export interface PoolsByHost {
  [k: string]: PoolOrNull;
}
