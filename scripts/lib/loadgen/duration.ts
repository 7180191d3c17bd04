import { InputError } from '../errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * "500ms", "30s", "10m", "1h", "1m30s" → milliseconds. A bare number is refused rather than guessed
 * (is `--duration 10` ten seconds or ten minutes?): the runbook writes "10m", so units are required.
 */
export function parseDuration(text: string | number, what = 'duration'): number {
  const s = String(text).trim();
  if (!WHOLE.test(s)) {
    throw new InputError(`${what} "${s}" needs a unit, e.g. 500ms, 30s, 10m, 1h or 1m30s`, 'E_DURATION');
  }
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  if (!Number.isFinite(ms) || ms <= 0) throw new InputError(`${what} "${s}" must be longer than zero`, 'E_DURATION');
  return ms;
}

/** 600000 → "10m", 1500 → "1.5s": for human output. */
export function formatDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 60_000 === 0) return `${ms / 3_600_000}h`;
  if (ms >= 60_000 && ms % 1000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${+(ms / 1000).toFixed(3)}s`;
  return `${+ms.toFixed(3)}ms`;
}
