/**
 * An incremental HTTP/1.1 response parser for one connection with at most one request in flight — all a load
 * generator needs: the status, where the response ends, whether the connection may be reused, and (when asked)
 * the body bytes. Headers other than the framing ones are skipped without being decoded, which is what keeps
 * a request cheaper than undici's (see socket-transport.ts).
 *
 * Framing follows RFC 9112 §6.3: no body for 1xx/204/304; Transfer-Encoding chunked; else Content-Length; else
 * the body runs until the server closes. Interim 1xx responses (e.g. 103) are skipped. Anything malformed throws
 * a ResponseError: the connection cannot be trusted after it.
 *
 * `feed` and `closed` report the end of a response by their return value, not by a callback, so the caller can
 * send its next request from there without re-entering a parse in progress.
 */

export interface ResponseSink {
  /** The final status line and headers have arrived. */
  onHead(status: number): void;
  /** A slice of body bytes (only while `capture` is set; chunk framing removed). The buffer is reused after. */
  onBody(buf: Buffer, start: number, end: number): void;
}

export class ResponseError extends Error {
  readonly code = 'POOLGATE_HTTP_PARSE';
}

/** Longest response head accepted (status line and headers): Node's own default limit is 16 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;

const enum State {
  Idle,
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
}

const CR = 13;
const LF = 10;
const EMPTY = Buffer.alloc(0);

export class ResponseParser {
  private state = State.Idle;
  private remaining = 0;
  private capture = false;
  private reusable = true;
  /** Whether the connection may carry another request, as of the last complete response. */
  lastReusable = false;
  /** Bytes of a head (or chunk-size or trailer line) that did not arrive in one read. */
  private carry: Buffer = EMPTY;
  /** Keep-Alive: timeout=N from the last response, in ms (0 when the server sent none). */
  keepAliveMs = 0;

  constructor(private readonly sink: ResponseSink) {}

  /** Whether a response is being parsed (a request is in flight). */
  get busy(): boolean {
    return this.state !== State.Idle;
  }

  /** Expects the response to a new request; `capture` asks for its body bytes. */
  expect(capture: boolean): void {
    this.state = State.Head;
    this.capture = capture;
    this.reusable = true;
    this.carry = EMPTY;
    this.remaining = 0;
  }

  /** Forgets the response in progress (the request was abandoned). */
  reset(): void {
    this.state = State.Idle;
    this.carry = EMPTY;
  }

  /**
   * The server closed the connection. Returns true when that completes the response (a body delimited by the
   * close, which then ends here); false when the response was cut short or none was expected.
   */
  closed(): boolean {
    if (this.state !== State.UntilClose) return false;
    this.state = State.Idle;
    this.lastReusable = false;
    return true;
  }

  /**
   * Parses buf[start, end); returns true when that completed the response (then see `lastReusable`). Bytes after
   * a complete response are never read as a second one: they only make the connection unusable.
   */
  feed(buf: Buffer, start: number, end: number): boolean {
    let i = start;
    while (i < end || (this.state === State.Length && this.remaining === 0)) {
      switch (this.state) {
        case State.Idle:
          throw new ResponseError(`${end - i} bytes arrived with no request in flight`);
        case State.Head:
          i = this.head(buf, i, end);
          break;
        case State.Length:
          i = this.body(buf, i, end);
          if (this.remaining === 0) return this.finish(i < end);
          break;
        case State.UntilClose:
          if (this.capture) this.sink.onBody(buf, i, end);
          i = end;
          break;
        case State.ChunkSize:
          i = this.line(buf, i, end, (line) => this.chunkSize(line));
          break;
        case State.ChunkData:
          i = this.body(buf, i, end);
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        case State.ChunkDataEnd:
          i = this.line(buf, i, end, (line) => {
            if (line.length !== 0) throw new ResponseError('chunk data longer than its size');
            this.state = State.ChunkSize;
          });
          break;
        case State.Trailers: {
          let last = false;
          i = this.line(buf, i, end, (line) => {
            last = line.length === 0;
          });
          if (last) return this.finish(i < end);
          break;
        }
      }
    }
    return false;
  }

  /** Takes up to `remaining` body bytes from buf[i, end) (handed over when capturing); returns where it stopped. */
  private body(buf: Buffer, i: number, end: number): number {
    const take = Math.min(this.remaining, end - i);
    if (this.capture) this.sink.onBody(buf, i, i + take);
    this.remaining -= take;
    return i + take;
  }

  /** The response ended; `extra` = more bytes followed in the same read, which no request asked for. */
  private finish(extra: boolean): true {
    this.state = State.Idle;
    this.lastReusable = this.reusable && !extra;
    return true;
  }

  /** Finds the end of the head ("\r\n\r\n"), possibly across reads; parses it when whole. Returns where it stopped. */
  private head(buf: Buffer, i: number, end: number): number {
    if (this.carry.length === 0) {
      // The search may run past `end` into stale bytes of a reused buffer: a match there does not count.
      const e = buf.indexOf('\r\n\r\n', i, 'latin1');
      if (e !== -1 && e + 4 <= end) {
        this.parseHead(buf, i, e);
        return e + 4;
      }
      this.keep(buf, i, end);
      return end;
    }
    // The head straddles reads: search the joined bytes from 3 before the join, so a split "\r\n\r\n" is found.
    const before = this.carry.length;
    const joined = Buffer.concat([this.carry, buf.subarray(i, end)]);
    this.carry = EMPTY;
    const e = joined.indexOf('\r\n\r\n', Math.max(0, before - 3), 'latin1');
    if (e === -1) {
      this.keep(joined, 0, joined.length);
      return end;
    }
    this.parseHead(joined, 0, e);
    return i + (e + 4 - before);
  }

  private keep(buf: Buffer, i: number, end: number): void {
    const n = this.carry.length + (end - i);
    if (n > MAX_HEAD_BYTES) throw new ResponseError(`response head over ${MAX_HEAD_BYTES} bytes`);
    // Copied: the read buffer is reused for the next read.
    this.carry = Buffer.concat([this.carry, buf.subarray(i, end)]);
  }

  /** buf[at, headEnd) is "HTTP/1.x SSS reason\r\n(header\r\n)*" without the final blank line. */
  private parseHead(buf: Buffer, at: number, headEnd: number): void {
    // "HTTP/1.1 200" — 12 bytes at least, then a space or the line end.
    if (
      headEnd - at < 12 ||
      buf[at] !== 72 /* H */ ||
      buf[at + 1] !== 84 ||
      buf[at + 2] !== 84 ||
      buf[at + 3] !== 80 ||
      buf[at + 4] !== 47 /* / */ ||
      buf[at + 5] !== 49 /* 1 */ ||
      buf[at + 6] !== 46 ||
      buf[at + 8] !== 32
    ) {
      throw new ResponseError(
        `not an HTTP/1.x status line: ${JSON.stringify(buf.toString('latin1', at, Math.min(headEnd, at + 40)))}`,
      );
    }
    const d0 = buf[at + 9]! - 48;
    const d1 = buf[at + 10]! - 48;
    const d2 = buf[at + 11]! - 48;
    if (d0 < 1 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) throw new ResponseError('malformed status code');
    const status = d0 * 100 + d1 * 10 + d2;
    // HTTP/1.0 closes after the response unless it says keep-alive.
    let reusable = buf[at + 7] === 49;
    let length = -1;
    let chunked = false;
    let otherCoding = false;
    this.keepAliveMs = 0;

    let line = buf.indexOf(LF, at, 'latin1') + 1;
    while (line > 0 && line < headEnd) {
      let eol = buf.indexOf(LF, line, 'latin1');
      if (eol === -1 || eol > headEnd) eol = headEnd;
      const c = buf[line]! | 0x20;
      // Only the framing headers are decoded (content-length, transfer-encoding, connection, keep-alive): the
      // first letter and the name's length rule out the rest without building a string.
      const colon = c === 99 /* c */ || c === 116 /* t */ || c === 107 /* k */ ? buf.indexOf(58, line) : -1;
      const nameLength = colon - line;
      if (colon !== -1 && colon < eol && (nameLength === 14 || nameLength === 17 || nameLength === 10)) {
        const name = buf.toString('latin1', line, colon).toLowerCase();
        if (
          name === 'content-length' ||
          name === 'transfer-encoding' ||
          name === 'connection' ||
          name === 'keep-alive'
        ) {
          const value = buf
            .toString('latin1', colon + 1, eol)
            .trim()
            .toLowerCase();
          if (name === 'content-length') {
            if (!/^\d{1,15}$/.test(value) || (length !== -1 && length !== Number(value))) {
              throw new ResponseError(`invalid content-length: ${JSON.stringify(value)}`);
            }
            length = Number(value);
          } else if (name === 'transfer-encoding') {
            chunked = value.endsWith('chunked');
            otherCoding = !chunked; // the body then ends at the close, whatever content-length says
          } else if (name === 'connection') {
            if (/(^|,)\s*close\s*(,|$)/.test(value)) reusable = false;
            else if (/(^|,)\s*keep-alive\s*(,|$)/.test(value)) reusable = true;
          } else if (name === 'keep-alive') {
            const m = /timeout\s*=\s*(\d+)/.exec(value);
            if (m) this.keepAliveMs = Number(m[1]) * 1000;
          }
        }
      }
      line = eol + 1;
    }

    if (status < 200) {
      // Interim response (100, 103): the final one follows on the same connection.
      if (status === 101) throw new ResponseError('101 Switching Protocols: no upgrade was asked for');
      return;
    }
    this.sink.onHead(status);
    this.reusable = reusable;
    if (status === 204 || status === 304) {
      this.state = State.Length;
      this.remaining = 0;
    } else if (chunked) {
      this.state = State.ChunkSize;
    } else if (length !== -1 && !otherCoding) {
      this.state = State.Length;
      this.remaining = length;
    } else {
      this.state = State.UntilClose;
      this.reusable = false;
    }
  }

  /** Reads one CRLF-terminated line, possibly across reads, and hands it (without CRLF) to `use`. */
  private line(buf: Buffer, i: number, end: number, use: (line: Buffer) => void): number {
    const lf = buf.indexOf(LF, i);
    if (lf === -1 || lf >= end) {
      if (this.carry.length + (end - i) > MAX_HEAD_BYTES) throw new ResponseError('chunk line too long');
      this.carry = Buffer.concat([this.carry, buf.subarray(i, end)]);
      return end;
    }
    let whole =
      this.carry.length === 0 ? buf.subarray(i, lf + 1) : Buffer.concat([this.carry, buf.subarray(i, lf + 1)]);
    this.carry = EMPTY;
    if (whole.length < 2 || whole[whole.length - 2] !== CR) throw new ResponseError('chunk line not ended by CRLF');
    whole = whole.subarray(0, whole.length - 2);
    use(whole);
    return lf + 1;
  }

  private chunkSize(line: Buffer): void {
    // "1a2b;ext=1": hex size, optional extensions after ';'.
    const semi = line.indexOf(59);
    const hex = line.toString('latin1', 0, semi === -1 ? line.length : semi).trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex))
      throw new ResponseError(`invalid chunk size: ${JSON.stringify(hex.slice(0, 20))}`);
    const size = parseInt(hex, 16);
    if (size === 0) {
      this.state = State.Trailers;
      return;
    }
    this.remaining = size;
    this.state = State.ChunkData;
  }
}
