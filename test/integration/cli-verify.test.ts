import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { isValid } from '../../scripts/lib/schema';
import { readPassword, steadyTraffic, useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';

interface Item { id: string; status: string; detail?: string; value?: number | null }
const item = (json: Record<string, unknown> | null, id: string): Item => (json!.items as Item[]).find((i) => i.id === id)!;

t.test('verify on the lab', async (t) => {
  const lab = await useLab(t);
  const dir = t.testdir();
  const snap = await runCli(['snapshot', '--plan', writePlan(dir, labPlan(lab, dir)), '--evidence-dir', path.join(dir, 'ev'), '--window-s', '1', '--json']);
  t.equal(snap.code, 0, snap.stderr);
  const baseline = path.join(dir, 'ev', fs.readdirSync(path.join(dir, 'ev')).find((f) => f.startsWith('pre_change_snapshot_'))!);

  t.test('the pool in force matches: PASS, JSON validates, connections inside Σ min .. 2 Σ min', async (t) => {
    // Straight to primary-1, so its window surely has requests to judge.
    const primary1 = lab.instances.find((i) => i.name === 'primary-1')!;
    const traffic = steadyTraffic(primary1.url, { concurrency: 4, durationMs: 5000, maxRequests: 5000, writeRatio: 0.2 });
    const r = await runCli(['verify', '--plan', writePlan(dir, labPlan(lab, dir)), '--expect-max', '50', '--expect-min', '10', '--baseline', baseline, '--window-s', '2', '--evidence-dir', path.join(dir, 'ev'), '--json']);
    await traffic;
    t.equal(r.code, 0, `${r.stderr}\n${JSON.stringify((r.json?.items as Item[] | undefined)?.filter((i) => i.status !== 'PASS'))}`);
    t.ok(isValid('verify-result', r.json), 'stdout validates against verify-result');
    for (const i of lab.instances) t.equal(item(r.json, `pool:${i.name}`).status, 'PASS');
    t.equal(item(r.json, 'db_connections').status, 'PASS');
    t.same((r.json!.database as { range: unknown }).range, { min: 40, max: 80 });
    t.equal(item(r.json, 'error_rate:primary-1').status, 'PASS');
    t.equal(item(r.json, 'thrashing:db').status, 'PASS');
  });

  t.test('the plan expects 200: every instance still at 50 fails, exit 1, and says what is wrong', async (t) => {
    const r = await runCli(['verify', '--plan', writePlan(dir, labPlan(lab, dir)), '--window-s', '1', '--evidence-dir', path.join(dir, 'ev')]);
    t.equal(r.code, 1, r.stderr);
    t.match(r.stdout, /max on primary-2 is 50, expected 200/);
    t.match(r.stdout, /FAIL: .*trigger the rollback/);
  });

  t.test('connection thrashing seen by PostgreSQL: many new backends in the window', async (t) => {
    const clients: Client[] = [];
    t.teardown(() => Promise.all(clients.map((c) => c.end().catch(() => undefined))));
    const verifying = runCli(['verify', '--plan', writePlan(dir, labPlan(lab, dir)), '--expect-max', '50', '--expect-min', '10', '--window-s', '5', '--evidence-dir', path.join(dir, 'ev'), '--json']);
    await new Promise((r) => setTimeout(r, 2000)); // let the CLI start and its window open
    for (let i = 0; i < 60; i++) {
      const c = new Client({ host: lab.pg.host, port: lab.pg.port, database: lab.pg.database, user: lab.pg.appUser, password: readPassword(lab, 'app'), application_name: 'poolgate-test-churn' });
      c.on('error', () => undefined);
      await c.connect();
      clients.push(c);
    }
    const r = await verifying;
    t.equal(r.code, 1, r.stderr);
    const churn = item(r.json, 'thrashing:db');
    t.equal(churn.status, 'FAIL');
    t.ok(churn.value! > 10, `new backends/s ${churn.value}`);
    t.equal(item(r.json, 'db_connections').status, 'PASS', 'scope "instances": the test\'s own connections are not the pools\'');
  });

  t.test('a new error line in an instance log since the baseline fails', async (t) => {
    const log = path.join(dir, 'primary-1.log');
    fs.writeFileSync(log, `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', event: 'query failed', code: '53300' })}\n`);
    const r = await runCli(['verify', '--plan', writePlan(dir, labPlan(lab, dir)), '--expect-max', '50', '--expect-min', '10', '--baseline', baseline, '--log', `primary-1=${log}`, '--window-s', '1', '--evidence-dir', path.join(dir, 'ev'), '--json']);
    t.equal(r.code, 1, r.stderr);
    const l = item(r.json, 'log:primary-1');
    t.equal(l.status, 'FAIL');
    t.match(l.detail, /query failed/);
    t.equal(item(r.json, 'log:primary-2').status, 'PASS', 'the other instances\' real logs have no new error');
  });
});
