import type { Item } from '../checklist';
import { PoolgateError } from '../errors';
import type { Advice } from '../../types/advice';
import { severityAtLeast, type Severity } from './parameters';

/**
 * The advice as one preflight checklist row. It is advice, not a gate: anything above "ok" shows as WARN (never a
 * silent PASS), and it FAILs only when the operator asked for that with a --fail-on level the advice reaches.
 * The capacity gate, not this row, is what blocks a change that does not fit the database.
 */
export function adviceAsChecklistItem(advice: Advice, failOn?: Severity): Item {
  const r = advice.recommended;
  const failed = failOn !== undefined && severityAtLeast(advice.severity, failOn);
  const verdict = failed ? 'FAIL' : advice.severity === 'ok' ? 'PASS' : 'WARN';
  const basis =
    r.basis === 'measured'
      ? `lambda ${advice.fleet.arrival_rate_per_s.toFixed(1)}/s x W ${(advice.fleet.mean_hold_ms ?? 0).toFixed(2)} ms`
      : 'no traffic: current values';
  const planned = advice.planned ? `; planned ${advice.planned.max}` : '';
  const d = advice.database;
  const limits = [
    advice.planned ? `planned <= ${advice.parameters.far_above_ratio}x recommended` : null,
    d.concurrency_budget !== null ? `sum of pools <= budget ${d.concurrency_budget}` : null,
    d.usable_slots !== null ? `fits ${d.usable_slots} usable slots` : null,
  ].filter((s): s is string => s !== null);
  const notable = advice.findings.filter((f) => f.severity !== 'ok');
  return {
    id: 'pool-size-advice',
    item: 'Pool size fits the measured workload (poolgate advise)',
    verdict,
    measured: `recommended max ${r.max} / min ${r.min} (${basis})${planned}`,
    value: r.max,
    threshold: limits.length > 0 ? limits.join('; ') : 'advice only',
    detail:
      (notable.length > 0 ? notable : advice.findings)
        .map((f) => `${f.severity.toUpperCase()} ${f.code}: ${f.message}`)
        .join(' | ') ||
      advice.explanation.at(-1) ||
      '',
  };
}

/**
 * For preflight: run the advice and always get a row back. Advice that cannot be computed (a target not
 * sampled, the database unreachable, a bad flag) is a WARN saying why: the advice is never a hard block, and the
 * checklist's own rows already report what could not be measured.
 */
export async function adviceChecklistItem(
  run: () => Promise<Advice>,
  failOn?: Severity,
): Promise<{ item: Item; advice: Advice | null }> {
  try {
    const advice = await run();
    return { item: adviceAsChecklistItem(advice, failOn), advice };
  } catch (err) {
    if (!(err instanceof PoolgateError)) throw err;
    return {
      advice: null,
      item: {
        id: 'pool-size-advice',
        item: 'Pool size fits the measured workload (poolgate advise)',
        verdict: 'WARN',
        measured: 'no advice',
        value: null,
        threshold: 'advice only',
        detail: `could not advise (${err.code}): ${err.message}`,
      },
    };
  }
}
