import type { Clock } from './clock';
import type { Recorder } from './recorder';
import type { RequestSpec } from './requests';
import type { StopReason, Transport } from './transport';

export interface OpenLoopOptions {
  /** Arrival rate, requests per second. */
  rate: number;
  /** Requests the schedule calls for. */
  total: number;
  /** Stop everything this long after the start (duration + grace), whatever is left. */
  hardStopMs: number;
}

/**
 * Open loop: request i is due at t0 + i / rate whatever the service does (clients in production do not wait
 * for each other). At most `transport.lanes` are in flight; a due request that finds every lane busy waits for
 * the next free one, and since its latency is timed from its intended send time, that wait counts — the
 * coordinated-omission correction a closed-loop tool lacks. A send is "delayed" when every lane was busy at
 * its intended time.
 */
export class OpenLoop {
  private readonly free: number[] = [];
  private readonly intervalMs: number;
  private t0 = 0;
  private next = 0;
  /** Start of the current all-lanes-busy period; NaN while a lane is free. */
  private fullSince = Number.NaN;
  private timer: unknown = null;
  private hardStop: unknown = null;
  private stopped = false;
  private finish: (reason: StopReason) => void = () => undefined;

  constructor(
    private readonly opts: OpenLoopOptions,
    private readonly clock: Clock,
    private readonly transport: Transport,
    private readonly recorder: Recorder,
    private readonly nextRequest: () => RequestSpec,
  ) {
    this.intervalMs = 1000 / opts.rate;
    for (let lane = transport.lanes - 1; lane >= 0; lane--) this.free.push(lane);
    transport.setRelease((lane) => this.release(lane));
  }

  run(): Promise<StopReason> {
    return new Promise((resolve) => {
      this.finish = resolve;
      this.t0 = this.clock.now();
      this.hardStop = this.clock.setTimeout(() => this.stop('hard_stop'), this.opts.hardStopMs);
      this.pump();
    });
  }

  intendedMs(index: number): number {
    return this.t0 + index * this.intervalMs;
  }

  private release(lane: number): void {
    if (this.stopped) return;
    this.free.push(lane);
    this.pump();
  }

  /**
   * Sends every due request a lane is free for. A lane released while requests wait goes straight to the
   * oldest of them, so the all-busy period it interrupts for a moment continues: `fullSince` is kept.
   */
  private pump(): void {
    const now = this.clock.now();
    const { total } = this.opts;
    const due = Math.min(total, Math.floor((now - this.t0) / this.intervalMs) + 1);
    while (this.next < due && this.free.length > 0) {
      const lane = this.free.pop()!;
      const intended = this.intendedMs(this.next++);
      const spec = this.nextRequest();
      this.recorder.recordSend(spec.request.index, intended, now, intended >= this.fullSince);
      this.transport.send(lane, spec, intended, now);
    }
    if (this.free.length > 0) this.fullSince = Number.NaN;
    else if (Number.isNaN(this.fullSince)) this.fullSince = now;
    if (this.next >= total) {
      if (this.free.length === this.transport.lanes) this.end('completed');
      return;
    }
    // With a backlog every lane is busy and each release pumps again; otherwise wake at the next due time.
    if (this.next >= due && this.timer === null) {
      this.timer = this.clock.setTimeout(
        () => {
          this.timer = null;
          if (!this.stopped) this.pump();
        },
        Math.max(0, this.intendedMs(this.next) - now),
      );
    }
  }

  /** Ends the run now (the hard stop, or a signal): what is unsent is dropped, what is in flight aborted. */
  stop(reason: 'hard_stop' | 'interrupted'): void {
    if (this.stopped) return;
    this.hardStop = null;
    this.recorder.dropped = this.opts.total - this.next;
    this.recorder.abortedInFlight = this.transport.abortAll();
    this.end(reason);
  }

  private end(reason: StopReason): void {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.hardStop !== null) this.clock.clearTimeout(this.hardStop);
    this.timer = this.hardStop = null;
    this.finish(reason);
  }
}
