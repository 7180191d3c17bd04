import fs from 'node:fs';
import path from 'node:path';
import { rollbackOutcome, rollbackReason } from './html-report/phases';
import { failedGate, rolloutEvents } from './incident-evidence';
import { formatDuration } from './judge/duration';
import { newestWatch } from './rollback-watch-file';
import { isValid } from './schema';
import { withDefaults } from './schema-defaults';
import type { RollbackConfig } from '../types/rollback-config';
import type { RollbackTiming, VerificationReport } from '../types/report';

/**
 * The runbook's "Expected Rollback Time: 5-10 minutes", judged on a rolled-back run's evidence: from the trigger to
 * every host read back at the old values (the rollout's `rollback_verified` event), against `rollback.max_s`.
 *
 * The trigger is the moment the run learnt it must roll back: the failed gate's own verdict time (a monitor trigger,
 * a failed verify, analysis or report) when it came before the rollback started, else the rollback's start (a
 * failed rollout step: the rescue records `rollback_started` as its first act); for a manual rollback
 * (`rollback.yml`), the operator's decision, the run's start. A rollback that never read back is NOT MEASURED.
 */
export type { RollbackTiming };

const ms = (iso: string): number => Date.parse(iso);

/** The newest report that decided ROLLBACK, as a gate: its time. */
function reportGate(dir: string): { at: string; what: string } | null {
  try {
    const r: unknown = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    if (isValid<VerificationReport>('report', r) && r.decision === 'ROLLBACK')
      return { at: r.generated_at, what: `the verification report decided ROLLBACK (${r.markdown_file})` };
  } catch {
    // no report: another gate, or a step, triggered the rollback
  }
  return null;
}

export function rollbackTiming(dir: string, maxS: number): RollbackTiming | null {
  const events = rolloutEvents(dir);
  const started = events.find((e) => e.action === 'rollback_started');
  if (!started) return null;
  const run = events.find((e) => e.action === 'run_started');
  const verified = [...events].reverse().find((e) => e.action === 'rollback_verified');
  let trigger = { at: started.at, what: 'the rollback started (a failed rollout step)' };
  if (run && (run as { kind?: unknown }).kind === 'rollback') {
    trigger = { at: run.at, what: 'the manual rollback was started (rollback.yml)' };
  } else {
    const gate = failedGate(dir);
    const gates = [
      ...(gate ? [{ at: gate.at, what: `${gate.gate} failed (${gate.file})` }] : []),
      ...(reportGate(dir) ? [reportGate(dir)!] : []),
    ].filter((g) => ms(g.at) <= ms(started.at) && (!run || ms(g.at) >= ms(run.at)));
    const latest = gates.sort((a, b) => ms(b.at) - ms(a.at))[0];
    if (latest) trigger = latest;
  }
  const seconds = verified ? Math.max(0, (ms(verified.at) - ms(trigger.at)) / 1000) : null;
  return {
    trigger_at: trigger.at,
    trigger: trigger.what,
    read_back_at: verified?.at ?? null,
    seconds,
    max_s: maxS,
    verdict: seconds === null ? 'NOT MEASURED' : seconds <= maxS ? 'PASS' : 'FAIL',
  };
}

/** "2m 14s from the trigger (…) to every host read back (…) — bound 10m, …: PASS". */
export function rollbackTimingText(t: RollbackTiming): string {
  const bound = `bound ${formatDuration(t.max_s)}, runbook "Expected Rollback Time: 5-10 minutes"`;
  if (t.seconds === null)
    return `NOT MEASURED: no host read back after the trigger at ${t.trigger_at} (${t.trigger}); ${bound}`;
  const whole = Math.round(t.seconds);
  const took = whole >= 60 ? `${Math.floor(whole / 60)}m ${whole % 60}s` : `${t.seconds.toFixed(1)}s`;
  return `${took} from the trigger (${t.trigger}, ${t.trigger_at}) to every host read back (${t.read_back_at}) — ${bound}: ${t.verdict}`;
}

/** The plan's bound (rollback.max_s), the runbook's 10 minutes by default. */
export function rollbackMaxS(plan: { rollback?: { max_s?: number } } | null): number {
  return withDefaults<RollbackConfig>('rollback-config', plan?.rollback ?? {}).max_s!;
}

/** What a report says of the run's rollback: why, how it ended, how long it took, the watch after it (null: none). */
export function rollbackSection(
  dir: string,
  plan: { rollback?: { max_s?: number } } | null,
): NonNullable<VerificationReport['rollback']> | null {
  const events = rolloutEvents(dir);
  const logFile = path.join(dir, 'rollback_log.txt');
  const ev = { events, rollbackLog: fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : null };
  const reason = rollbackReason(ev);
  const outcome = rollbackOutcome(ev);
  const timing = rollbackTiming(dir, rollbackMaxS(plan));
  if (reason === null || outcome === null || timing === null) return null;
  const w = newestWatch(dir);
  const watch = w
    ? { file: w.file, verdict: w.result.verdict, message: w.result.message, checks: w.result.checks }
    : null;
  return { reason, outcome, timing, watch };
}
