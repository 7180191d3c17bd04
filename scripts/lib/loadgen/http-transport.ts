import { Client, type Dispatcher } from 'undici';
import { recordAnswer, recordFailure, wantsCapture } from './lane-outcome';
import type { Recorder } from './recorder';
import type { RequestSpec } from './requests';
import type { ConnectionOptions, ConnectionTransport } from './transport';

/**
 * One lane = one undici Client (one connection, no pipelining) and this object as its reusable dispatch
 * handler. undici's legacy handler callbacks are used on purpose: they skip the controller wrapper and header
 * parsing of the newer API, and nothing here needs headers. This is the fast path measured in
 * notes/loadgen-facts.md (fetch is ten times slower).
 */
class Lane implements Dispatcher.DispatchHandler {
  readonly client: Client;
  readonly opts: Dispatcher.DispatchOptions;
  spec: RequestSpec | null = null;
  intendedMs = 0;
  sentMs = 0;
  status = 0;
  capture = false;
  chunks: Buffer[] = [];
  abort: ((err?: Error) => void) | null = null;

  constructor(
    private readonly owner: HttpTransport,
    readonly index: number,
    origin: string,
    timeoutMs: number,
  ) {
    this.client = new Client(origin, {
      pipelining: 1,
      // Below Node's default 5 s server keep-alive, so we close an idle socket before the server does and
      // never race its close with a new request (which would show up as a false connection error).
      keepAliveTimeout: 4000,
      keepAliveTimeoutThreshold: 1000,
      connect: { timeout: timeoutMs },
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    this.opts = {
      path: '/',
      method: 'GET',
      headers: null,
      body: null,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
  }

  start(spec: RequestSpec, intendedMs: number, sentMs: number, capture: boolean): void {
    this.spec = spec;
    this.intendedMs = intendedMs;
    this.sentMs = sentMs;
    this.status = 0;
    this.capture = capture;
    this.abort = null;
    const o = this.opts;
    o.path = spec.path;
    o.method = spec.request.method as Dispatcher.HttpMethod;
    o.body = spec.body;
    o.headers = spec.headers.length === 0 ? null : (spec.headers as string[]);
    this.client.dispatch(o, this);
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number): boolean {
    this.status = statusCode;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.capture) this.chunks.push(chunk);
    return true;
  }

  onComplete(): void {
    if (this.spec === null) return;
    this.owner.answered(this);
  }

  onError(err: Error): void {
    if (this.spec === null) return;
    this.owner.failed(this, err);
  }

  /** Ends the current request: returns whether one was in flight. */
  clear(): boolean {
    const busy = this.spec !== null;
    this.spec = null;
    // Only a captured body left chunks: most requests allocate nothing here.
    if (this.chunks.length > 0) this.chunks = [];
    return busy;
  }
}

/** Lanes over undici Clients to one origin: the transport for https (socket-transport.ts handles http). */
export class HttpTransport implements ConnectionTransport {
  readonly lanes: number;
  private readonly all: Lane[];
  private release: (lane: number) => void = () => undefined;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly recorder: Recorder,
  ) {
    this.lanes = opts.lanes;
    this.all = Array.from({ length: opts.lanes }, (_, i) => new Lane(this, i, opts.url, opts.timeoutMs));
  }

  setRelease(release: (lane: number) => void): void {
    this.release = release;
  }

  /**
   * Opens every connection before the clock starts (GET /health, any status): without this, connection set-up
   * alone shows up in the first requests' latency (p99 3 ms → 55 ms at 2,000 req/s). Returns the failures.
   */
  async warmUp(): Promise<{ failures: number; messages: string[] }> {
    const messages: string[] = [];
    const results = await Promise.all(
      this.all.map(async (lane) => {
        try {
          const res = await lane.client.request({ path: '/health', method: 'GET' });
          await res.body.dump();
          return true;
        } catch (err) {
          if (messages.length < 3) messages.push((err as Error).message);
          return false;
        }
      }),
    );
    return { failures: results.filter((ok) => !ok).length, messages };
  }

  send(lane: number, spec: RequestSpec, intendedMs: number, sentMs: number): void {
    this.all[lane]!.start(spec, intendedMs, sentMs, wantsCapture(this.recorder, spec));
  }

  answered(lane: Lane): void {
    recordAnswer(this.recorder, lane.spec!, lane, this.opts.now());
    lane.clear();
    this.release(lane.index);
  }

  failed(lane: Lane, err: Error): void {
    recordFailure(this.recorder, lane.spec!, err, this.opts.now());
    lane.clear();
    this.release(lane.index);
  }

  abortAll(): number {
    let aborted = 0;
    const now = this.opts.now();
    for (const lane of this.all) {
      const spec = lane.spec;
      const abort = lane.abort;
      if (spec === null || !lane.clear()) continue;
      aborted++;
      this.recorder.recordFailure(
        spec.request.index,
        now,
        'timeout',
        'still in flight at the hard stop (duration + grace)',
      );
      abort?.(new Error('hard stop'));
    }
    return aborted;
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((lane) => lane.client.destroy().catch(() => undefined)));
  }
}
