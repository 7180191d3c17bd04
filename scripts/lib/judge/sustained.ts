/**
 * "Sustained for N minutes", defined precisely (the runbook gives only the phrase; Argo and Flagger count
 * failures instead, see notes/rollout-semantics.md):
 *
 * Take the series of one metric for one subject (an instance, or the fleet), oldest first. Each point is a
 * sample time and a value, or null when there is no value (could not measure, interval dropped for a counter
 * reset, no traffic, no source). A point BREACHES when its value is strictly greater than `above` (a value
 * exactly at the limit does not breach). The RUN is the longest suffix of the series in which every point
 * breaches. The trigger FIRES when
 *   - the run holds at least `min_samples` points, and
 *   - the run spans at least `sustained_s` seconds, measured from its first point's time to its last point's
 *     (inclusive: with 5-minute sampling, breaches at 0 and 5 min are "5 minutes sustained").
 * A null point is not a breach, so it ends the run: a gap in monitoring never counts toward a rollback, and
 * the run starts again after it. Nulls are counted apart (`unmeasured_in_span`) so that a monitoring outage is
 * visible and handled by the outage policy rather than silently passed. `sustained_s` 0 with `min_samples` 1
 * fires on the first breach.
 */
export interface Point {
  at_ms: number;
  value: number | null;
}

export interface SustainedRule {
  above: number;
  sustained_s: number;
  min_samples: number;
}

export interface SustainedResult {
  fired: boolean;
  /** Points in the trailing run of breaches. */
  run_samples: number;
  /** Seconds from the run's first point to its last (0 for no run or a single point). */
  run_span_s: number;
  /** The latest value (null when the latest point has none). */
  last: number | null;
  /** Null points within the trailing `sustained_s` window: what could not be judged. */
  unmeasured_in_span: number;
}

export function breaches(value: number | null, above: number): boolean {
  return value !== null && Number.isFinite(value) && value > above;
}

export function evaluateSustained(points: readonly Point[], rule: SustainedRule): SustainedResult {
  const lastPoint = points[points.length - 1];
  if (!lastPoint) return { fired: false, run_samples: 0, run_span_s: 0, last: null, unmeasured_in_span: 0 };
  let start = points.length;
  while (start > 0 && breaches(points[start - 1]!.value, rule.above)) start--;
  const run = points.length - start;
  const spanS = run > 0 ? (lastPoint.at_ms - points[start]!.at_ms) / 1000 : 0;
  const windowStart = lastPoint.at_ms - rule.sustained_s * 1000;
  const unmeasured = points.filter((p) => p.at_ms >= windowStart && p.value === null).length;
  return {
    fired: run >= rule.min_samples && run > 0 && spanS >= rule.sustained_s,
    run_samples: run,
    run_span_s: spanS,
    last: lastPoint.value,
    unmeasured_in_span: unmeasured,
  };
}
