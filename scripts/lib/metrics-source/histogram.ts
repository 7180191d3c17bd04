/** One cumulative histogram bucket: observations <= `le` (the last bucket's `le` is +Inf). */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * PromQL's histogram_quantile over cumulative buckets, with its semantics, so the scrape source and the
 * Prometheus source answer the same figure for the same counts: linear interpolation inside the bucket that
 * holds the rank (the first bucket starts at 0); a rank in the +Inf bucket answers the highest finite bound.
 * NaN when there are no observations or no +Inf bucket.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  if (sorted.length < 2 || sorted[sorted.length - 1]!.le !== Infinity) return NaN;
  // Counts from rates can be non-monotonic by float noise; PromQL forces them monotonic the same way.
  for (let i = 1; i < sorted.length; i += 1) {
    if (sorted[i]!.count < sorted[i - 1]!.count) sorted[i] = { le: sorted[i]!.le, count: sorted[i - 1]!.count };
  }
  const total = sorted[sorted.length - 1]!.count;
  if (!(total > 0)) return NaN;
  let rank = q * total;
  let b = sorted.findIndex((x) => x.count >= rank);
  if (b === -1) b = sorted.length - 1;
  if (b === sorted.length - 1) return sorted[sorted.length - 2]!.le;
  if (b === 0 && sorted[0]!.le <= 0) return sorted[0]!.le;
  let start = 0;
  let count = sorted[b]!.count;
  if (b > 0) {
    start = sorted[b - 1]!.le;
    count -= sorted[b - 1]!.count;
    rank -= sorted[b - 1]!.count;
  }
  return start + (sorted[b]!.le - start) * (count > 0 ? rank / count : 1);
}

/** Bucket counts of `now` minus those of an earlier reading of the same process (a window between two scrapes). */
export function bucketDelta(now: readonly Bucket[], earlier: readonly Bucket[]): Bucket[] {
  const before = new Map(earlier.map((b) => [b.le, b.count]));
  return now.map((b) => ({ le: b.le, count: Math.max(0, b.count - (before.get(b.le) ?? 0)) }));
}
