import fs from 'node:fs';
import path from 'node:path';
import { samePool } from './change-commit';
import { rolloutEvents } from './incident-evidence';
import { newestOf, newestValid } from './run-evidence';
import type { RollbackOutcome } from './verdict';
import type { Plan } from '../types/plan';
import type { RevertResult } from '../types/revert-result';

/**
 * What the runs before this one did to the same fleet, read from the evidence root (one folder per run). After a
 * rollback the inventory still declares the new values until someone reverts it: the next `pool-scaling.yml` would
 * make again the change the rollback just undid. So a run whose change (same from and to) is the one the last run
 * on this fleet rolled back is refused before any host is touched, naming that run and its reason, unless the
 * operator retries on purpose with a reason of their own (recorded).
 *
 * "The last run on this fleet": the newest run (by its run_started time) that touched a host (a backup, a render,
 * an apply, a read-back, or a rollback) and whose plan shares a target URL with ours. Refused, no-op, check-mode and
 * preflight-only runs touched nothing, so they never hide a rollback.
 */
export interface PastRun {
  run_id: string;
  dir: string;
  kind: string;
  started_at: string;
  rolled_back: RollbackOutcome | null;
  reason: string | null;
  change: Plan['change'] | null;
  revert: RevertResult | null;
}

const HOST_STEPS = new Set(['backed_up', 'rendered', 'applying', 'verified', 'rollback_started']);

/** The runs under `root` that touched a host of the fleet `targets` names, newest first (`except` left out). */
export function runsOnFleet(root: string, targets: Plan['targets'], except: string): PastRun[] {
  if (!fs.existsSync(root)) return [];
  const urls = new Set(targets.map((t) => t.url));
  const out: PastRun[] = [];
  for (const name of fs.readdirSync(root)) {
    const dir = path.join(root, name);
    if (name === except || !newestOf(dir, 'events')) continue;
    const events = rolloutEvents(dir);
    const started = events.find((e) => e.action === 'run_started');
    if (!started || String(started.run_id ?? name) === except) continue;
    if (!events.some((e) => HOST_STEPS.has(e.action) && (e.host !== 'localhost' || e.action === 'rollback_started')))
      continue;
    const plan = newestValid<Plan>(dir, 'plan')?.value;
    if (!plan || !plan.targets.some((t) => urls.has(t.url))) continue;
    const end = [...events]
      .reverse()
      .find((e) => e.action === 'rollback_verified' || e.action === 'rollback_incomplete');
    out.push({
      run_id: String(started.run_id ?? name),
      dir,
      kind: String((started as { kind?: unknown }).kind ?? 'change'),
      started_at: started.at,
      rolled_back: !end ? null : end.action === 'rollback_verified' ? 'VERIFIED' : 'INCOMPLETE',
      reason: events.find((e) => e.action === 'rollback_started')?.reason ?? null,
      change: plan.change,
      revert: newestValid<RevertResult>(dir, 'revert')?.value ?? null,
    });
  }
  return out.sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
}

export interface RepeatJudgement {
  refused: boolean;
  /** The last run on this fleet, when there is one. */
  last: Omit<PastRun, 'dir'> | null;
  /** The operator's own reason to make a rolled-back change again (recorded, never inferred). */
  retry: { of: string; reason: string } | null;
  message: string;
}

const changeText = (c: Plan['change']): string => `max ${c.from.max} → ${c.to.max}, min ${c.from.min} → ${c.to.min}`;

export function judgeRepeat(plan: Plan, root: string, runId: string, retryReason?: string): RepeatJudgement {
  const lastRun = runsOnFleet(root, plan.targets, runId)[0] ?? null;
  const last = lastRun ? (({ dir: _dir, ...rest }) => rest)(lastRun) : null;
  const same =
    lastRun?.change && samePool(lastRun.change.from, plan.change.from) && samePool(lastRun.change.to, plan.change.to);
  if (!lastRun || !lastRun.rolled_back || !same)
    return {
      refused: false,
      last,
      retry: null,
      message: !lastRun
        ? 'no earlier run touched this fleet'
        : `the last run on this fleet, ${lastRun.run_id}, ${lastRun.rolled_back ? `rolled back another change (${lastRun.change ? changeText(lastRun.change) : 'unknown'})` : 'was not rolled back'}`,
    };
  const what = `run ${lastRun.run_id} ${lastRun.rolled_back === 'VERIFIED' ? 'ROLLED BACK' : 'left a ROLLBACK INCOMPLETE after'} this same change (${changeText(plan.change)}): ${lastRun.reason ?? 'no reason recorded'}`;
  const reason = retryReason?.trim();
  if (reason)
    return {
      refused: false,
      last,
      retry: { of: lastRun.run_id, reason },
      message: `retried on purpose after ${what}; the operator's reason: ${reason}`,
    };
  const revert =
    lastRun.revert?.status === 'prepared'
      ? `merge the revert poolgate prepared (${lastRun.revert.publish.join(' or ')})`
      : "revert pool_scaling_to in the inventory (see the rolled-back run's revert.json)";
  return {
    refused: true,
    last,
    retry: null,
    message: `${what}. The inventory still declares the change the rollback undid: ${revert}, or make it again on purpose with -e pool_scaling_retry_reason="why it is safe now"`,
  };
}
