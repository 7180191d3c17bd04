import net from 'node:net';
import { recordAnswer, recordFailure, wantsCapture } from './lane-outcome';
import type { Recorder } from './recorder';
import { encodeRequest, WARM_UP_REQUEST, type RequestSpec } from './requests';
import { ResponseParser, type ResponseSink } from './response-parser';
import type { ConnectionOptions, ConnectionTransport } from './transport';

/**
 * Lanes over plain TCP sockets speaking HTTP/1.1 themselves: each request is a prebuilt buffer written to the
 * socket (a templated request's bytes are encoded here, in one allocation), each response is framed by ResponseParser (status and framing headers only), and every socket reads
 * into one shared buffer (`onread`), so a request allocates next to nothing. On this 2-core VM that is about
 * twice autocannon's requests/s where undici's `Client.dispatch` managed 1.2× (README "Performance"); undici
 * stays the transport for https (http-transport.ts).
 *
 * Semantics follow the undici lanes it replaces: one connection per lane, never pipelined; a connection idle
 * longer than the server's keep-alive hint less a second (at least half the hint; 4 s without one, under
 * Node's default 5 s) is replaced before the next send instead of racing the server's close; connect, headers and body timeouts each of `timeoutMs`.
 * Timeouts are checked by one sweep every `timeoutMs / 20` (10–250 ms), not a timer per request.
 */

/** Shared by every socket of a transport: a read is parsed synchronously, and whatever is kept is copied. */
const READ_BUFFER_BYTES = 64 * 1024;
const DEFAULT_IDLE_LIMIT_MS = 4000;

const enum Phase {
  Connect,
  Headers,
  Body,
}

/** A failure with a stable code for classifyError (error-kind.ts). */
export class TransportError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const TIMEOUTS: Record<Phase, [string, string]> = {
  [Phase.Connect]: ['POOLGATE_CONNECT_TIMEOUT', 'no connection within'],
  [Phase.Headers]: ['POOLGATE_HEADERS_TIMEOUT', 'no response head within'],
  [Phase.Body]: ['POOLGATE_BODY_TIMEOUT', 'no body bytes within'],
};

class Lane implements ResponseSink {
  socket: net.Socket | null = null;
  readonly parser = new ResponseParser(this);
  spec: RequestSpec | null = null;
  intendedMs = 0;
  sentMs = 0;
  status = 0;
  capture = false;
  chunks: Buffer[] = [];
  phase = Phase.Connect;
  /** When the current phase times out (0 = nothing in flight). */
  deadline = 0;
  idleSince = 0;
  idleLimitMs = DEFAULT_IDLE_LIMIT_MS;
  /** Set while the lane carries its warm-up request instead of a recorded one. */
  warm: ((err: Error | null) => void) | null = null;

  constructor(readonly index: number) {}

  onHead(status: number): void {
    this.status = status;
    this.phase = Phase.Body;
  }

  onBody(buf: Buffer, start: number, end: number): void {
    // Copied: the read buffer is shared and reused.
    this.chunks.push(Buffer.from(buf.subarray(start, end)));
  }

  /** Ends the current request: returns whether one was in flight. */
  clear(): boolean {
    const busy = this.spec !== null;
    this.spec = null;
    this.deadline = 0;
    this.parser.reset();
    if (this.chunks.length > 0) this.chunks = [];
    return busy;
  }
}

export class SocketTransport implements ConnectionTransport {
  readonly lanes: number;
  private readonly all: Lane[];
  private readonly host: string;
  private readonly port: number;
  /** The Host header's value: the origin's host and port, e.g. "127.0.0.1:8080". */
  private readonly hostHeader: string;
  private readonly warmUpSpec: RequestSpec;
  private readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private release: (lane: number) => void = () => undefined;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly recorder: Recorder,
  ) {
    const u = new URL(opts.url);
    if (u.protocol !== 'http:') throw new Error(`SocketTransport speaks plain http, not ${u.protocol}`);
    this.host = u.hostname.replace(/^\[|\]$/g, '');
    this.port = u.port === '' ? 80 : Number(u.port);
    this.hostHeader = u.host;
    const warm = { request: WARM_UP_REQUEST, path: '/health', headers: [], body: null };
    this.warmUpSpec = { ...warm, bytes: encodeRequest(u.host, warm) };
    this.lanes = opts.lanes;
    this.all = Array.from({ length: opts.lanes }, (_, i) => new Lane(i));
  }

  setRelease(release: (lane: number) => void): void {
    this.release = release;
  }

  /**
   * Opens every connection before the clock starts (GET /health, any status): without this, connection set-up
   * alone shows up in the first requests' latency. Returns the failures.
   */
  async warmUp(): Promise<{ failures: number; messages: string[] }> {
    const messages: string[] = [];
    const results = await Promise.all(
      this.all.map(
        (lane) =>
          new Promise<boolean>((resolve) => {
            lane.warm = (err) => {
              if (err && messages.length < 3) messages.push(err.message);
              resolve(err === null);
            };
            const now = this.opts.now();
            this.send(lane.index, this.warmUpSpec, now, now);
          }),
      ),
    );
    return { failures: results.filter((ok) => !ok).length, messages };
  }

  send(index: number, spec: RequestSpec, intendedMs: number, sentMs: number): void {
    const lane = this.all[index]!;
    lane.spec = spec;
    lane.intendedMs = intendedMs;
    lane.sentMs = sentMs;
    lane.status = 0;
    lane.capture = lane.warm === null && wantsCapture(this.recorder, spec);
    const bytes = spec.bytes ?? encodeRequest(this.hostHeader, spec);
    this.sweeper ??= this.startSweeper();
    let socket = lane.socket;
    if (socket !== null && sentMs - lane.idleSince > lane.idleLimitMs) {
      this.drop(lane);
      socket = null;
    }
    if (socket === null) {
      socket = this.connect(lane);
      lane.phase = Phase.Connect;
    } else {
      lane.phase = Phase.Headers;
    }
    lane.deadline = sentMs + this.opts.timeoutMs;
    lane.parser.expect(lane.capture);
    socket.write(bytes);
  }

  private connect(lane: Lane): net.Socket {
    const socket: net.Socket = net.connect({
      host: this.host,
      port: this.port,
      noDelay: true,
      onread: {
        buffer: this.readBuffer,
        callback: (n: number, buf: Uint8Array) => this.read(lane, socket, n, buf as Buffer),
      },
    });
    lane.socket = socket;
    socket.on('connect', () => {
      if (lane.socket !== socket || lane.spec === null || lane.phase !== Phase.Connect) return;
      lane.phase = Phase.Headers;
      lane.deadline = this.opts.now() + this.opts.timeoutMs;
    });
    socket.on('error', (err) => this.lost(lane, socket, err));
    socket.on('close', () => this.lost(lane, socket, null));
    return socket;
  }

  /** Always true: keep reading (false would pause the socket). */
  private read(lane: Lane, socket: net.Socket, n: number, buf: Buffer): boolean {
    if (lane.socket !== socket) return true;
    let done: boolean;
    try {
      done = lane.parser.feed(buf, 0, n);
    } catch (err) {
      // Bytes nobody asked for (no request in flight) only cost the connection.
      if (lane.spec === null) this.drop(lane);
      else this.fail(lane, err as Error);
      return true;
    }
    const now = this.opts.now();
    if (!done) {
      // The body timeout is the longest silence between reads, as undici's bodyTimeout.
      if (lane.phase === Phase.Body) lane.deadline = now + this.opts.timeoutMs;
      return true;
    }
    if (!lane.parser.lastReusable) this.drop(lane);
    else if (lane.parser.keepAliveMs > 0)
      lane.idleLimitMs = Math.max(lane.parser.keepAliveMs / 2, lane.parser.keepAliveMs - 1000);
    lane.idleSince = now;
    this.answered(lane, now);
    return true;
  }

  /** The socket errored or closed. Only a body delimited by the close completes a request here. */
  private lost(lane: Lane, socket: net.Socket, err: Error | null): void {
    if (lane.socket !== socket) return;
    lane.socket = null;
    socket.destroy();
    if (lane.spec === null) return;
    if (err === null && lane.parser.closed()) {
      this.answered(lane, this.opts.now());
      return;
    }
    this.fail(
      lane,
      err ?? new TransportError('POOLGATE_SOCKET_CLOSED', 'the server closed the connection before the response ended'),
    );
  }

  private answered(lane: Lane, now: number): void {
    const spec = lane.spec;
    if (spec === null) return;
    if (lane.warm !== null) {
      const warm = lane.warm;
      lane.warm = null;
      lane.clear();
      warm(null);
      return;
    }
    recordAnswer(this.recorder, spec, lane, now);
    lane.clear();
    this.release(lane.index);
  }

  private fail(lane: Lane, err: Error): void {
    const spec = lane.spec;
    if (spec === null) return;
    // Whatever the connection was in the middle of, it cannot carry the next request.
    this.drop(lane);
    lane.clear();
    if (lane.warm !== null) {
      const warm = lane.warm;
      lane.warm = null;
      warm(err);
      return;
    }
    recordFailure(this.recorder, spec, err, this.opts.now());
    this.release(lane.index);
  }

  private drop(lane: Lane): void {
    const socket = lane.socket;
    lane.socket = null;
    socket?.destroy();
  }

  private startSweeper(): NodeJS.Timeout {
    const every = Math.min(250, Math.max(10, Math.floor(this.opts.timeoutMs / 20)));
    const timer = setInterval(() => this.sweep(), every);
    timer.unref();
    return timer;
  }

  private sweep(): void {
    const now = this.opts.now();
    for (const lane of this.all) {
      if (lane.spec === null || lane.deadline === 0 || now < lane.deadline) continue;
      const [code, text] = TIMEOUTS[lane.phase];
      this.fail(lane, new TransportError(code, `${text} ${this.opts.timeoutMs} ms`));
    }
  }

  abortAll(): number {
    let aborted = 0;
    const now = this.opts.now();
    for (const lane of this.all) {
      const spec = lane.spec;
      if (spec === null || lane.warm !== null || !lane.clear()) continue;
      aborted++;
      this.drop(lane);
      this.recorder.recordFailure(
        spec.request.index,
        now,
        'timeout',
        'still in flight at the hard stop (duration + grace)',
      );
    }
    return aborted;
  }

  close(): Promise<void> {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const lane of this.all) {
      lane.clear();
      this.drop(lane);
    }
    return Promise.resolve();
  }
}
