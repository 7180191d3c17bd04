import { table } from './output';
import { messageOf, shownVerdict, worstOf, type ItemVerdict, type Verdict } from './verdict';
import type { Item } from '../types/evidence-common';

/**
 * A checklist: one row per item (what, measured value, threshold, verdict), the verdict of the whole, and the
 * exit code it maps to (scripts/lib/verdict.ts: FAIL beats COULD_NOT_MEASURE beats PASS; WARN is shown but never
 * fails).
 */
export type { Item };

export const verdictOf = (items: Item[]): Verdict => worstOf(items.map((i) => i.verdict));

/** The checklist's verdict in one line (the `message` of its JSON), each item with why when it says why. */
export const checklistMessage = (verdict: Verdict, items: Item[]): string =>
  messageOf(
    verdict,
    items.map((i) => ({
      label: i.item,
      shown: `${i.measured} (threshold ${i.threshold})${i.detail ? `: ${i.detail}` : ''}`,
      verdict: i.verdict,
    })),
  );

/** A latency item with no request in the service's window: shown, not judged. */
export const noLatencyWindow = <T extends Omit<Item, 'verdict' | 'measured' | 'value'>>(
  base: T,
  why: string,
): Item => ({
  ...base,
  verdict: 'WARN',
  measured: 'no requests',
  value: null,
  detail: `no requests in the service's latency window: ${why}`,
});

/** `value < limit` passes (the runbook's "<"): exactly at the limit fails. */
export function below(value: number, limit: number): ItemVerdict {
  return value < limit ? 'PASS' : 'FAIL';
}

/** `value <= limit` passes: for limits written as "at most". */
export function atMost(value: number, limit: number): ItemVerdict {
  return value <= limit ? 'PASS' : 'FAIL';
}

export function passed(id: string, item: string, measured: string, threshold: string): Item {
  return { id, item, verdict: 'PASS', measured, value: null, threshold };
}

export function unknown(id: string, item: string, threshold: string, why: string): Item {
  return {
    id,
    item,
    verdict: 'COULD_NOT_MEASURE',
    measured: shownVerdict('COULD_NOT_MEASURE'),
    value: null,
    threshold,
    detail: why,
  };
}

export const pct = (x: number): string => `${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 4 : 2)} %`;
export const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** Aligned rows, details indented under their item, for a person. */
export function renderItems(items: Item[]): string {
  const rows = [
    ['ITEM', 'MEASURED', 'THRESHOLD', 'VERDICT'],
    ...items.map((i) => [i.item, i.measured, i.threshold, shownVerdict(i.verdict)]),
  ];
  const lines = table(rows).split('\n');
  const out: string[] = [lines[0]!];
  items.forEach((it, n) => {
    out.push(lines[n + 1]!);
    if (it.detail && it.verdict !== 'PASS') out.push(`    ↳ ${it.detail}`);
  });
  return out.join('\n');
}
