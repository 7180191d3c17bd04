import { InputError } from './errors';

/**
 * The one rule for durations, wherever they are typed (flags, the plan, the inventory): the text always carries its
 * unit — "500ms", "30s", "10m", "1h", or a sum such as "1m30s". A bare number is refused rather than guessed (is
 * `--duration 10` ten seconds or ten minutes? the runbook writes "10m"). A configuration field that holds a plain
 * number names its unit instead (`duration_s`, `window_s`, `timeout_ms`).
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

export interface DurationRule {
  /** "0s" is a duration (a trigger that fires on the first breach); by default it must be longer than zero. */
  allowZero?: boolean;
}

/** A duration's text → milliseconds; bad input names `what` and the rule. */
export function parseDurationMs(text: string | number, what = 'duration', rule: DurationRule = {}): number {
  const s = String(text).trim();
  if (!WHOLE.test(s))
    throw new InputError(`${what} "${s}" needs a unit, e.g. 500ms, 30s, 10m, 1h or 1m30s`, 'E_DURATION');
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms) || ms < 0 || (ms === 0 && !rule.allowZero))
    throw new InputError(`${what} "${s}" must be longer than zero`, 'E_DURATION');
  return ms;
}

/** The same in seconds (the unit of the `_s` configuration fields). */
export const parseDurationS = (text: string | number, what = 'duration', rule: DurationRule = {}): number =>
  parseDurationMs(text, what, rule) / 1000;

/** How a person writes a duration: 600000 → "10m", 5400000 → "90m", 1500 → "1.5s", 250 → "250ms". */
export function formatDurationMs(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  return `${+ms.toFixed(3)}ms`;
}

export const formatDurationS = (seconds: number): string => formatDurationMs(seconds * 1000);
