import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { isValid } from '../../scripts/lib/schema';
import { runCli } from '../integration/cli-support';
import { assertLbReady, assertWritesExactlyOnce } from '../helpers/lab';
import { ORDERS_WRITES, ordersTraffic } from '../helpers/orders-traffic';
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
  await assertWritesExactlyOnce(t, lab, sent, ORDERS_WRITES);
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
