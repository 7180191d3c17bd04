import type { RequestSpec } from './requests';

/**
 * The bytes of one HTTP/1.1 request. A GET is built once per path and reused (the request factory hands out
 * the same few specs again and again), so the hot path of a read-only mix allocates nothing; a POST carries
 * its own JSON body and is built per request.
 */
export class RequestBytes {
  private readonly gets = new Map<string, Buffer>();
  private readonly host: string;

  /** `host` is the Host header's value: the origin's host and port, e.g. "127.0.0.1:8080". */
  constructor(host: string) {
    if (/[\r\n]/.test(host)) throw new Error(`invalid host ${JSON.stringify(host)}`);
    this.host = host;
  }

  of(spec: RequestSpec): Buffer {
    if (spec.body === null) {
      let bytes = this.gets.get(spec.path);
      if (bytes === undefined) {
        bytes = Buffer.from(`${spec.method} ${pathOf(spec.path)} HTTP/1.1\r\nHost: ${this.host}\r\n\r\n`, 'latin1');
        // Bounded: a mix cycles through at most 10,000 account paths (requests.ts).
        if (this.gets.size < 20_000) this.gets.set(spec.path, bytes);
      }
      return bytes;
    }
    const body = Buffer.from(spec.body, 'utf8');
    const head = `${spec.method} ${pathOf(spec.path)} HTTP/1.1\r\nHost: ${this.host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const bytes = Buffer.allocUnsafe(Buffer.byteLength(head, 'latin1') + body.length);
    const n = bytes.write(head, 0, 'latin1');
    body.copy(bytes, n);
    return bytes;
  }
}

function pathOf(p: string): string {
  if (!p.startsWith('/') || /[\s\x00-\x1f\x7f]/.test(p)) throw new Error(`invalid request path ${JSON.stringify(p)}`);
  return p;
}
