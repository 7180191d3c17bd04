import type http from 'node:http';
import type { ServiceCounters } from './metrics';

/** Latencies measured per second at most: the percentile window (100,000 samples) then spans its whole minute. */
export const LATENCY_SAMPLES_PER_S = 1000;

/**
 * Counts every app request exactly (total, errors, in flight) and measures latencies: those of every request up
 * to LATENCY_SAMPLES_PER_S requests a second, of one request in k above it (k from the rate since the last
 * adjustment, at least a second ago), each sample then weighing k in the histogram. Why: two clock reads and a
 * closure per request cost a trivial handler ~3 % of its throughput, and at tens of thousands of requests a
 * second a 100,000-sample window would hold its last few seconds, not its minute. A request that is not
 * measured costs one shared listener. When traffic falls, the next measured request is at most k requests away.
 */
export class RequestMeter {
  private every = 1;
  private until = 1;
  private begun = 0;
  private begunAtAdjust = 0;
  private adjustedAt: number;
  private readonly onClose: (this: http.ServerResponse) => void;
  private readonly now: () => number;

  /** Times requests by the counters' clock: the end it reads is the window's `at`, so the two cannot disagree. */
  constructor(
    private readonly counters: ServiceCounters,
    private readonly samplesPerS = LATENCY_SAMPLES_PER_S,
  ) {
    this.now = counters.now;
    this.adjustedAt = this.now();
    this.onClose = function onClose(this: http.ServerResponse) {
      counters.requestEnded(failed(this));
    };
  }

  /** One measured request stands for this many (1 below the sampling rate). */
  get weight(): number {
    return this.every;
  }

  /**
   * An app request begins: in flight from now; ended, and maybe measured, when its response closes. Short, the
   * measured path a call of its own: with handle, count and endpointOf this runs inside the app's request handler,
   * where V8 inlines callees within one bytecode budget per optimized function, which the app's own calls
   * (writeHead...) then no longer get.
   */
  begin(res: http.ServerResponse): void {
    this.counters.inFlight += 1;
    this.begun += 1;
    // 'close' comes once per response; on() spares once()'s wrapper allocation on every request.
    if (--this.until > 0) res.on('close', this.onClose);
    else this.measure(res);
  }

  /** The request that is measured: its start, and its end when it closes. */
  private measure(res: http.ServerResponse): void {
    const c = this.counters;
    const started = this.now();
    const weight = this.every;
    this.adjust(started);
    this.until = this.every;
    res.on('close', () => {
      const ended = this.now();
      c.requestEnded(failed(res));
      c.latencyMeasured(ended - started, weight, ended);
    });
  }

  private adjust(now: number): void {
    const elapsedMs = now - this.adjustedAt;
    if (elapsedMs < 1000) return;
    const perS = ((this.begun - this.begunAtAdjust) * 1000) / elapsedMs;
    this.every = Math.max(1, Math.floor(perS / this.samplesPerS));
    this.begunAtAdjust = this.begun;
    this.adjustedAt = now;
  }
}

/** Answered 5xx, or closed before the response was finished (the client or the app gave up). */
function failed(res: http.ServerResponse): boolean {
  return res.statusCode >= 500 || !res.writableFinished;
}
