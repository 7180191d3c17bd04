import { LatencyHistogram, type Percentiles } from './histogram';
import { httpErrorKind, type ErrorKind } from './error-kind';

export interface RequestCounts {
  sent: number;
  ok: number;
  errors: number;
}

const MAX_EXAMPLES = 10;
const HTTP_KINDS: string[] = [];
/** Captured values kept per request: enough to check every write of a lab-sized run, bounded for a long one. */
export const MAX_CAPTURES = 50_000;

/** What a request's capture kept: the values, and the successful answers that had no such field. */
export interface Captured {
  values: Array<number | string>;
  missing: number;
}

/**
 * Everything measured about the requests, in constant memory: three HDR histograms (latency from the intended
 * send time, latency from the actual send, send delay), counters, and a bounded sample of error messages and
 * captured values. Latency is recorded for every request that got an HTTP answer (any status); transport failures
 * (timeout, connection) have no answer to time and are counted as errors only.
 */
export class Recorder {
  readonly fromSend = new LatencyHistogram();
  readonly fromIntended: LatencyHistogram;
  readonly sendDelay = new LatencyHistogram();
  /** Counts per scenario request, by its index. */
  readonly byRequest: RequestCounts[];
  readonly captured: Captured[];
  /** Per request, the statuses that already have an example. */
  private readonly exemplified: Array<Uint8Array | undefined> = [];
  readonly byKind = new Map<ErrorKind, number>();
  readonly examples: string[] = [];
  sent = 0;
  ok = 0;
  failed = 0;
  answered = 0;
  delayedSends = 0;
  dropped = 0;
  abortedInFlight = 0;
  firstSendMs = Number.NaN;
  lastSendMs = Number.NaN;
  lastDoneMs = Number.NaN;

  /**
   * `scheduled` is false for the closed loop: there the intended send time is the actual one, so both latency
   * views are one histogram and there is no send delay to record — a third of the per-request bookkeeping.
   */
  constructor(
    /** The scenario's request names, by index. */
    readonly names: readonly string[],
    readonly scheduled = true,
  ) {
    this.fromIntended = scheduled ? new LatencyHistogram() : this.fromSend;
    this.byRequest = names.map(() => ({ sent: 0, ok: 0, errors: 0 }));
    this.captured = names.map(() => ({ values: [], missing: 0 }));
  }

  recordSend(request: number, intendedMs: number, sentMs: number, delayed: boolean): void {
    this.sent++;
    this.byRequest[request]!.sent++;
    if (delayed) this.delayedSends++;
    if (this.sent === 1) this.firstSendMs = sentMs;
    this.lastSendMs = sentMs;
    if (this.scheduled) this.sendDelay.recordMs(sentMs - intendedMs);
  }

  /** An HTTP answer: latency is recorded whatever the status; a status the request does not expect is an error. */
  recordAnswer(request: number, intendedMs: number, sentMs: number, doneMs: number, status: number, ok: boolean): void {
    this.answered++;
    this.lastDoneMs = doneMs;
    if (this.scheduled) this.fromIntended.recordMs(doneMs - intendedMs);
    this.fromSend.recordMs(doneMs - sentMs);
    if (ok) {
      this.ok++;
      this.byRequest[request]!.ok++;
    } else {
      this.recordHttpError(request, status);
    }
  }

  /** A transport failure (no answer to time). */
  recordFailure(request: number, doneMs: number, kind: ErrorKind, message: string): void {
    this.lastDoneMs = doneMs;
    this.recordError(request, kind, message);
  }

  /** A successful answer's captured value, or null when its body had no such field. */
  recordCapture(request: number, value: number | string | null): void {
    const c = this.captured[request]!;
    if (value === null) c.missing++;
    else c.values.push(value);
  }

  /** Whether the next answer of `request` is still worth parsing for its capture (the cap is not reached). */
  wantsCapture(request: number): boolean {
    return this.captured[request]!.values.length < MAX_CAPTURES;
  }

  errorCounts(): Record<string, number> {
    return Object.fromEntries([...this.byKind.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  latency(): { from_intended: Percentiles; from_send: Percentiles } {
    return { from_intended: this.fromIntended.summary(), from_send: this.fromSend.summary() };
  }

  /**
   * An unexpected status: its kind string is built once per status and its example once per request and status,
   * so a run answered with the wrong status throughout costs no more than one answered right.
   */
  private recordHttpError(request: number, status: number): void {
    const kind = (HTTP_KINDS[status] ??= httpErrorKind(status));
    this.failed++;
    this.byRequest[request]!.errors++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    const seen = (this.exemplified[request] ??= new Uint8Array(600));
    if (seen[status] === 0 && this.examples.length < MAX_EXAMPLES) {
      seen[status] = 1;
      this.examples.push(`${this.names[request]}: HTTP ${status}`);
    }
  }

  private recordError(request: number, kind: ErrorKind, message: string): void {
    this.failed++;
    this.byRequest[request]!.errors++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.examples.length < MAX_EXAMPLES) {
      // Built only while examples are still wanted: an error storm allocates no strings.
      const example = `${this.names[request]}: ${message}`;
      if (!this.examples.includes(example)) this.examples.push(example);
    }
  }
}
