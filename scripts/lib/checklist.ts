import { ExitCode } from './errors';
import { table } from './output';

/**
 * A checklist: one row per item (what, measured value, threshold, verdict), the verdict of the whole, and the
 * exit code it maps to. FAIL beats UNKNOWN beats PASS; WARN is shown but never fails (DESIGN.md: "could not
 * measure" is never "passed" and never the same as "failed").
 */
export type Status = 'PASS' | 'FAIL' | 'WARN' | 'UNKNOWN';
export type Verdict = 'PASS' | 'FAIL' | 'UNKNOWN';

export interface Item {
  id: string;
  item: string;
  status: Status;
  measured: string;
  value?: number | null;
  threshold: string;
  detail?: string;
}

export function verdictOf(items: Item[]): Verdict {
  if (items.some((i) => i.status === 'FAIL')) return 'FAIL';
  if (items.some((i) => i.status === 'UNKNOWN')) return 'UNKNOWN';
  return 'PASS';
}

export function exitCodeOfVerdict(v: Verdict): 0 | 1 | 3 {
  return v === 'FAIL' ? ExitCode.gateFailed : v === 'UNKNOWN' ? ExitCode.couldNotMeasure : ExitCode.passed;
}

/** `value < limit` passes (the runbook's "<"): exactly at the limit fails. */
export function below(value: number, limit: number): Status {
  return value < limit ? 'PASS' : 'FAIL';
}

/** `value <= limit` passes: for limits written as "at most". */
export function atMost(value: number, limit: number): Status {
  return value <= limit ? 'PASS' : 'FAIL';
}

export function passed(id: string, item: string, measured: string, threshold: string): Item {
  return { id, item, status: 'PASS', measured, value: null, threshold };
}

export function unknown(id: string, item: string, threshold: string, why: string): Item {
  return { id, item, status: 'UNKNOWN', measured: 'could not measure', value: null, threshold, detail: why };
}

export const pct = (x: number): string => `${(x * 100).toFixed(x !== 0 && Math.abs(x) < 0.001 ? 4 : 2)} %`;
export const ms = (x: number): string => `${x.toFixed(1)} ms`;

/** Aligned rows, details indented under their item, for a person. */
export function renderItems(items: Item[]): string {
  const rows = [
    ['ITEM', 'MEASURED', 'THRESHOLD', 'STATUS'],
    ...items.map((i) => [i.item, i.measured, i.threshold, i.status]),
  ];
  const lines = table(rows).split('\n');
  const out: string[] = [lines[0]!];
  items.forEach((it, n) => {
    out.push(lines[n + 1]!);
    if (it.detail && it.status !== 'PASS') out.push(`    ↳ ${it.detail}`);
  });
  return out.join('\n');
}
