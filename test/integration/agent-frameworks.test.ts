import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import Fastify from 'fastify';
import { Counter, Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { createAgent, poolgateExpress, poolgateFastify, type AgentOptions, type PoolAgent } from '../../agent';
import { labConfig } from '../../lab/lab-config';
import { problemsOf } from '../../scripts/lib/schema';
import type { PoolConfig } from '../../scripts/types/pool-config';
import { labAppPg, readPassword, useLab } from '../helpers/lab';

/**
 * The agent under each of the three ways a service serves HTTP — node:http, Express, Fastify — on a real server on
 * loopback against the lab's real PostgreSQL: the endpoints answer the contract (schema-valid), the app's own
 * requests are counted and only those, a reload swaps the pool, a bad file is reported, the prefix and the bearer
 * token apply, and a stop drains and ends the pools.
 */
const lab = labConfig(process.env);
const pool: PoolConfig = {
  min: 2,
  max: 4,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 2000,
  acquireTimeoutMillis: 5000,
};
const TOKEN = 'test-token-4f1c';

interface Served {
  agent: PoolAgent;
  url: string;
  configPath: string;
}

type Framework = 'node:http' | 'express' | 'fastify';

let nextHost = 70;

function agentFor(tt: Test, name: string, extra: Partial<AgentOptions> = {}): { agent: PoolAgent; configPath: string } {
  const dir = tt.testdir({ 'pool.json': JSON.stringify(pool) });
  const configPath = path.join(dir, 'pool.json');
  const tokenFile = path.join(dir, 'token');
  fs.writeFileSync(tokenFile, `${TOKEN}\n`);
  const agent = createAgent({
    config: configPath,
    name,
    pg: labAppPg(lab),
    signals: false,
    token: { file: tokenFile },
    ...extra,
  });
  return { agent, configPath };
}

/** The same small app in each framework: GET /items reads the database, GET /boom answers 500. */
async function serve(tt: Test, framework: Framework, extra: Partial<AgentOptions> = {}): Promise<Served> {
  const host = `${lab.net}.${nextHost++}`;
  const { agent, configPath } = agentFor(tt, `agent-${framework.replace(':', '-')}-${nextHost}`, extra);
  let server: http.Server;
  if (framework === 'node:http') {
    server = http.createServer((req, res) => {
      if (agent.handle(req, res)) return;
      if (req.url === '/items') {
        agent.query<{ n: number }>('SELECT 1 AS n').then(({ rows }) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(rows));
        });
      } else {
        res.writeHead(req.url === '/boom' ? 500 : 404);
        res.end();
      }
    });
  } else if (framework === 'express') {
    const app = express();
    app.use(poolgateExpress(agent));
    app.get('/items', async (_req, res) => {
      res.json((await agent.query<{ n: number }>('SELECT 1 AS n')).rows);
    });
    app.get('/boom', (_req, res) => void res.status(500).end());
    server = http.createServer(app);
  } else {
    const app = Fastify();
    await app.register(poolgateFastify, { agent });
    // An encapsulated plugin of the app's own: its routes are counted too, and it sees the decorator.
    await app.register(async (child) => {
      child.get('/items', async () =>
        (child as unknown as { poolgate: PoolAgent }).poolgate.query('SELECT 1 AS n').then((r) => r.rows),
      );
      child.get('/boom', async (_req, reply) => reply.code(500).send());
    });
    await app.ready();
    server = app.server;
  }
  agent.attach(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  tt.teardown(async () => {
    await agent.stop('manual');
    if (server.listening) await new Promise((r) => server.close(r));
  });
  await agent.start();
  const { port } = server.address() as AddressInfo;
  return { agent, url: `http://${host}:${port}${agent.prefix}`, configPath };
}

async function get(url: string, auth = true): Promise<{ status: number; type: string; body: any }> {
  const res = await fetch(url, { headers: auth ? { authorization: `Bearer ${TOKEN}` } : {} });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // the Prometheus text and empty bodies
  }
  return { status: res.status, type: res.headers.get('content-type') ?? '', body };
}

t.before(async () => {
  await useLab(t);
});

for (const framework of ['node:http', 'express', 'fastify'] as const) {
  t.test(`${framework}: the contract, counting, reload, token and stop`, async (tt) => {
    const svc = await serve(tt, framework);
    const base = svc.url.replace(/\/$/, '');
    const app = base;

    const health = await get(`${base}/health`, false);
    tt.equal(health.status, 200, '/health needs no token (load balancers probe it)');
    tt.same(health.body, { status: 'ok' });

    for (let i = 0; i < 3; i += 1) tt.equal((await get(`${app}/items`)).status, 200);
    tt.equal((await get(`${app}/boom`)).status, 500);

    const denied = await get(`${base}/api/health/metrics`, false);
    tt.equal(denied.status, 401, 'metrics without the token: 401');
    tt.equal((await get(`${base}/api/health/pool-config`, false)).status, 401);
    tt.equal((await get(`${base}/metrics`, false)).status, 401);

    const m = await get(`${base}/api/health/metrics`);
    tt.equal(m.status, 200);
    tt.match(m.type, /^application\/json/);
    tt.same(problemsOf('service-metrics', m.body), [], 'metrics valid against schemas/service-metrics.schema.json');
    tt.same(m.body.requests, { total: 4, errors: 1, in_flight: 0 }, "only the app's requests are counted");
    tt.equal(m.body.latency.count, 4);
    tt.ok(m.body.pool.total >= 2 && m.body.pool.max === 4, 'min prewarmed, max in force');

    const pc = await get(`${base}/api/health/pool-config`);
    tt.same(problemsOf('service-pool-config', pc.body), [], 'pool-config valid');
    tt.match(pc.body, {
      pool,
      source: svc.configPath,
      generation: 1,
      last_reload_error: null,
      reloading: false,
      sha256: crypto.createHash('sha256').update(fs.readFileSync(svc.configPath)).digest('hex'),
    });
    tt.notMatch(JSON.stringify(pc.body), readPassword(lab, 'app'), 'no password in the document');

    const prom = await get(`${base}/metrics`);
    tt.equal(prom.status, 200);
    tt.match(prom.type, /^text\/plain/);
    tt.match(prom.body, /poolgate_service_requests_total\{instance="[^"]+"\} 4/);

    fs.writeFileSync(svc.configPath, JSON.stringify({ ...pool, min: 1, max: 3 }));
    tt.equal(await svc.agent.reload(), 'reloaded');
    const after = await get(`${base}/api/health/pool-config`);
    tt.match(after.body, { generation: 2, pool: { max: 3, min: 1 }, last_reload_error: null });
    tt.equal((await get(`${app}/items`)).status, 200, 'the new pool serves');

    fs.writeFileSync(svc.configPath, '{"min": 1');
    tt.equal(await svc.agent.reload(), 'failed');
    const bad = await get(`${base}/api/health/pool-config`);
    tt.match(bad.body, { generation: 2, pool: { max: 3 }, last_reload_error: { message: /not valid JSON/ } });
    tt.same(problemsOf('service-pool-config', bad.body), []);

    const m2 = await get(`${base}/api/health/metrics`);
    tt.ok(m2.body.requests.total >= m.body.requests.total, 'counters never go backwards');
    tt.equal(m2.body.pool.generation, 2);

    await svc.agent.stop('manual');
    tt.equal(svc.agent.lifecycle, 'draining');
    tt.equal(svc.agent.metricsDocument().pool.total, 0, 'every pool ended');
  });
}

t.test("a path prefix and the app's own prom-client registry (Express)", async (tt) => {
  const registry = new Registry();
  const orders = new Counter({ name: 'app_orders_total', help: 'orders', registers: [registry] });
  orders.inc(7);
  const svc = await serve(tt, 'express', { prefix: '/ops/', prometheus: { registry } });
  tt.match(svc.url, /\/ops$/);
  const root = svc.url.replace(/\/ops$/, '');
  tt.equal((await get(`${root}/health`)).status, 404, 'not at the root: the app answers there');
  tt.equal((await get(`${svc.url}/health`)).status, 200);
  tt.equal((await get(`${root}/items`)).status, 200);
  const prom = await get(`${svc.url}/metrics`);
  tt.match(prom.body, /app_orders_total 7/, "the app's own figures are served");
  tt.match(prom.body, /poolgate_service_requests_total 2/, "the agent's figures join them (the 404 counts too)");
});

t.test('a prefix under Fastify places the endpoints whatever register() is given', async (tt) => {
  const svc = await serve(tt, 'fastify', { prefix: '/ops' });
  tt.equal((await get(`${svc.url}/health`)).status, 200);
  tt.same(problemsOf('service-metrics', (await get(`${svc.url}/api/health/metrics`)).body), []);
  const head = await fetch(`${svc.url}/health`, { method: 'HEAD' });
  tt.equal(head.status, 200, 'HEAD is answered too');
});
