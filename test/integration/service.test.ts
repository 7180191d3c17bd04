import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import pg from 'pg';
import { Agent, request } from 'undici';
import { labConfig } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';
import { isValid, problemsOf } from '../../scripts/lib/schema';
import type { PoolConfig } from '../../scripts/types/pool-config';
import type { ServiceMetrics } from '../../scripts/types/service-metrics';
import type { ServicePoolConfig } from '../../scripts/types/service-pool-config';
import { assertWritesExactlyOnce, steadyTraffic, useLab } from '../helpers/lab';

/**
 * The reference service against the lab's real PostgreSQL. Each test starts its OWN service process on a
 * spare address of the slot's net (.50 and up), so the lab's four instances are never disturbed.
 */
const lab = labConfig(process.env);
const mainJs = path.join(packageRoot, 'dist', 'lab', 'service', 'main.js');
const agent = new Agent({ connections: 64, keepAliveTimeout: 1000 });
t.teardown(() => agent.close());

const base: PoolConfig = {
  min: 2,
  max: 5,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 2000,
  acquireTimeoutMillis: 10000,
};

interface Service {
  name: string;
  url: string;
  configPath: string;
  logPath: string;
  child: ChildProcess;
  exit: Promise<number | null>;
  writeConfig(text: string): void;
}

let nextHost = 50;

interface StartOptions {
  debug?: boolean;
  /** another database endpoint than the lab's (e.g. one that never answers) */
  pg?: { host: string; port: number };
  /** wait for /health 200 (default) or only for any answer */
  healthy?: boolean;
}

async function startService(tt: Test, name: string, pool: PoolConfig, opts: StartOptions = {}): Promise<Service> {
  const address = `${lab.net}.${nextHost++}`;
  const dir = tt.testdir({ 'pool.json': JSON.stringify(pool) });
  const configPath = path.join(dir, 'pool.json');
  const logPath = path.join(dir, 'service.log');
  const child = spawn(
    process.execPath,
    [mainJs, '--name', name, '--host', address, '--port', '3000', '--config', configPath, '--log', logPath],
    {
      env: {
        PATH: process.env.PATH,
        PGHOST: opts.pg?.host ?? lab.pg.host,
        PGPORT: String(opts.pg?.port ?? lab.pg.port),
        PGDATABASE: lab.pg.database,
        PGUSER: lab.pg.appUser,
        POOLGATE_DB_PASSWORD_FILE: lab.pg.appPasswordFile,
        ...(opts.debug ? { POOLGATE_LAB_DEBUG: '1' } : {}),
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  tt.teardown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const done = await Promise.race([exit.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) child.kill('SIGKILL');
  });
  const svc: Service = {
    name,
    url: `http://${address}:3000`,
    configPath,
    logPath,
    child,
    exit,
    writeConfig: (text) => fs.writeFileSync(configPath, text),
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service ${name} exited ${child.exitCode}: ${stderr}`);
    const h = await http(svc, 'GET', '/health').catch(() => undefined);
    if (h?.status === 200 || (h && opts.healthy === false)) return svc;
    if (Date.now() > deadline)
      throw new Error(`service ${name} not healthy in 15 s: ${JSON.stringify(h?.body)} ${stderr}`);
    await sleep(100);
  }
}

async function http(
  svc: Service,
  method: string,
  p: string,
  body?: unknown,
): Promise<{ status: number; body: any; ms: number }> {
  const started = performance.now();
  const res = await request(`${svc.url}${p}`, {
    method: method as 'GET',
    dispatcher: agent,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
  const text = await res.body.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // /metrics is text
  }
  return { status: res.statusCode, body: parsed, ms: performance.now() - started };
}

const poolConfigOf = async (svc: Service): Promise<ServicePoolConfig> =>
  (await http(svc, 'GET', '/api/health/pool-config')).body;
const metricsOf = async (svc: Service): Promise<ServiceMetrics> => (await http(svc, 'GET', '/api/health/metrics')).body;

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** A direct connection as the app role: it sees its own role's sessions in pg_stat_activity. */
async function dbClient(tt: Test): Promise<pg.Client> {
  const client = new pg.Client({
    host: lab.pg.host,
    port: lab.pg.port,
    database: lab.pg.database,
    user: lab.pg.appUser,
    password: fs.readFileSync(lab.pg.appPasswordFile, 'utf8').trim(),
    application_name: 'service-test',
  });
  await client.connect();
  tt.teardown(() => client.end());
  return client;
}

async function connectionsOf(db: pg.Client, name: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [name],
  );
  return rows[0].n;
}

const entry = (i: number) => ({
  memo: `integration ${i}`,
  lines: [
    { account_id: 1 + (i % 5), debit: '12.34' },
    { account_id: 12, credit: '12.34' },
  ],
});

t.before(async () => {
  await useLab(t);
});

t.test('every endpoint answers its contract', async (t) => {
  const password = fs.readFileSync(lab.pg.appPasswordFile, 'utf8').trim();
  const svc = await startService(t, 'svc-contract', base);

  const health = await http(svc, 'GET', '/health');
  t.equal(health.status, 200);
  t.same(problemsOf('service-health', health.body), [], '/health valid');
  t.same(health.body, { status: 'ok' });

  const accounts = await http(svc, 'GET', '/api/accounts');
  t.equal(accounts.status, 200);
  t.ok(accounts.body.accounts.length >= 20, 'seeded accounts listed');
  const balance = await http(svc, 'GET', '/api/accounts/1/balance');
  t.equal(balance.status, 200);
  t.match(balance.body, { id: 1, balance: /^-?\d+\.\d{2}$/, debits: /^\d+\.\d{2}$/ });

  const posted = await http(svc, 'POST', '/api/journal-entries', entry(1));
  t.equal(posted.status, 201);
  const got = await http(svc, 'GET', `/api/journal-entries/${posted.body.id}`);
  t.equal(got.status, 200);
  t.same(got.body.lines, [
    { account_id: 2, debit: '12.34', credit: '0.00' },
    { account_id: 12, debit: '0.00', credit: '12.34' },
  ]);
  const unbalanced = await http(svc, 'POST', '/api/journal-entries', {
    memo: 'x',
    lines: [
      { account_id: 1, debit: '1' },
      { account_id: 2, credit: '2' },
    ],
  });
  t.equal(unbalanced.status, 400);
  t.equal(unbalanced.body.error, 'bad_request');
  t.equal((await http(svc, 'GET', '/api/accounts/999999/balance')).status, 404);
  t.equal(
    (await http(svc, 'GET', '/api/debug/sleep?ms=1')).status,
    404,
    'debug route absent without POOLGATE_LAB_DEBUG=1',
  );

  const metrics = await http(svc, 'GET', '/api/health/metrics');
  t.equal(metrics.status, 200);
  t.same(problemsOf('service-metrics', metrics.body), [], '/api/health/metrics valid');
  const m = metrics.body as ServiceMetrics;
  t.equal(m.instance, 'svc-contract');
  t.equal(m.requests.total, 7, 'API routes only: health and metrics are not counted');
  t.equal(m.requests.errors, 0, '4xx are not errors');
  t.equal(m.pool.max, 5);
  t.ok(m.pool.total >= 2, 'min connections pre-warmed');
  t.ok(m.pool.connects >= 2);

  const pc = await http(svc, 'GET', '/api/health/pool-config');
  t.equal(pc.status, 200);
  t.same(problemsOf('service-pool-config', pc.body), [], '/api/health/pool-config valid');
  t.match(pc.body, {
    instance: 'svc-contract',
    pool: base,
    source: svc.configPath,
    generation: 1,
    last_reload_error: null,
    reloading: false,
    sha256: crypto.createHash('sha256').update(fs.readFileSync(svc.configPath)).digest('hex'),
  });

  const prom = await http(svc, 'GET', '/metrics');
  t.equal(prom.status, 200);
  t.match(prom.body, /poolgate_pool_max\{instance="svc-contract"\} 5/);
  t.match(prom.body, /poolgate_service_requests_total\{instance="svc-contract"\} 7/);
  t.match(prom.body, /poolgate_service_request_duration_seconds_bucket/);

  const db = await dbClient(t);
  t.ok((await connectionsOf(db, 'svc-contract')) >= 2, 'application_name is the instance name');

  for (const [what, text] of [
    ['pool-config', JSON.stringify(pc.body)],
    ['metrics', JSON.stringify(m)],
    ['prometheus', String(prom.body)],
    ['log', fs.readFileSync(svc.logPath, 'utf8')],
    ['argv', fs.readFileSync(`/proc/${svc.child.pid}/cmdline`, 'utf8')],
  ]) {
    t.notOk(text.includes(password), `the password is not in the ${what}`);
  }
});

t.test('SIGHUP under concurrent reads and writes swaps the pool with no failed request', async (t) => {
  const name = 'svc-reload';
  const svc = await startService(t, name, base);
  const db = await dbClient(t);
  const next: PoolConfig = { ...base, min: 4, max: 10, acquireTimeoutMillis: 9000 };

  let peak = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      peak = Math.max(peak, await connectionsOf(db, name));
      await sleep(10);
    }
  })();

  const stopLoad = new AbortController();
  const load = steadyTraffic(svc.url, {
    concurrency: 30,
    durationMs: 10_000,
    writeRatio: 0.4,
    signal: stopLoad.signal,
  });
  await sleep(1000);
  const before = await metricsOf(svc);
  t.ok(before.pool.waiting > 0, `requests are queued on the old pool at the swap (waiting ${before.pool.waiting})`);
  svc.writeConfig(JSON.stringify(next));
  svc.child.kill('SIGHUP');
  const after = await waitFor('the reload to finish', async () => {
    const pc = await poolConfigOf(svc);
    return pc.generation === 2 && !pc.reloading ? pc : undefined;
  });
  await sleep(1000);
  stopLoad.abort();
  const result = await load;
  polling = false;
  await poller;

  t.same(result.failures, [], `no failed request (of ${result.ok + result.failed})`);
  t.ok(result.acknowledged.length > 20, `writes acknowledged: ${result.acknowledged.length}`);
  await assertWritesExactlyOnce(t, lab, result);
  t.same(after.pool, next, 'the new values are in force');
  t.equal(after.generation, 2);
  t.equal(after.last_reload_error, null);
  t.ok(peak <= base.max + next.max, `connections never above old max + new max (peak ${peak})`);
  t.ok(peak > base.max, `the new pool was used while the old one drained or after (peak ${peak})`);
  const m = await metricsOf(svc);
  t.equal(m.pool.generation, 2);
  t.equal(m.pool.max, 10);
  t.ok(m.pool.total <= next.max, 'the old pool is gone from the gauges');
  const log = fs.readFileSync(svc.logPath, 'utf8');
  t.match(log, /"event":"reload_ok","generation":2/);
  t.match(log, /"event":"pool_ended","generation":1/);
});

t.test('an invalid file + SIGHUP keeps the old pool and reports the error', async (t) => {
  const svc = await startService(t, 'svc-badfile', base);
  const stopLoad = new AbortController();
  const load = steadyTraffic(svc.url, { concurrency: 10, durationMs: 10_000, signal: stopLoad.signal });
  await sleep(300);
  svc.writeConfig(JSON.stringify({ ...base, min: 20, max: 10 }));
  svc.child.kill('SIGHUP');
  const failed = await waitFor('last_reload_error', async () => {
    const pc = await poolConfigOf(svc);
    return pc.last_reload_error ? pc : undefined;
  });
  t.match(failed.last_reload_error?.message, /min \(20\) must be <= \/max \(10\)/);
  t.same(failed.pool, base, 'old pool still in force');
  t.equal(failed.generation, 1);
  t.equal(failed.reloading, false);

  svc.writeConfig('{"min": 1, "max": 3, "oops": true}');
  svc.child.kill('SIGHUP');
  await waitFor('the second error', async () => {
    const pc = await poolConfigOf(svc);
    return pc.last_reload_error?.message.includes('unknown key "oops"') ? pc : undefined;
  });
  await sleep(300);
  stopLoad.abort();
  const result = await load;
  t.same(result.failures, [], `no failed request (of ${result.ok + result.failed})`);
  t.ok(result.ok > 0);
  t.same(problemsOf('service-pool-config', await poolConfigOf(svc)), []);
  t.match(fs.readFileSync(svc.logPath, 'utf8'), /"event":"reload_failed"/);

  svc.writeConfig(JSON.stringify({ ...base, max: 6 }));
  svc.child.kill('SIGHUP');
  const fixed = await waitFor('the good reload', async () => {
    const pc = await poolConfigOf(svc);
    return pc.generation === 2 ? pc : undefined;
  });
  t.equal(fixed.last_reload_error, null, 'a good reload clears the error');
  t.equal(fixed.pool.max, 6);
});

t.test('SIGTERM lets in-flight requests finish, then exits 0', async (t) => {
  const name = 'svc-sigterm';
  const svc = await startService(t, name, base, { debug: true });
  const db = await dbClient(t);
  const inflight = [1, 2, 3].map(() => http(svc, 'GET', '/api/debug/sleep?ms=1500'));
  await waitFor('3 requests in flight', async () =>
    (await metricsOf(svc)).requests.in_flight >= 3 ? true : undefined,
  );
  const signalledAt = Date.now();
  svc.child.kill('SIGTERM');
  await sleep(100);
  const health = await http(svc, 'GET', '/health').catch((err: Error) => ({ status: 0, body: err.message, ms: 0 }));
  t.not(health.status, 200, `/health is not ok while draining (${health.status} ${JSON.stringify(health.body)})`);

  const results = await Promise.all(inflight);
  t.same(
    results.map((r) => r.status),
    [200, 200, 200],
    'in-flight requests completed',
  );
  const code = await svc.exit;
  t.equal(code, 0, 'exit code 0');
  t.ok(Date.now() - signalledAt >= 1000, 'it waited for the in-flight work');
  t.equal(await connectionsOf(db, name), 0, 'its connections are closed');
  const log = fs.readFileSync(svc.logPath, 'utf8');
  t.match(log, /"event":"service_stopping","signal":"SIGTERM","in_flight":3/);
  t.match(log, /"event":"service_stopped"/);
});

t.test('pool exhaustion: beyond acquireTimeoutMillis requests fail fast and are counted', async (t) => {
  const svc = await startService(
    t,
    'svc-exhaust',
    { ...base, min: 0, max: 2, acquireTimeoutMillis: 300 },
    { debug: true },
  );
  const holders = [1, 2].map(() => http(svc, 'GET', '/api/debug/sleep?ms=2500'));
  await waitFor('both connections held', async () => ((await metricsOf(svc)).pool.active === 2 ? true : undefined));
  const before = await metricsOf(svc);
  const extra = await Promise.all([1, 2, 3, 4].map(() => http(svc, 'GET', '/api/accounts')));
  for (const r of extra) {
    t.equal(r.status, 503);
    t.match(r.body, { error: 'pool_acquire_timeout', acquire_timeout_ms: 300, message: /acquireTimeoutMillis=300/ });
    t.ok(r.ms >= 250 && r.ms < 1500, `failed fast (${Math.round(r.ms)} ms)`);
  }
  const during = await metricsOf(svc);
  t.equal(during.pool.acquire_timeouts - before.pool.acquire_timeouts, 4, 'each counted in pool.acquire_timeouts');
  t.equal(during.requests.errors - before.requests.errors, 4, 'and as request errors');
  t.ok(isValid('service-metrics', during));
  t.same(
    (await Promise.all(holders)).map((r) => r.status),
    [200, 200],
    'the holders finish normally',
  );
  const recovered = await http(svc, 'GET', '/api/accounts');
  t.equal(recovered.status, 200, 'the pool serves again once connections are free');
  t.equal((await metricsOf(svc)).pool.waiting, 0, 'no abandoned waiter is left queued');
  t.match(fs.readFileSync(svc.logPath, 'utf8'), /"event":"request_error".*"error":"pool_acquire_timeout"/);
});

t.test('connectionTimeoutMillis bounds the handshake, not the wait for a free connection', async (t) => {
  // A "database" that accepts TCP connections and never answers: every handshake hangs.
  const sockets = new Set<net.Socket>();
  const silent = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = `${lab.net}.${nextHost++}`;
  await new Promise<void>((resolve) => silent.listen(54399, host, resolve));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  const pool: PoolConfig = { ...base, min: 1, max: 2, connectionTimeoutMillis: 500, acquireTimeoutMillis: 10_000 };
  const svc = await startService(t, 'svc-handshake', pool, { pg: { host, port: 54399 }, healthy: false });
  await waitFor('the pre-warm failure in the log', async () =>
    fs.readFileSync(svc.logPath, 'utf8').includes('"event":"pool_prewarm_failed"') ? true : undefined,
  );
  await waitFor('the service to serve', async () =>
    (await http(svc, 'GET', '/health')).body.status !== 'starting' ? true : undefined,
  );
  t.pass('a database down at start is logged, not fatal');

  const r = await http(svc, 'GET', '/api/accounts');
  t.equal(r.status, 503);
  t.equal(r.body.error, 'database_unavailable');
  t.ok(
    r.ms >= 400 && r.ms < 3000,
    `gave up after the 500 ms handshake timeout, not the 10 s acquire timeout (${Math.round(r.ms)} ms)`,
  );
  const health = await http(svc, 'GET', '/health');
  t.equal(health.status, 503);
  t.match(health.body, { status: 'unhealthy', reason: /database check failed/ });
  t.same(problemsOf('service-health', health.body), []);
  const m = await metricsOf(svc);
  t.equal(m.pool.acquire_timeouts, 0, 'not an acquire timeout');
  t.ok(m.pool.errors >= 1, 'a failed connect is a pool error');
  t.equal(m.pool.total, 0, 'no half-open connection kept');
});
