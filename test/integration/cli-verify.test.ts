import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { isValid } from '../../scripts/lib/schema';
import type { Item } from '../../scripts/types/evidence-common';
import { readPassword, steadyTraffic, useLab } from '../helpers/lab';
import { labPlan, runCli, writePlan } from './cli-support';

const item = (json: Record<string, unknown> | null, id: string): Item =>
  (json!.items as Item[]).find((i) => i.id === id)!;

t.test('verify on the lab', async (t) => {
  const lab = await useLab(t);
  const dir = t.testdir();
  const snap = await runCli([
    'snapshot',
    '--plan',
    writePlan(dir, labPlan(lab, dir)),
    '--evidence-dir',
    path.join(dir, 'ev'),
    '--window-s',
    '1',
    '--json',
  ]);
  t.equal(snap.code, 0, snap.stderr);
  const baseline = path.join(
    dir,
    'ev',
    fs.readdirSync(path.join(dir, 'ev')).find((f) => f.startsWith('pre_change_snapshot_'))!,
  );

  t.test('the pool in force matches: PASS, JSON validates, connections inside Σ min .. 2 Σ min', async (t) => {
    // Straight to primary-1 until verify is done, so its window surely has requests to judge (bounded: 60 s, 20k requests).
    const primary1 = lab.instances.find((i) => i.name === 'primary-1')!;
    const stop = new AbortController();
    const traffic = steadyTraffic(primary1.url, {
      concurrency: 2,
      durationMs: 60_000,
      maxRequests: 20_000,
      writeRatio: 0.2,
      signal: stop.signal,
    });
    // No baseline here: on a shared 2-core machine the lab's latency moves by more than 20 % between runs
    // (the regression rule itself is unit-tested); the baseline is used by the log test below.
    const r = await runCli([
      'verify',
      '--plan',
      writePlan(dir, labPlan(lab, dir)),
      '--expect-max',
      '50',
      '--expect-min',
      '10',
      '--window-s',
      '2',
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--json',
    ]);
    stop.abort();
    await traffic;
    t.equal(
      r.code,
      0,
      `${r.stderr}\n${JSON.stringify((r.json?.items as Item[] | undefined)?.filter((i) => i.verdict !== 'PASS'))}`,
    );
    t.ok(isValid('verify-result', r.json), 'stdout validates against verify-result');
    for (const i of lab.instances) t.equal(item(r.json, `pool:${i.name}`).verdict, 'PASS');
    t.equal(item(r.json, 'db_connections').verdict, 'PASS');
    t.same((r.json!.database as { range: unknown }).range, { min: 40, max: 80 });
    t.equal(item(r.json, 'error_rate:primary-1').verdict, 'PASS');
    t.equal(item(r.json, 'thrashing:db').verdict, 'PASS');
  });

  t.test('the plan expects 200: every instance still at 50 fails, exit 1, and says what is wrong', async (t) => {
    const r = await runCli([
      'verify',
      '--plan',
      writePlan(dir, labPlan(lab, dir)),
      '--window-s',
      '1',
      '--evidence-dir',
      path.join(dir, 'ev'),
    ]);
    t.equal(r.code, 1, r.stderr);
    t.match(r.stdout, /max on primary-2 is 50, expected 200/);
    t.match(r.stdout, /FAIL: .*trigger the rollback/);
  });

  t.test('connection thrashing seen by PostgreSQL: many new backends in the window', async (t) => {
    const clients: Client[] = [];
    t.teardown(() => Promise.all(clients.map((c) => c.end().catch(() => undefined))));
    // Thresholds are data: 2 new backends/s is enough to tell a burst of connections from a quiet database.
    const plan = writePlan(dir, labPlan(lab, dir, { verify: { thrashing: { max_new_backends_per_s: 2 } } }));
    let done = false;
    const verifying = runCli([
      'verify',
      '--plan',
      plan,
      '--expect-max',
      '50',
      '--expect-min',
      '10',
      '--window-s',
      '4',
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--json',
    ]).finally(() => (done = true));
    // Open connections in paced batches until verify has finished (bounded: at most 150, well under max_connections).
    while (!done && clients.length < 150) {
      const batch = Array.from({ length: 10 }, () => {
        const c = new Client({
          host: lab.pg.host,
          port: lab.pg.port,
          database: lab.pg.database,
          user: lab.pg.appUser,
          password: readPassword(lab, 'app'),
          application_name: 'poolgate-test-churn',
        });
        c.on('error', () => undefined);
        clients.push(c);
        return c.connect().catch(() => undefined);
      });
      await Promise.all(batch);
      await new Promise((r) => setTimeout(r, 250)); // paced, so the burst spans verify's window whatever its start-up time
    }
    const r = await verifying;
    t.equal(r.code, 1, r.stderr);
    const churn = item(r.json, 'thrashing:db');
    t.equal(churn.verdict, 'FAIL');
    t.ok(churn.value! > 2, `new backends/s ${churn.value}`);
    t.equal(
      item(r.json, 'db_connections').verdict,
      'PASS',
      'scope "instances": the test\'s own connections are not the pools\'',
    );
  });

  t.test('a new error line in an instance log since the baseline fails', async (t) => {
    const log = path.join(dir, 'primary-1.log');
    fs.writeFileSync(
      log,
      `${JSON.stringify({ ts: new Date().toISOString(), level: 'error', event: 'query failed', code: '53300' })}\n`,
    );
    const r = await runCli([
      'verify',
      '--plan',
      writePlan(dir, labPlan(lab, dir)),
      '--expect-max',
      '50',
      '--expect-min',
      '10',
      '--baseline',
      baseline,
      '--log',
      `primary-1=${log}`,
      '--window-s',
      '1',
      '--evidence-dir',
      path.join(dir, 'ev'),
      '--json',
    ]);
    t.equal(r.code, 1, r.stderr);
    const l = item(r.json, 'log:primary-1');
    t.equal(l.verdict, 'FAIL');
    t.match(l.detail, /query failed/);
    t.equal(item(r.json, 'log:primary-2').verdict, 'PASS', "the other instances' real logs have no new error");
  });
});
