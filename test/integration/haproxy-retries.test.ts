import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Pool } from 'undici';
import { renderHaproxyCfg } from '../../lab/control/haproxy';
import { labConfig, type LabConfig } from '../../lab/lab-config';
import { backendServers, haproxyCommand } from '../../scripts/lib/haproxy-socket';
import { waitFor } from '../e2e/rollout-helpers';

/**
 * The lab's HAProxy config (renderHaproxyCfg, the same lines as the fleet's) on a real HAProxy, in front of four
 * small servers that misbehave on purpose, proving when a request is sent again:
 * - a POST that reached a server which then hung up without answering is NOT resent: the client gets 502 and the
 *   write reached one server once (resent, it could be recorded twice);
 * - a GET in the same case is resent to the other primary: the client gets its 200;
 * - a POST whose connection failed (it never left HAProxy) is resent and lands once.
 * Addresses .70-.75 of the slot's loopback net, so the slot's own lab can run beside it.
 */
type Behaviour = 'answer' | 'hang-up';

interface FakeServer {
  name: string;
  behaviour: Behaviour;
  server: http.Server;
  /** the memo of every POST and the path of every GET this server read, in order */
  seen: string[];
}

async function startFake(name: string, address: string, port: number, behaviour: Behaviour): Promise<FakeServer> {
  const fake: FakeServer = { name, behaviour, seen: [], server: http.createServer() };
  let nextId = 1;
  fake.server.on('request', (req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      if (req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      fake.seen.push(req.method === 'POST' ? (JSON.parse(body) as { memo: string }).memo : `${req.method} ${req.url}`);
      // As a server that dies after reading the request: it may or may not have committed, the client cannot know.
      if (fake.behaviour === 'hang-up') return void req.socket.destroy();
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(req.method === 'POST' ? { id: nextId++ } : { accounts: [] }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    fake.server.once('error', reject);
    fake.server.listen(port, address, () => resolve());
  });
  return fake;
}

interface Proxy {
  cfg: LabConfig;
  fakes: Map<string, FakeServer>;
  socket: string;
}

/** HAProxy in the foreground on the lab's config, its four servers the fakes (primary-1 hangs up). */
async function startProxy(t: Test): Promise<Proxy> {
  const lab = labConfig();
  // Not t.testdir(): a unix socket's path must fit in 108 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'poolgate-haproxy-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const address = (host: number): string => `${lab.net}.${host}`;
  const hosts: Record<string, number> = { 'standby-1': 71, 'standby-2': 72, 'primary-1': 73, 'primary-2': 74 };
  const cfg: LabConfig = {
    ...lab,
    haproxy: {
      ...lab.haproxy,
      address: address(70),
      socket: path.join(dir, 'admin.sock'),
      configPath: path.join(dir, 'haproxy.cfg'),
      url: `http://${address(70)}:${lab.haproxy.port}`,
    },
    instances: lab.instances.map((i) => ({ ...i, address: address(hosts[i.name]!) })),
  };
  const fakes = new Map<string, FakeServer>();
  for (const i of cfg.instances)
    fakes.set(i.name, await startFake(i.name, i.address, i.port, i.name === 'primary-1' ? 'hang-up' : 'answer'));
  t.teardown(() => Promise.all([...fakes.values()].map((f) => new Promise((r) => f.server.close(r)))));
  fs.writeFileSync(cfg.haproxy.configPath, renderHaproxyCfg(cfg));
  const proxy = spawn('haproxy', ['-db', '-f', cfg.haproxy.configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proxy.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  t.teardown(() => void proxy.kill('SIGTERM'));
  await waitFor(
    async () => {
      const servers = await backendServers(cfg.haproxy.socket, cfg.haproxy.backend);
      return [...servers.values()].every((s) => s.status === 'UP');
    },
    15_000,
    'HAProxy up with every server UP',
  ).catch((err: Error) => {
    throw new Error(`${err.message}: ${stderr.trim()}`);
  });
  return { cfg, fakes, socket: cfg.haproxy.socket };
}

/** The status the client got, or `closed` when HAProxy closed the connection without an answer. */
async function send(pool: Pool, method: 'GET' | 'POST', memo: string): Promise<number | 'closed'> {
  try {
    const res = await pool.request({
      path: method === 'POST' ? '/api/journal-entries' : '/api/accounts',
      method,
      headers: { 'content-type': 'application/json' },
      body: method === 'POST' ? JSON.stringify({ memo }) : undefined,
      reset: true,
    });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    if ((err as { code?: string }).code === 'UND_ERR_SOCKET') return 'closed';
    throw err;
  }
}

/** How many times each memo was read by any server. */
function deliveries(p: Proxy, memos: string[]): Map<string, string[]> {
  const out = new Map<string, string[]>(memos.map((m) => [m, []]));
  for (const f of p.fakes.values()) for (const m of f.seen) out.get(m)?.push(f.name);
  return out;
}

t.test("the lab's HAProxy never resends a write that reached a server, and resends what is safe", async (t) => {
  const p = await startProxy(t);
  const pool = new Pool(p.cfg.haproxy.url, { connections: 1 });
  t.teardown(() => pool.close());

  await t.test('a POST that reached a server which hung up: 502, delivered once, not resent', async (t) => {
    const memos = Array.from({ length: 8 }, (_, n) => `post-after-hang-up #${n}`);
    const statuses: Array<number | 'closed'> = [];
    for (const m of memos) statuses.push(await send(pool, 'POST', m));
    const got = deliveries(p, memos);
    t.ok(
      p.fakes.get('primary-1')!.seen.some((m) => memos.includes(m)),
      `primary-1 read some of them (${p.fakes.get('primary-1')!.seen.length}) and hung up`,
    );
    t.same(
      memos.filter((m) => got.get(m)!.length !== 1).map((m) => `${m}: ${got.get(m)!.join(', ') || 'none'}`),
      [],
      'every POST reached exactly one server, once',
    );
    t.same(
      statuses,
      memos.map((m) => (got.get(m)![0] === 'primary-1' ? 502 : 201)),
      'the client got 502 for each POST primary-1 read and dropped (never a retry), 201 for the others',
    );
  });

  await t.test('a GET that reached a server which hung up is resent to the other primary: 200', async (t) => {
    const before = p.fakes.get('primary-1')!.seen.length;
    const statuses: Array<number | 'closed'> = [];
    for (let n = 0; n < 6; n += 1) statuses.push(await send(pool, 'GET', ''));
    t.ok(p.fakes.get('primary-1')!.seen.length > before, 'primary-1 read GETs and hung up');
    t.same(statuses, [200, 200, 200, 200, 200, 200], 'every GET answered 200 (resent to primary-2)');
  });

  await t.test('a POST whose connection failed is resent, and lands once', async (t) => {
    // primary-1 now points at an address nobody listens on (connection refused: the request never left HAProxy);
    // its health checks are off so HAProxy keeps choosing it.
    const admin = async (cmd: string): Promise<void> => {
      const answer = (await haproxyCommand(p.socket, cmd)).trim();
      t.match(answer, /^$|changed/, `${cmd}: ${answer || 'ok'}`);
    };
    await admin(`disable health ${p.cfg.haproxy.backend}/primary-1`);
    await admin(`set server ${p.cfg.haproxy.backend}/primary-1 addr ${p.cfg.net}.75 port 3000`);
    // HAProxy's own counters for primary-1: sessions given to it, and retries (wretr) or redispatches (wredis).
    const counters = async (): Promise<{ chosen: number; resent: number }> => {
      const row = (await backendServers(p.socket, p.cfg.haproxy.backend)).get('primary-1')!;
      return { chosen: row.stot, resent: Number(row.raw.wretr) + Number(row.raw.wredis) };
    };
    const before = await counters();
    const memos = Array.from({ length: 6 }, (_, n) => `post-after-refused #${n}`);
    const statuses: Array<number | 'closed'> = [];
    for (const m of memos) statuses.push(await send(pool, 'POST', m));
    const after = await counters();
    t.ok(after.chosen > before.chosen, `HAProxy chose primary-1 for ${after.chosen - before.chosen} of them`);
    t.equal(after.resent - before.resent, after.chosen - before.chosen, 'and sent each of those again elsewhere');
    t.same(statuses, [201, 201, 201, 201, 201, 201], 'every POST answered 201');
    const got = deliveries(p, memos);
    t.same(
      memos.map((m) => got.get(m)),
      memos.map(() => ['primary-2']),
      'each one reached primary-2 once',
    );
  });
});
