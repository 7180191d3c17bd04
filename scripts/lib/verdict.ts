import { ExitCode } from './errors';
import type { Decision, ItemVerdict, RollbackOutcome, Verdict } from '../types/evidence-common';

/**
 * The one vocabulary of judgements (schemas/evidence-common.schema.json#/$defs), used from each command's JSON to
 * the report, the HTML, the notifications and Ansible:
 *
 * - a **verdict** is what one check, criterion, gate or command found: PASS, FAIL, or COULD_NOT_MEASURE — never
 *   read as passed, never as failed (DESIGN.md's exit codes 0, 1, 3);
 * - an **item verdict** is a verdict, or WARN / SKIPPED, which are shown and never decide;
 * - a **decision** is what a run concludes from its verdicts, in the runbook's words: SUCCESS, ROLLBACK, or
 *   INCOMPLETE when something could not be measured (never SUCCESS);
 * - a **rollback outcome**: VERIFIED (every instance read back on the old config) or INCOMPLETE.
 */
export type { Decision, ItemVerdict, RollbackOutcome, Verdict };

/** Whether an item's verdict takes part in deciding (WARN and SKIPPED are shown only). */
export const decides = (v: ItemVerdict): v is Verdict => v === 'PASS' || v === 'FAIL' || v === 'COULD_NOT_MEASURE';

/** Of several: FAIL if any failed, else COULD_NOT_MEASURE if any could not be measured, else PASS. */
export function worstOf(verdicts: Iterable<ItemVerdict>): Verdict {
  let worst: Verdict = 'PASS';
  for (const v of verdicts) {
    if (v === 'FAIL') return 'FAIL';
    if (v === 'COULD_NOT_MEASURE') worst = v;
  }
  return worst;
}

/** A comparison's outcome as a verdict: true passes, false fails, null (no value) could not be measured. */
export const verdictOfCheck = (passed: boolean | null): Verdict =>
  passed === null ? 'COULD_NOT_MEASURE' : passed ? 'PASS' : 'FAIL';

export function exitCodeOfVerdict(v: Verdict): 0 | 1 | 3 {
  return v === 'FAIL' ? ExitCode.gateFailed : v === 'COULD_NOT_MEASURE' ? ExitCode.couldNotMeasure : ExitCode.passed;
}

/** A run's decision from the verdict of its criteria. */
export function decisionOf(v: Verdict): Decision {
  return v === 'FAIL' ? 'ROLLBACK' : v === 'COULD_NOT_MEASURE' ? 'INCOMPLETE' : 'SUCCESS';
}

/** How a verdict reads in a sentence or a table cell (the token itself, spaced for people). */
export const shownVerdict = (v: ItemVerdict): string => v.replace(/_/g, ' ');

/** A figure that could not be measured, as the report and the HTML show it. */
export const notMeasured = (why?: string): string => `${shownVerdict('COULD_NOT_MEASURE')}${why ? ` (${why})` : ''}`;

/** One judged line, whatever the command: what, what was seen, and its verdict. */
export interface Judged {
  label: string;
  shown: string;
  verdict: ItemVerdict;
}

/**
 * The verdict in one line, as each gate's JSON carries it in `message` (and `poolgate.rollout.command` shows it
 * when the gate stops the change): the verdict, then every item that failed, then every one not measured (on a
 * pass, the warnings).
 */
export function messageOf(verdict: Verdict, items: Judged[], passed = 'every item passed'): string {
  const of = (v: ItemVerdict): string[] => items.filter((i) => i.verdict === v).map((i) => `${i.label}: ${i.shown}`);
  if (verdict === 'PASS') {
    const warned = of('WARN');
    return `PASS: ${passed}${warned.length ? ` — warnings: ${warned.join('; ')}` : ''}`;
  }
  const parts = [...of('FAIL'), ...of('COULD_NOT_MEASURE').map((x) => `${shownVerdict('COULD_NOT_MEASURE')} ${x}`)];
  return `${verdict}: ${parts.join('; ') || 'no item says why'}`;
}

/** What a notification's headline says for an event, from the run's decision and its rollback's outcome. */
export function headlineOf(
  event: 'start' | 'gate_failed' | 'rollback' | 'success' | 'sealed',
  decision: Decision | null,
  rollback: RollbackOutcome | null,
): string {
  if (event === 'start') return 'STARTED';
  if (event === 'gate_failed') return 'GATE FAILED';
  if (event === 'sealed') return `SEALED${decision ? ` (${decision})` : ''}`;
  if (event === 'rollback')
    return rollback === 'INCOMPLETE' ? 'ROLLBACK INCOMPLETE' : rollback === 'VERIFIED' ? 'ROLLED BACK' : 'ROLLING BACK';
  // a success announced without a report proves nothing
  return decision ?? 'INCOMPLETE';
}
