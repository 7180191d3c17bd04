/**
 * A histogram kept as plain counts since the process started, in ms: recording is a few comparisons and two
 * additions on the request path (prom-client's Histogram hashes labels on every observe, a visible share of a
 * trivial handler's cost), and the Prometheus exposition is built from these counts at scrape time.
 */
export class CumulativeHistogram {
  /** observations per bucket (not cumulative): counts[i] holds bounds[i-1] < v <= bounds[i]; above the last, none */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(readonly boundsMs: readonly number[]) {
    this.counts = new Float64Array(boundsMs.length);
  }

  /** `weight`: how many observations this one stands for (a sampled latency), 1 by default. */
  observe(ms: number, weight = 1): void {
    this.sum += ms * weight;
    this.count += weight;
    const b = this.boundsMs;
    for (let i = 0; i < b.length; i += 1) {
      if (ms <= b[i]!) {
        this.counts[i]! += weight;
        return;
      }
    }
  }
}

/** Request latency buckets, ms (as Prometheus users expect: 5 ms to 10 s). */
export const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
/**
 * Acquire wait buckets, ms: fine at the low end (an unsaturated pool hands out connections in well under a
 * millisecond); acquireTimeoutMillis (10 s in the runbook) bounds the top.
 */
export const ACQUIRE_WAIT_BOUNDS_MS = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000];
