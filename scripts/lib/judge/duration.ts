import { InputError } from '../errors';

const UNIT_S: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * "500ms", "5s", "5m", "1h" or a bare number of seconds → seconds. Monitoring windows are data (the runbook's
 * "every 5 minutes for 60 minutes" in production, seconds in the lab), so both spellings are accepted.
 */
export function parseDuration(text: string | number, what = 'duration'): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new InputError(`${what} must be a non-negative number of seconds, got ${text}`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) throw new InputError(`${what} "${text}" is not a duration: use e.g. 500ms, 5s, 5m, 1h`);
  return Number(m[1]) * UNIT_S[m[2] ?? 's']!;
}

/** 3600 → "60m", 90 → "90s", 5400 → "90m": how a person writes a window. */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${Number(seconds.toFixed(3))}s`;
}
