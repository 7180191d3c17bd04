import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import t, { type Test } from 'tap';
import { Recorder } from '../../scripts/lib/loadgen/recorder';
import type { RequestSpec } from '../../scripts/lib/loadgen/requests';
import { checkScenario, compileScenario } from '../../scripts/lib/loadgen/scenario';
import { SocketTransport } from '../../scripts/lib/loadgen/socket-transport';

/**
 * The socket transport against real servers on this slot's loopback net: Node's own HTTP server (keep-alive,
 * chunked, Connection: close, its keep-alive timeout) and raw TCP servers that misbehave on purpose.
 */
const slot = Number(process.env.POOLGATE_LAB_SLOT ?? '0');
const HOST = `127.0.${slot}.61`;

const SCENARIO = checkScenario(
  {
    requests: [
      { name: 'accounts', method: 'GET', path: '/api/accounts' },
      { name: 'nowhere', method: 'GET', path: '/api/nowhere' },
      {
        name: 'entry',
        method: 'POST',
        path: '/api/journal-entries',
        writes: true,
        json: { memo: 'é memo' },
        expect: [201],
        capture: { json: 'journal_entry.id' },
      },
      {
        name: 'item',
        method: 'PUT',
        path: '/items/{{seq}}?n={{int 5 7}}&run={{run_id}}',
        writes: true,
        headers: { 'Idempotency-Key': '{{uuid}}', Accept: 'application/json' },
        json: { id: '{{uuid}}', n: '{{seq}}', label: 'née #{{seq}} {{pick a b}}' },
      },
    ],
  },
  { file: null, sha256: null, name: 'transport' },
);
const names = SCENARIO.requests.map((r) => r.name);

/** The scenario's requests compiled for `url`'s origin: [accounts, nowhere, entry, item]. */
const compiled = (url: string) => compileScenario(SCENARIO, { host: new URL(url).host, runId: 'run-7' });
/** GET /api/accounts without prebuilt bytes: the transport encodes it for whichever server a test starts. */
const GET: RequestSpec = { ...compiled('http://127.0.0.1:1')[0]!.next(), bytes: null };

async function listen(t: Test, server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  t.teardown(() => {
    if (server instanceof http.Server) server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return (server.address() as AddressInfo).port;
}

/** Node's HTTP server; counts connections and keeps what each request carried. */
async function nodeServer(
  t: Test,
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
  keepAliveMs = 5000,
) {
  const seen: Array<{ method: string; url: string; host: string; type: string; body: string }> = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        host: req.headers.host!,
        type: req.headers['content-type'] ?? '',
        body,
      });
      handle(req, res, body);
    });
  });
  server.on('connection', () => connections++);
  server.keepAliveTimeout = keepAliveMs;
  const port = await listen(t, server);
  return { url: `http://${HOST}:${port}`, seen, connections: () => connections };
}

/** A raw TCP server: `onRequest` gets the socket once per request head it receives. */
async function rawServer(t: Test, onRequest: (socket: net.Socket, n: number) => void) {
  let n = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending = '';
    socket.on('data', (chunk) => {
      pending += chunk.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        pending = pending.slice(pending.indexOf('\r\n\r\n') + 4);
        onRequest(socket, ++n);
      }
    });
  });
  t.teardown(() => sockets.forEach((s) => s.destroy()));
  const port = await listen(t, server);
  return { url: `http://${HOST}:${port}`, requests: () => n };
}

/** One transport with its recorder; `send` resolves when the lane is released (answered or failed). */
function harness(t: Test, url: string, opts: { lanes?: number; timeoutMs?: number } = {}) {
  const recorder = new Recorder(names, false);
  const transport = new SocketTransport(
    { url, lanes: opts.lanes ?? 1, timeoutMs: opts.timeoutMs ?? 2000, now: () => performance.now() },
    recorder,
  );
  t.teardown(() => transport.close());
  const waiting = new Map<number, () => void>();
  transport.setRelease((lane) => {
    const done = waiting.get(lane);
    waiting.delete(lane);
    done?.();
  });
  const send = (spec: RequestSpec, lane = 0): Promise<void> =>
    new Promise((resolve) => {
      waiting.set(lane, resolve);
      const now = performance.now();
      recorder.recordSend(spec.request.index, now, now, false);
      transport.send(lane, spec, now, now);
    });
  const [accounts, nowhere, entry, item] = compiled(url);
  return { recorder, transport, send, prebuilt: accounts!.next(), nowhere: nowhere!, entry: entry!, item: item! };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('requests on a kept-alive connection: the bytes sent, the statuses, the captured ids', async (t) => {
  const server = await nodeServer(t, (req, res) => {
    if (req.method === 'POST') {
      res.writeHead(201, { 'content-type': 'application/json' });
      // Chunked (no length set), in two writes: the id must still be read whole.
      res.write('{"journal_entry":');
      setImmediate(() => res.end('{"id":77}}'));
    } else {
      res.writeHead(req.url === '/api/accounts' ? 200 : 404, { 'content-type': 'application/json' });
      res.end('[]');
    }
  });
  const { recorder, transport, send, prebuilt, nowhere, entry } = harness(t, server.url, { lanes: 2 });
  const warm = await transport.warmUp();
  t.same(warm, { failures: 0, messages: [] }, 'both lanes opened');
  t.equal(server.connections(), 2);
  t.ok(prebuilt.bytes, 'a request without templates is encoded once, before the run');
  for (let i = 0; i < 20; i++) await send(prebuilt, i % 2);
  await send(entry.next());
  await send(nowhere.next(), 1);
  t.equal(server.connections(), 2, 'every request reused its lane’s connection');
  t.equal(recorder.ok, 21);
  t.same(recorder.errorCounts(), { http_404: 1 }, 'an unexpected status is an error of its kind');
  t.same(recorder.captured[2], { values: [77], missing: 0 }, 'the id from a chunked 201 body');
  const p = server.seen.find((s) => s.method === 'POST')!;
  t.same(
    p,
    {
      method: 'POST',
      url: '/api/journal-entries',
      host: server.url.slice('http://'.length),
      type: 'application/json',
      body: '{"memo":"é memo"}',
    },
    'the POST as sent, UTF-8 body whole',
  );
  t.equal(server.seen[0]!.url, '/health', 'warm-up asked /health');
});

t.test('Connection: close answers: each request gets a new connection, none fails', async (t) => {
  const server = await nodeServer(t, (_req, res) => {
    res.setHeader('connection', 'close');
    res.end('{}');
  });
  const { recorder, send } = harness(t, server.url);
  for (let i = 0; i < 5; i++) await send(GET);
  t.equal(recorder.ok, 5);
  t.equal(server.connections(), 5);
});

t.test("a connection idle past the server's keep-alive hint is replaced before the next request", async (t) => {
  // Node answers "Keep-Alive: timeout=1" and closes an idle socket after 1 s.
  const server = await nodeServer(t, (_req, res) => res.end('{}'), 1000);
  const { recorder, send } = harness(t, server.url);
  await send(GET);
  await sleep(700);
  await send(GET);
  await sleep(1300);
  await send(GET);
  t.equal(recorder.ok, 3, 'no request met a connection the server had closed');
  t.equal(recorder.failed, 0);
  t.equal(server.connections(), 3, 'idle 700 ms > half the 1 s hint: replaced; 1.3 s: replaced');
});

t.test('a body that ends at the close, and a server that closes mid-response', async (t) => {
  const server = await rawServer(t, (socket, n) => {
    if (n === 1) socket.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end');
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\ncut short');
  });
  const { recorder, send } = harness(t, server.url);
  await send(GET);
  t.equal(recorder.ok, 1, 'close-delimited body: answered');
  await send(GET);
  t.equal(recorder.failed, 1);
  t.same(recorder.errorCounts(), { connection: 1 });
  t.match(recorder.examples[0], /POOLGATE_SOCKET_CLOSED/);
});

t.test('headers and body timeouts, and a refused connection', async (t) => {
  const server = await rawServer(t, (socket, n) => {
    if (n === 2) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nhalf');
    // n === 1: never answers
  });
  const { recorder, send } = harness(t, server.url, { timeoutMs: 300 });
  const t0 = performance.now();
  await send(GET);
  const waited = performance.now() - t0;
  t.ok(waited >= 300 && waited < 1000, `headers timeout after ${Math.round(waited)} ms`);
  await send(GET);
  t.same(recorder.errorCounts(), { timeout: 2 });
  t.match(recorder.examples.join('\n'), /POOLGATE_HEADERS_TIMEOUT[\s\S]*POOLGATE_BODY_TIMEOUT/);

  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, HOST, resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = harness(t, `http://${HOST}:${port}`, { lanes: 3 });
  const warm = await refused.transport.warmUp();
  t.equal(warm.failures, 3, 'no lane could connect');
  t.match(warm.messages[0], /ECONNREFUSED/);
  await refused.send(GET);
  t.same(refused.recorder.errorCounts(), { connection: 1 });
});

t.test('garbage from the server fails that request only; the next one gets a new connection', async (t) => {
  const server = await rawServer(t, (socket, n) => {
    socket.write(n === 1 ? 'SSH-2.0-OpenSSH_9.2\r\n\r\n' : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
  });
  const { recorder, send } = harness(t, server.url);
  await send(GET);
  await send(GET);
  t.same(recorder.errorCounts(), { other: 1 });
  t.match(recorder.examples[0], /POOLGATE_HTTP_PARSE: not an HTTP\/1\.x status line/);
  t.equal(recorder.ok, 1);
});

t.test('abortAll gives up on what is in flight and frees the connections', async (t) => {
  let open = 0;
  const server = await rawServer(t, (socket) => {
    open++;
    socket.on('close', () => open--);
  });
  const { recorder, transport } = harness(t, server.url, { lanes: 4 });
  const now = performance.now();
  for (let lane = 0; lane < 4; lane++) transport.send(lane, GET, now, now);
  while (server.requests() < 4) await sleep(10);
  t.equal(transport.abortAll(), 4);
  t.same(recorder.errorCounts(), { timeout: 4 });
  for (let i = 0; i < 50 && open > 0; i++) await sleep(10);
  t.equal(open, 0, 'the server saw every connection close');
  t.equal(transport.abortAll(), 0, 'nothing left in flight');
});

/** A raw TCP server that keeps each request's bytes whole (head and Content-Length body) and answers 200. */
async function wireServer(t: Test) {
  const requests: string[] = [];
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length: (\d+)/i.exec(pending.subarray(0, end).toString('latin1'))?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        requests.push(pending.subarray(0, end + 4 + length).toString('utf8'));
        pending = pending.subarray(end + 4 + length);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
      }
    });
  });
  t.teardown(() => server.close());
  const port = await listen(t, server);
  return { url: `http://${HOST}:${port}`, requests };
}

t.test('a templated request: rendered per send, its bytes on the wire as HTTP/1.1 says', async (t) => {
  const server = await wireServer(t);
  const { recorder, send, item } = harness(t, server.url, { lanes: 2 });
  await send(item.next());
  await send(item.next(), 1);
  t.equal(recorder.ok, 2, 'both answered');
  const [first, second] = server.requests;
  const re =
    /^PUT \/items\/(\d+)\?n=([5-7])&run=run-7 HTTP\/1\.1\r\nHost: ([^\r]+)\r\nIdempotency-Key: ([0-9a-f-]{36})\r\nAccept: application\/json\r\nContent-Type: application\/json\r\nContent-Length: (\d+)\r\n\r\n(.*)$/s;
  const a = re.exec(first ?? '');
  const b = re.exec(second ?? '');
  t.ok(a && b, `both requests well formed:\n${first}\n${second}`);
  t.equal(a![3], new URL(server.url).host, 'Host is the origin');
  t.same([a![1], b![1]], ['1', '2'], 'seq counts the sends, across lanes');
  t.equal(Number(a![5]), Buffer.byteLength(a![6]!, 'utf8'), 'Content-Length is the UTF-8 length of the body');
  const body = JSON.parse(a![6]!) as { id: string; n: number; label: string };
  t.equal(body.id, a![4], 'one uuid per request: the header and the body agree');
  t.not(a![4], b![4], 'and a new one for the next request');
  t.equal(body.n, 1, 'a numeric template in a JSON leaf is a number');
  t.match(body.label, /^née #1 [ab]$/);
});
