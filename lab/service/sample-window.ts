/** Percentiles of the observations of a recent time window, in ms (the shape of the metrics schema's `percentiles`). */
export interface WindowSummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/**
 * Observations of the last `windowMs`, kept as a bounded ring of (time, value) pairs so percentiles are exact for
 * lab-sized rates and memory stays bounded at any rate (beyond `capacity` samples the oldest are forgotten
 * first, which shortens the window rather than biasing it). Time is injected so the math is testable.
 */
export class SampleWindow {
  private readonly times: Float64Array;
  private readonly values: Float64Array;
  private next = 0;
  private size = 0;

  constructor(
    readonly windowMs: number,
    readonly capacity = 100_000,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.times = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  record(value: number): void {
    this.times[this.next] = this.now();
    this.values[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size += 1;
  }

  summary(): WindowSummary {
    const since = this.now() - this.windowMs;
    const recent: number[] = [];
    for (let i = 0; i < this.size; i += 1) {
      if (this.times[i] >= since) recent.push(this.values[i]);
    }
    recent.sort((a, b) => a - b);
    return {
      count: recent.length,
      p50: nearestRank(recent, 50),
      p95: nearestRank(recent, 95),
      p99: nearestRank(recent, 99),
      max: recent.length ? recent[recent.length - 1] : 0,
    };
  }
}

/** Nearest-rank percentile of sorted values (0 when empty): the smallest value with at least p% at or below it. */
export function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1];
}
