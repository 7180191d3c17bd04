import type { Clock } from '../../../scripts/lib/loadgen/clock';
import type { Recorder } from '../../../scripts/lib/loadgen/recorder';
import type { RequestSpec } from '../../../scripts/lib/loadgen/requests';
import { checkScenario, compileScenario, type Scenario } from '../../../scripts/lib/loadgen/scenario';
import type { Transport } from '../../../scripts/lib/loadgen/transport';

/** A manual clock: time moves only in advance(), firing due timers in order. */
export class FakeClock implements Clock {
  t = 1000;
  private seq = 0;
  private timers: Array<{ at: number; seq: number; fn: () => void }> = [];

  now = (): number => this.t;

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x !== handle);
  }

  /** Move time forward to `to`, firing timers (and whatever they schedule) at their due time. */
  advanceTo(to: number): void {
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > to) break;
      this.timers.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = to;
  }

  advance(ms: number): void {
    this.advanceTo(this.t + ms);
  }
}

/**
 * A server simulated on the fake clock: each request is answered `serviceMs(now)` after it is sent, except
 * that a stall [from, to) holds every answer until `to`.
 */
export class FakeTransport implements Transport {
  readonly sentAt: number[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private release: (lane: number) => void = () => undefined;
  private readonly pending = new Map<number, unknown>();

  constructor(
    readonly lanes: number,
    private readonly clock: FakeClock,
    private readonly recorder: Recorder,
    private readonly serviceMs: number,
    private readonly stall: { from: number; to: number } | null = null,
  ) {}

  setRelease(release: (lane: number) => void): void {
    this.release = release;
  }

  send(lane: number, spec: RequestSpec, intendedMs: number, sentMs: number): void {
    this.sentAt.push(sentMs);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let answerAt = sentMs + this.serviceMs;
    if (this.stall && answerAt >= this.stall.from && sentMs < this.stall.to)
      answerAt = Math.max(answerAt, this.stall.to);
    const timer = this.clock.setTimeout(() => {
      this.pending.delete(lane);
      this.inFlight--;
      this.recorder.recordAnswer(spec.request.index, intendedMs, sentMs, this.clock.now(), 200, true);
      this.release(lane);
    }, answerAt - this.clock.now());
    this.pending.set(lane, timer);
  }

  abortAll(): number {
    const n = this.pending.size;
    for (const timer of this.pending.values()) this.clock.clearTimeout(timer);
    this.pending.clear();
    this.inFlight = 0;
    return n;
  }
}

/** A one-request scenario (GET /api/accounts), as tests that need some scenario use it. */
export const READ_SCENARIO: Scenario = checkScenario(
  { name: 'read', requests: [{ name: 'accounts', method: 'GET', path: '/api/accounts' }] },
  { file: null, sha256: null, name: 'read' },
);

export const GET: RequestSpec = compileScenario(READ_SCENARIO, { host: '127.0.0.1:8080', runId: 'test' })[0]!.next();

/** READ_SCENARIO's request names, for a Recorder. */
export const names = READ_SCENARIO.requests.map((r) => r.name);
