import fs from 'node:fs';
import http from 'node:http';
import pg from 'pg';
import { createAgent } from '../../agent';

/**
 * The agent's cost is measured on the most trivial node:http handler there is (200, a fixed body), once bare and
 * once with the agent attached as a service would attach it: every request goes through `agent.handle` (routing,
 * counting in flight, latency into the window on close). "Bare" is the service before it adopts the agent, so it
 * builds its own pg.Pool with the agent's settings: a service has one, and the agent replaces it (building a pool
 * alone cost this handler ~1.4 %, measured apart). The pools have min 0 and the handler never uses them, so no
 * database is needed and none is touched: what is measured is the agent's work per request.
 *
 * Usage: node agent-server.js <host> <port> <bare|agent>; prints "listening <port>" when ready.
 */
const [host = '127.0.0.1', portArg = '0', mode = 'agent'] = process.argv.slice(2);
const BODY = '{"ok":true}';
const POOL = { min: 0, max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 2000 };
const DATABASE = { host: '127.0.0.1', port: 9 };

function trivial(_req: http.IncomingMessage, res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': BODY.length });
  res.end(BODY);
}

async function main(): Promise<void> {
  let server: http.Server;
  if (mode === 'bare') {
    const pool = new pg.Pool({ ...DATABASE, ...POOL });
    server = http.createServer(trivial);
    server.on('close', () => void pool.end());
  } else {
    const agent = createAgent({
      config: {
        env: {
          POOL_MIN: String(POOL.min),
          POOL_MAX: String(POOL.max),
          POOL_IDLETIMEOUTMILLIS: String(POOL.idleTimeoutMillis),
          POOL_CONNECTIONTIMEOUTMILLIS: String(POOL.connectionTimeoutMillis),
          POOL_ACQUIRETIMEOUTMILLIS: '10000',
        },
      },
      name: 'bench',
      pg: DATABASE,
      signals: false,
    });
    await agent.start();
    // Server-side time of each metrics read (request in to response flushed), for the bench: on a shared machine
    // the client's figure also carries the time both processes wait for a core.
    const metricsMs: number[] = [];
    const timesFile = process.env.POOLGATE_BENCH_METRICS_TIMES;
    server = http.createServer((req, res) => {
      if (timesFile && req.url === '/api/health/metrics') {
        const t0 = performance.now();
        res.on('finish', () => metricsMs.push(performance.now() - t0));
      }
      if (!agent.handle(req, res)) trivial(req, res);
    });
    if (timesFile) process.on('SIGTERM', () => fs.writeFileSync(timesFile, JSON.stringify(metricsMs)));
  }
  server.keepAliveTimeout = 30_000;
  server.listen(Number(portArg), host, () => {
    process.stdout.write(`listening ${(server.address() as import('node:net').AddressInfo).port}\n`);
  });
  process.on('SIGTERM', () => setImmediate(() => process.exit(0)));
}

void main();
