import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import t, { type Test } from 'tap';
import { Pool } from 'undici';
import { createAgent } from '../../agent';
import { isValid } from '../../scripts/lib/schema';
import type { Item } from '../../scripts/types/evidence-common';
import { labAppPg, useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';

/**
 * Verify right after a restart, against a real service on the agent and the lab's PostgreSQL: the instance answers
 * slowly for its first COLD_MS (cold code, as a restarted Node process does) and at once afterwards, and its
 * latency window is WINDOW_MS. Its p95 read in a window holding that start regresses against the baseline; verify
 * reads it again once the window is warm and judges that read. A service that stays slow fails on the warm read
 * too, and with max_wait_s 0 the cold read is judged as it is.
 */
const WINDOW_MS = 3000;
const COLD_MS = 1500;
const SLOW_MS = 40;
const POOL = { min: 2, max: 4, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 5000 };
const BASELINE = path.join(__dirname, '..', 'fixtures', 'evidence-run', 'success');

interface Served {
  url: string;
  stop: () => Promise<void>;
}

/** The service: the agent, and a handler slow for COLD_MS after start (always, when `slowForever`). */
async function serve(t: Test, name: string, slowForever: boolean): Promise<Served> {
  const lab = await useLab(t);
  const dir = t.testdir({ 'pool.json': JSON.stringify(POOL) });
  const agent = createAgent({
    config: path.join(dir, 'pool.json'),
    name,
    windowMs: WINDOW_MS,
    // the test's own end: nothing in flight to wait for
    stopDeadlineMs: 2000,
    pg: labAppPg(lab),
    signals: false,
  });
  await agent.start();
  const started = Date.now();
  const server = http.createServer((req, res) => {
    if (agent.handle(req, res)) return;
    const delay = slowForever || Date.now() - started < COLD_MS ? SLOW_MS : 0;
    setTimeout(() => res.end('ok'), delay);
  });
  agent.attach(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // App traffic throughout, bounded: 30 s, 20,000 requests.
  const stop = new AbortController();
  const client = new Pool(url, { connections: 2 });
  const traffic = (async () => {
    for (let n = 0; !stop.signal.aborted && n < 20_000 && Date.now() - started < 30_000; n += 1) {
      await client.request({ path: '/app', method: 'GET' }).then(
        (r) => r.body.dump(),
        () => undefined,
      );
      await new Promise((r) => setTimeout(r, 5));
    }
  })();
  const end = async (): Promise<void> => {
    stop.abort();
    await traffic;
    await client.close();
    await agent.stop();
    await new Promise((r) => server.close(r));
  };
  t.teardown(end);
  // The first app requests are in its window before verify reads it.
  await new Promise((r) => setTimeout(r, 700));
  return { url, stop: end };
}

/** The success run's baseline snapshot with one instance, `name`, whose p95 was 2 ms. */
function baseline(dir: string, name: string): string {
  const file = fs.readdirSync(BASELINE).find((f) => f.startsWith('pre_change_snapshot_'))!;
  const snap = JSON.parse(fs.readFileSync(path.join(BASELINE, file), 'utf8')) as {
    instances: Array<{ name: string; summary: { latency_p95_ms: number | null } }>;
  };
  const one = { ...snap.instances[0]!, name, summary: { ...snap.instances[0]!.summary, latency_p95_ms: 2 } };
  const out = path.join(dir, 'baseline.json');
  fs.writeFileSync(out, JSON.stringify({ ...snap, instances: [one] }));
  return out;
}

async function verify(
  t: Test,
  served: Served,
  name: string,
  warm?: Record<string, number>,
): Promise<{ code: number; json: Record<string, unknown> | null; p95: Item; ms: number }> {
  const lab = await useLab(t);
  const dir = t.testdir();
  const plan = labPlan(lab, dir, { verify: { window_s: 1, ...(warm ? { warm_latency: warm } : {}) } });
  plan.targets = [{ name, url: served.url, role: 'primary' }];
  plan.change = { from: { ...POOL, min: 1, max: 2 }, to: POOL };
  const began = Date.now();
  const r = await runCli([
    'verify',
    '--plan',
    writePlan(dir, plan),
    '--baseline',
    baseline(dir, name),
    '--evidence-dir',
    path.join(dir, 'ev'),
    '--json',
  ]);
  const p95 = (r.json?.items as Item[] | undefined)?.find((i) => i.id === `p95:${name}`);
  if (!p95) throw new Error(`verify gave no p95 item (exit ${r.code}): ${r.stderr.slice(-2000)}`);
  return { code: r.code, json: r.json, p95, ms: Date.now() - began };
}

type WarmRead = { uptime_s: number; window_s: number; latency_p95_ms: number | null };
const warmReadOf = (json: Record<string, unknown> | null): WarmRead | undefined =>
  (json?.instances as Array<{ warm_read?: WarmRead }>)[0]?.warm_read;

t.test('a cold start in the window: judged again once warm, and passes', async (t) => {
  const served = await serve(t, 'warm-1', false);
  const r = await verify(t, served, 'warm-1', { warmup_s: 2, max_wait_s: 30 });
  t.ok(isValid('verify-result', r.json), 'the evidence validates');
  t.match(
    r.p95,
    {
      verdict: 'PASS',
      detail: /judged on a warm window: at uptime \d+ s its 3 s latency window held its start and read/,
    },
    'the p95 judged on the warm read, the cold one named',
  );
  const warm = warmReadOf(r.json);
  t.ok(
    warm && warm.uptime_s >= 3 + 2,
    `the warm read came once the window held only time after 2 s (${warm?.uptime_s} s)`,
  );
  t.ok(
    warm && warm.latency_p95_ms !== null && warm.latency_p95_ms < 7,
    `its p95 is the warm one (${warm?.latency_p95_ms} ms)`,
  );
});

t.test('slow for good: the warm read regresses too, verify fails', async (t) => {
  const served = await serve(t, 'warm-2', true);
  const r = await verify(t, served, 'warm-2', { warmup_s: 2, max_wait_s: 30 });
  t.equal(r.code, 1, 'exit 1: roll back');
  t.match(r.p95, { verdict: 'FAIL', detail: /^regressed .*: roll back; judged on a warm window: / });
  t.ok((warmReadOf(r.json)?.latency_p95_ms ?? 0) >= SLOW_MS, 'the warm read is slow');
});

t.test('max_wait_s 0: the cold read is judged as it is, at once', async (t) => {
  const served = await serve(t, 'warm-3', false);
  const r = await verify(t, served, 'warm-3', { warmup_s: 2, max_wait_s: 0 });
  t.equal(r.code, 1, 'exit 1');
  t.match(r.p95, { verdict: 'FAIL', detail: /^regressed .*: roll back$/ });
  t.equal(warmReadOf(r.json), undefined, 'no warm read');
  t.ok(r.ms < 10_000, `no wait (${r.ms} ms)`);
});
