/** One request of a scenario, as the run knows it: how to judge and count its answers. */
export interface ScenarioRequest {
  /** Position in the scenario: the recorder counts by it. */
  readonly index: number;
  readonly name: string;
  readonly method: string;
  readonly writes: boolean;
  /** The dotted path of the JSON field kept from each successful answer, split; null: nothing kept. */
  readonly capture: readonly string[] | null;
  /** Whether `status` is one of the statuses that count as success. */
  expects(status: number): boolean;
}

/**
 * What one request puts on the wire. A request without templates is one object built when the run starts, with
 * its bytes; a templated one is rendered per send and its bytes (`bytes: null`) are encoded by the transport.
 */
export interface RequestSpec {
  readonly request: ScenarioRequest;
  /** Path and query. */
  readonly path: string;
  /** Header names and values, alternating (undici's flat form). */
  readonly headers: readonly string[];
  readonly body: string | null;
  readonly bytes: Buffer | null;
}

/** What follows the path in a request's head up to its length: the version, Host and the given header lines. */
export function headAfterPath(host: string, headers: readonly string[]): string {
  let after = ` HTTP/1.1\r\nHost: ${host}\r\n`;
  for (let i = 0; i < headers.length; i += 2) after += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return after;
}

/**
 * The bytes of one HTTP/1.1 request, in one allocation. Everything but the body was checked to be ASCII when the
 * scenario was compiled, so the head is written as latin1 and only the body's UTF-8 length is measured.
 */
export function encodeHead(method: string, path: string, afterPath: string, body: string | null): Buffer {
  if (body === null) return Buffer.from(`${method} ${path}${afterPath}\r\n`, 'latin1');
  const length = Buffer.byteLength(body, 'utf8');
  const head = `${method} ${path}${afterPath}Content-Length: ${length}\r\n\r\n`;
  const bytes = Buffer.allocUnsafe(head.length + length);
  bytes.write(head, 0, 'latin1');
  bytes.write(body, head.length, 'utf8');
  return bytes;
}

/** The bytes of `spec` for the origin `host` (the Host header's value: the origin's host and port). */
export function encodeRequest(host: string, spec: Omit<RequestSpec, 'bytes'>): Buffer {
  return encodeHead(spec.request.method, spec.path, headAfterPath(host, spec.headers), spec.body);
}

/** The warm-up request every lane opens its connection with (the service contract's GET /health; any status). */
export const WARM_UP_REQUEST: ScenarioRequest = {
  index: -1,
  name: 'warm-up',
  method: 'GET',
  writes: false,
  capture: null,
  expects: () => true,
};
