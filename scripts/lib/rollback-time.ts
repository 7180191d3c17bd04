import { formatDurationS } from './duration';
import { rollbackOutcome, rollbackReason } from './html-report/phases';
import { failedGate, rolloutEvents } from './incident-evidence';
import { newestValid, textLines } from './run-evidence';
import { withDefaults } from './schema-defaults';
import { notMeasured, verdictOfCheck } from './verdict';
import type { RollbackConfig } from '../types/rollback-config';
import type { RollbackTiming, VerificationReport } from '../types/report';
import type { RollbackWatchResult } from '../types/rollback-watch-result';

/**
 * The runbook's "Expected Rollback Time: 5-10 minutes", judged on a rolled-back run's evidence: from the trigger to
 * every host read back at the old values (the rollout's `rollback_verified` event), against `rollback.max_s`.
 *
 * The trigger is the moment the run learnt it must roll back: the failed gate's own verdict time (a monitor trigger,
 * a failed verify, analysis or report) when it came before the rollback started, else the rollback's start (a
 * failed rollout step: the rescue records `rollback_started` as its first act); for a manual rollback
 * (`rollback.yml`), the operator's decision, the run's start. A rollback that never read back is COULD_NOT_MEASURE.
 */
export type { RollbackTiming };

const ms = (iso: string): number => Date.parse(iso);

/** The newest report that decided ROLLBACK, as a gate: its time. */
function reportGate(dir: string): { at: string; what: string } | null {
  // no report: another gate, or a step, triggered the rollback
  const r = newestValid<VerificationReport>(dir, 'report')?.value;
  return r?.decision === 'ROLLBACK'
    ? { at: r.generated_at, what: `the verification report decided ROLLBACK (${r.markdown_file})` }
    : null;
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
    verdict: verdictOfCheck(seconds === null ? null : seconds <= maxS),
  };
}

/** "2m 14s from the trigger (…) to every host read back (…) — bound 10m, …: PASS". */
export function rollbackTimingText(t: RollbackTiming): string {
  const bound = `bound ${formatDurationS(t.max_s)}, runbook "Expected Rollback Time: 5-10 minutes"`;
  if (t.seconds === null)
    return `${notMeasured(`no host read back after the trigger at ${t.trigger_at} (${t.trigger})`)}; ${bound}`;
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
  const log = textLines(dir, 'rollback_log');
  const ev = { events, rollbackLog: log.length ? log.join('\n') : null };
  const reason = rollbackReason(ev);
  const timing = rollbackTiming(dir, rollbackMaxS(plan));
  if (reason === null || timing === null) return null;
  const outcome = rollbackOutcome(ev);
  const w = newestValid<RollbackWatchResult>(dir, 'rollback_watch');
  const watch = w ? { file: w.file, verdict: w.value.verdict, message: w.value.message, checks: w.value.checks } : null;
  return { reason, outcome, timing, watch };
}
