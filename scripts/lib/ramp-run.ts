import fs from 'node:fs';
import path from 'node:path';
import type { EvidenceDir } from './evidence';
import { evidenceFile, readEvents, type RolloutEvent } from './run-evidence';
import { rampLevels, rampPasses, type RampPass } from './ramp-passes';
import type { PoolChange } from '../types/pool-change';
import type { PoolConfig } from '../types/pool-config';
import type { RampSummary } from '../types/ramp-summary';

/**
 * Drives a ramped change: one full rollout (pool-scaling.yml) per pass, in order, stopping at the first pass
 * that does not end with the fleet on its level. Each pass is an ordinary run with its own run id and evidence
 * folder — its preflight judges capacity for that pass, its backups hold the level the fleet ran, so the
 * playbook's own automatic rollback lands on the last good step. ramp_summary.json is rewritten after every
 * pass, so an interrupted ramp still says how far it got.
 */
export type PassOutcome = RampSummary['passes'][number]['outcome'];

export interface PassRun {
  code: number;
  output: string;
}

/** Runs one pass: the playbook with these extra vars (the pass's levels win over everything else). */
export type PassRunner = (pass: RampPass, runId: string, rampVars: Record<string, unknown>) => Promise<PassRun>;

export interface RampOptions {
  rampId: string;
  inventory: string;
  change: PoolChange;
  /** Where the playbook writes each run's folder (<root>/<run-id>), when its output does not say. */
  evidenceRoot: string;
  out: EvidenceDir;
  runPass: PassRunner;
  now?: () => Date;
}

export const SUMMARY_FILE = evidenceFile('ramp_summary');

/** The run's evidence folder: the path the playbook printed (it ends in the run id), else <root>/<run-id>. */
export function evidenceDirOf(output: string, runId: string, root: string): string | null {
  const escaped = runId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const printed = new RegExp(`(/[^\\s"'\\\\]*/${escaped})(?=[/\\s"'\\\\]|$)`).exec(output);
  if (printed) return path.resolve(printed[1]!);
  const guess = path.join(root, runId);
  return fs.existsSync(guess) ? guess : null;
}

/** How a pass ended, from its exit code, its output and its own events (a rollback records its end). */
export function outcomeOf(run: PassRun, events: RolloutEvent[]): PassOutcome {
  if (run.code === 0) return /Already at target, nothing to change/.test(run.output) ? 'already_at_target' : 'changed';
  const actions = new Set(events.map((e) => e.action));
  if (actions.has('rollback_incomplete')) return 'rollback_incomplete';
  if (actions.has('rollback_verified')) return 'rolled_back';
  // a host was touched and no rollback read the fleet back: nobody knows what runs where
  if (actions.has('rollback_started') || actions.has('backed_up') || actions.has('applying'))
    return 'rollback_incomplete';
  return 'stopped_before_change';
}

/** Why the pass failed: the rollback's recorded reason, else the last failed task's message. */
export function reasonOf(output: string, events: RolloutEvent[]): string {
  const started = [...events].reverse().find((e) => e.action === 'rollback_started' && e.reason !== undefined);
  if (started) return started.reason!.trim();
  const msgs = [...output.matchAll(/fatal: \[[^\]]+\]: FAILED! => .*?"msg": "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!);
  const last = msgs[msgs.length - 1];
  const stopped = /poolgate ramp: the playbook was stopped by (\w+)/.exec(output);
  if (stopped) return `the playbook was stopped by ${stopped[1]} (interrupted, not judged)`;
  if (last) return last.replace(/\\n/g, ' ').replace(/\\"/g, '"').replace(/\s+/g, ' ').trim().slice(0, 600);
  return 'the playbook failed without a message (see its output)';
}

const describe = (c: PoolConfig): string => `max ${c.max} / min ${c.min}`;

export async function runRamp(o: RampOptions): Promise<RampSummary> {
  const now = o.now ?? (() => new Date());
  const passes = rampPasses(o.change);
  const levels = rampLevels(o.change);
  const summary: RampSummary = {
    ramp_id: o.rampId,
    inventory: o.inventory,
    levels: levels as RampSummary['levels'],
    passes: passes.map((p) => ({
      pass: p.pass,
      of: p.of,
      from: p.from,
      to: p.to,
      run_id: `${o.rampId}-pass${p.pass}`,
      outcome: 'not_run' as const,
    })),
    verdict: null,
    failed_pass: null,
    fleet_at: o.change.from,
    message: `ramp ${levels.join(' → ')} started`,
  };
  const write = (): void => void o.out.writeJson(SUMMARY_FILE, 'ramp-summary', summary);
  write();
  for (const p of passes) {
    const entry = summary.passes[p.pass - 1]!;
    entry.started_at = now().toISOString();
    write();
    const rampVars = {
      pool_scaling_from: p.from,
      pool_scaling_to: p.to,
      // the pass is itself a plain change: its plan carries no steps, its capacity gate judges this pass
      pool_scaling_steps: [],
      pool_scaling_run_id: entry.run_id,
      pool_scaling_ramp: { id: o.rampId, pass: p.pass, of: p.of, levels },
    };
    const run = await o.runPass(p, entry.run_id, rampVars);
    const dir = evidenceDirOf(run.output, entry.run_id, o.evidenceRoot);
    const events = dir ? readEvents(dir).values : [];
    entry.evidence_dir = dir;
    entry.exit_code = run.code;
    entry.ended_at = now().toISOString();
    entry.outcome = outcomeOf(run, events);
    if (entry.outcome === 'changed' || entry.outcome === 'already_at_target') {
      summary.fleet_at = p.to;
      summary.message = `pass ${p.pass}/${p.of} ${entry.outcome === 'changed' ? 'passed' : 'found the fleet already there'}: every instance runs ${describe(p.to)}`;
      write();
      continue;
    }
    entry.reason = reasonOf(run.output, events);
    summary.verdict = 'FAIL';
    summary.failed_pass = p.pass;
    const where = `pass ${p.pass}/${p.of} (max ${p.from.max} → ${p.to.max}) failed: ${entry.reason}.`;
    if (entry.outcome === 'rollback_incomplete') {
      summary.fleet_at = null;
      summary.message =
        `${where} ROLLBACK INCOMPLETE (P0): instances may run ${describe(p.from)} or ${describe(p.to)}. Evidence: ${dir ?? entry.run_id}. ` +
        `Once the cause is fixed: ansible-playbook -i ${o.inventory} playbooks/rollback.yml -e rollback_run_id=${entry.run_id} ` +
        `-e '${JSON.stringify({ pool_scaling_from: p.from })}' -e '{"rollback_reason": "..."}'`;
    } else {
      summary.fleet_at = p.from;
      const how =
        entry.outcome === 'rolled_back' ? 'rolled back to the last good step' : 'stopped before any host changed';
      summary.message =
        `${where} The fleet ${how}: every instance runs ${describe(p.from)}` +
        `${entry.outcome === 'rolled_back' ? ' (read back)' : ''}. Evidence: ${dir ?? entry.run_id}. ` +
        `Fix the cause and run the ramp again: passes already made find the fleet at their level and change nothing.`;
    }
    write();
    return summary;
  }
  summary.verdict = 'PASS';
  summary.message = `ramp ${levels.join(' → ')} passed in ${passes.length} pass${passes.length > 1 ? 'es' : ''}: every instance runs ${describe(o.change.to)}`;
  write();
  return summary;
}
