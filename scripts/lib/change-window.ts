import { InputError } from './errors';

/**
 * The runbook's change window ("Low-traffic period (2-6 AM UTC)"), judged in UTC only: start is inclusive,
 * end exclusive (02:00:00 is in, 06:00:00 is out), and a window whose end is before its start wraps midnight
 * (22:00–02:00). Pure: the caller passes the clock.
 */
export interface WindowSpec {
  start: string;
  end: string;
}

export interface WindowJudgement {
  inside: boolean;
  /** "02:00–06:00 UTC" */
  window: string;
  /** The clock the judgement used, "HH:MM:SS UTC". */
  now: string;
  /** Minutes until the window next opens (0 when inside). */
  opens_in_min: number;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_S = 24 * 3600;

/** Seconds after 00:00 for "HH:MM"; an invalid time is bad input. */
export function secondsOfDay(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new InputError(`change window time "${hhmm}" must be HH:MM (00:00–23:59)`, 'E_WINDOW');
  return Number(m[1]) * 3600 + Number(m[2]) * 60;
}

export function judgeWindow(now: Date, spec: WindowSpec): WindowJudgement {
  const start = secondsOfDay(spec.start);
  const end = secondsOfDay(spec.end);
  if (start === end)
    throw new InputError(`change window ${spec.start}–${spec.end} is empty: start and end are equal`, 'E_WINDOW');
  const t = now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds() + now.getUTCMilliseconds() / 1000;
  const inside = start < end ? t >= start && t < end : t >= start || t < end;
  const opensIn = inside ? 0 : (start - t + DAY_S) % DAY_S;
  return {
    inside,
    window: `${spec.start}–${spec.end} UTC`,
    now: `${now.toISOString().slice(11, 19)} UTC`,
    opens_in_min: Math.ceil(opensIn / 60),
  };
}

/** Whether a run of `runLengthS` started `now` ends before the window closes, and the window's next openings. */
export interface WindowFit {
  /** The run's expected length and end. */
  run_length_s: number;
  ends_at: string;
  /** When the window the run starts in closes (null when it starts outside the window). */
  closes_at: string | null;
  /** The next time the window opens after now (tomorrow's when it is open now). */
  next_opens_at: string;
  /** The window's own length: a longer run fits no start. */
  window_s: number;
  fits: boolean;
}

export function judgeWindowFit(now: Date, spec: WindowSpec, runLengthS: number): WindowFit {
  const w = judgeWindow(now, spec);
  const start = secondsOfDay(spec.start);
  const end = secondsOfDay(spec.end);
  const t = now.getUTCHours() * 3600 + now.getUTCMinutes() * 60 + now.getUTCSeconds() + now.getUTCMilliseconds() / 1000;
  const at = (s: number): string => new Date(now.getTime() + s * 1000).toISOString();
  const untilClose = (end - t + DAY_S) % DAY_S;
  const untilOpen = (start - t + DAY_S) % DAY_S || DAY_S;
  return {
    run_length_s: runLengthS,
    ends_at: at(runLengthS),
    closes_at: w.inside ? at(untilClose) : null,
    next_opens_at: at(untilOpen),
    window_s: (end - start + DAY_S) % DAY_S,
    fits: w.inside && runLengthS <= untilClose,
  };
}
