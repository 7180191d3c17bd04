import { LatencyHistogram, type Percentiles } from './histogram';
import { ENDPOINTS, type Endpoint } from './mix';
import type { ErrorKind } from './error-kind';

export interface EndpointCounts {
  sent: number;
  ok: number;
  errors: number;
}

const MAX_EXAMPLES = 10;
const MAX_IDS = 100;

/**
 * Everything measured about the requests, in constant memory: three HDR histograms (latency from the intended
 * send time, latency from the actual send, send delay), counters, and a bounded sample of error messages and
 * created ids. Latency is recorded for every request that got an HTTP answer (any status); transport failures
 * (timeout, connection) have no answer to time and are counted as errors only.
 */
export class Recorder {
  readonly fromSend = new LatencyHistogram();
  readonly fromIntended: LatencyHistogram;
  readonly sendDelay = new LatencyHistogram();
  readonly byEndpoint: Record<Endpoint, EndpointCounts>;
  readonly byKind = new Map<ErrorKind, number>();
  readonly examples: string[] = [];
  readonly createdIds: Array<number | string> = [];
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
  constructor(readonly scheduled = true) {
    this.fromIntended = scheduled ? new LatencyHistogram() : this.fromSend;
    this.byEndpoint = Object.fromEntries(ENDPOINTS.map((e) => [e, { sent: 0, ok: 0, errors: 0 }])) as Record<
      Endpoint,
      EndpointCounts
    >;
  }

  recordSend(endpoint: Endpoint, intendedMs: number, sentMs: number, delayed: boolean): void {
    this.sent++;
    this.byEndpoint[endpoint].sent++;
    if (delayed) this.delayedSends++;
    if (this.sent === 1) this.firstSendMs = sentMs;
    this.lastSendMs = sentMs;
    if (this.scheduled) this.sendDelay.recordMs(sentMs - intendedMs);
  }

  /** An HTTP answer: latency is recorded whatever the status; a status other than the expected one is an error. */
  recordAnswer(
    endpoint: Endpoint,
    intendedMs: number,
    sentMs: number,
    doneMs: number,
    status: number,
    expected: number,
  ): void {
    this.answered++;
    this.lastDoneMs = doneMs;
    if (this.scheduled) this.fromIntended.recordMs(doneMs - intendedMs);
    this.fromSend.recordMs(doneMs - sentMs);
    if (status === expected) {
      this.ok++;
      this.byEndpoint[endpoint].ok++;
    } else {
      this.recordError(endpoint, `http_${status}`, `${endpoint}: HTTP ${status}`);
    }
  }

  /** A transport failure (no answer to time). */
  recordFailure(endpoint: Endpoint, doneMs: number, kind: ErrorKind, message: string): void {
    this.lastDoneMs = doneMs;
    this.recordError(endpoint, kind, `${endpoint}: ${message}`);
  }

  recordCreatedId(id: number | string): void {
    if (this.createdIds.length < MAX_IDS) this.createdIds.push(id);
  }

  get wantsIds(): boolean {
    return this.createdIds.length < MAX_IDS;
  }

  errorCounts(): Record<string, number> {
    return Object.fromEntries([...this.byKind.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }

  latency(): { from_intended: Percentiles; from_send: Percentiles } {
    return { from_intended: this.fromIntended.summary(), from_send: this.fromSend.summary() };
  }

  private recordError(endpoint: Endpoint, kind: ErrorKind, message: string): void {
    this.failed++;
    this.byEndpoint[endpoint].errors++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
    if (this.examples.length < MAX_EXAMPLES && !this.examples.includes(message)) this.examples.push(message);
  }
}
