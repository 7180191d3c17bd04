import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { Pool } from 'undici';
import { isValid } from '../../scripts/lib/schema';
import { runCli } from '../integration/cli-support';
import { assertLbReady, assertWritesExactlyOnce, type TrafficResult } from '../helpers/lab';
import {
  assertRunSucceeded,
  evidenceDirOf,
  labWith,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
} from './rollout-helpers';

/**
 * Bring your own service, end to end: the lab's four instances run examples/orders-express (an Express app of
 * someone else's, on the agent) instead of the reference service, and playbooks/pool-scaling.yml changes their
 * pool under traffic through HAProxy — zero failed requests, every acknowledged order in the database, the new pool
 * read back — and `poolgate contract check` passes on every instance.
 */
t.setTimeout(1_200_000);
const SERVICE = 'examples/orders-express';

interface Traffic extends Pick<TrafficResult, 'acknowledged' | 'writesSent'> {
  ok: number;
  failed: number;
  failures: string[];
}

/**
 * An independent client: reads and writes of orders through HAProxy until stopped (bounded anyway), paced by a
 * think time. Unpaced, the example answers as fast as two cores allow; the pre-change snapshot measures that as the
 * baseline and the load test (baseline_factor 1) then asks for as much again, more than the shared machine can
 * serve, so the runbook's latency criteria would judge the machine, not the change. Each order's item is unique to
 * this run, so the database can say whether a write landed once, twice or not at all.
 */
const THINK_MS = 10;
async function ordersTraffic(url: string, stop: AbortSignal): Promise<Traffic> {
  const pool = new Pool(url, { connections: 2, headersTimeout: 15_000, bodyTimeout: 15_000 });
  const r: Traffic = { ok: 0, failed: 0, failures: [], acknowledged: [], writesSent: [] };
  const started = Date.now();
  const run = started.toString(36);
  const worker = async (w: number): Promise<void> => {
    for (let n = 0; !stop.aborted && n < 50_000 && Date.now() - started < 900_000; n += 1) {
      const write = n % 3 === 0;
      const path = write ? '/orders' : `/orders?customer=e2e-${w}&limit=5`;
      const item = `e2e ${run} w${w} #${n}`;
      if (write) r.writesSent.push(item);
      try {
        const res = await pool.request({
          path,
          method: write ? 'POST' : 'GET',
          headers: write ? { 'content-type': 'application/json' } : {},
          body: write ? JSON.stringify({ customer: `e2e-${w}`, item, quantity: 1 + (n % 5) }) : undefined,
        });
        const text = await res.body.text();
        if (res.statusCode !== (write ? 201 : 200)) throw new Error(`${res.statusCode} ${text.slice(0, 120)}`);
        if (write) r.acknowledged.push({ id: (JSON.parse(text) as { id: number }).id, memo: item });
        r.ok += 1;
      } catch (err) {
        r.failed += 1;
        if (r.failures.length < 20) r.failures.push(`${path}: ${(err as Error).message}`);
      }
      await sleep(THINK_MS);
    }
  };
  await Promise.all([worker(1), worker(2)]);
  await pool.close();
  return r;
}

t.test('pool-scaling.yml on instances of the example: zero failed requests, contract check passes', async (t) => {
  // lab-up (re)starts the instances with the example's command when they ran another service.
  const { lab, up } = await labWith(t, { POOLGATE_LAB_SERVICE: SERVICE });
  t.equal(up.code, 0, 'the lab runs the example', { stderr: up.stderr.slice(-2000) });
  t.equal(lab.service.dir, SERVICE);
  await restoreBaseline(lab);

  const stop = new AbortController();
  const traffic = ordersTraffic(lab.haproxy.url, stop.signal);
  await sleep(500);
  const runId = `e2e-example-${Date.now()}`;
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
  stop.abort();
  const sent = await traffic;
  assertRunSucceeded(t, run, 'the playbook succeeds on the example');
  await assertLbReady(t, lab);
  t.ok(sent.ok > 100, `traffic flowed during the change (${sent.ok} ok)`);
  t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures });
  await assertWritesExactlyOnce(t, lab, sent, { table: 'orders', memo: 'item' });
  for (const [name, p] of await readPools(lab))
    t.same([p.pool.max, p.pool.min], [200, 20], `${name} runs max 200 / min 20 (read back)`);

  const check = await runCli(['contract', 'check', '--plan', `${evidenceDirOf(runId)}/plan.json`, '--json']);
  t.equal(check.code, 0, 'poolgate contract check passes on every instance of the example', {
    stdout: check.stdout.slice(0, 3000),
  });
  t.ok(isValid('contract-check-result', check.json));
  t.same(
    (check.json!.targets as { name: string; failed: number }[]).map((x) => [x.name, x.failed]),
    lab.instances.map((i) => [i.name, 0]),
  );
});
