// The 32-bit histogram class alone: the package's index also loads its WebAssembly build (a base64 string decoded at
// require time), which cost every load test ~14 MB of peak RSS and start-up time for a variant we never use.
import Int32Histogram from 'hdr-histogram-js/dist/Int32Histogram';
import type { HistogramPercentiles } from '../../types/loadtest-result';

/** 1 µs .. 60 s at 3 significant digits: ~ 0.1 % error, a fixed few hundred KB whatever the run length. */
export const LOWEST_US = 1;
export const HIGHEST_US = 60_000_000;

/** A histogram's summary, as loadtest-result.schema.json records it. */
export type Percentiles = HistogramPercentiles;

/**
 * Latency in an HDR histogram, recorded in whole microseconds (autocannon rounds to milliseconds, which
 * hides everything under 1 ms on loopback) and reported in milliseconds. Nothing is kept per request, so
 * memory stays flat for a 10-minute run.
 */
export class LatencyHistogram {
  // 32-bit counts, fixed range (no auto-resize): a count cannot overflow below 2^31 requests per bucket.
  private readonly h = new Int32Histogram(LOWEST_US, HIGHEST_US, 3);

  /** Values outside 1 µs..60 s are clamped, not dropped: a 70 s stall still counts, as 60 s. */
  recordMs(ms: number): void {
    const us = Math.round(ms * 1000);
    this.h.recordValue(us < LOWEST_US ? LOWEST_US : us > HIGHEST_US ? HIGHEST_US : us);
  }

  get count(): number {
    return this.h.totalCount;
  }

  percentileMs(p: number): number {
    return this.h.totalCount === 0 ? 0 : this.h.getValueAtPercentile(p) / 1000;
  }

  summary(): Percentiles {
    const h = this.h;
    if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0 };
    const ms = (us: number): number => Math.round(us) / 1000;
    return {
      count: h.totalCount,
      min: ms(h.minNonZeroValue),
      mean: Math.round(h.mean) / 1000,
      p50: ms(h.getValueAtPercentile(50)),
      p90: ms(h.getValueAtPercentile(90)),
      p95: ms(h.getValueAtPercentile(95)),
      p99: ms(h.getValueAtPercentile(99)),
      p999: ms(h.getValueAtPercentile(99.9)),
      max: ms(h.maxValue),
    };
  }
}
