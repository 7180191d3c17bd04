import type { Clock } from './clock';
import type { Recorder } from './recorder';
import type { RequestSpec } from './requests';
import type { StopReason, Transport } from './transport';

export interface ClosedLoopOptions {
  /** Request budget, or null for "until the duration ends". */
  total: number | null;
  durationMs: number;
  /** In-flight requests may finish until durationMs + graceMs. */
  graceMs: number;
}

/**
 * Closed loop: every lane sends its next request as soon as its previous one is answered, until the request
 * budget or the duration runs out — maximum throughput, the way wrk and autocannon measure. There is no
 * schedule, so the intended send time is the actual one and a stall slows the loop instead of showing in
 * the latency: use the open loop to judge latency.
 */
export class ClosedLoop {
  private t0 = 0;
  private sent = 0;
  private idle = 0;
  private stopped = false;
  private hardStop: unknown = null;
  private finish: (reason: StopReason) => void = () => undefined;

  constructor(
    private readonly opts: ClosedLoopOptions,
    private readonly clock: Clock,
    private readonly transport: Transport,
    private readonly recorder: Recorder,
    private readonly nextRequest: () => RequestSpec,
  ) {
    transport.setRelease((lane) => this.release(lane));
  }

  run(): Promise<StopReason> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.t0 = this.clock.now();
      this.hardStop = this.clock.setTimeout(() => this.stop('hard_stop'), this.opts.durationMs + this.opts.graceMs);
      for (let lane = 0; lane < this.transport.lanes; lane++) this.release(lane);
    });
  }

  private release(lane: number): void {
    if (this.stopped) return;
    const now = this.clock.now();
    const { total, durationMs } = this.opts;
    if ((total === null || this.sent < total) && now - this.t0 < durationMs) {
      this.sent++;
      const spec = this.nextRequest();
      this.recorder.recordSend(spec.request.index, now, now, false);
      this.transport.send(lane, spec, now, now);
      return;
    }
    if (++this.idle === this.transport.lanes) this.end(total !== null && this.sent >= total ? 'requests' : 'duration');
  }

  /** Ends the run now (the hard stop, or a signal): what is unsent is dropped, what is in flight aborted. */
  stop(reason: 'hard_stop' | 'interrupted'): void {
    if (this.stopped) return;
    this.hardStop = null;
    this.recorder.abortedInFlight = this.transport.abortAll();
    this.end(reason);
  }

  private end(reason: StopReason): void {
    this.stopped = true;
    if (this.hardStop !== null) this.clock.clearTimeout(this.hardStop);
    this.hardStop = null;
    this.finish(reason);
  }
}
