import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { readPassword, useLab } from '../helpers/lab';
import { events, evidenceDirOf, readPools, restoreBaseline, runPlaybook, runVars, trafficUntil, waitFor } from './rollout-helpers';

t.setTimeout(1_200_000);

// A rollback trigger during monitoring: once monitoring samples, the database is made slow by lock contention
// (a transaction holds the ledger's tables for a few seconds), p95 crosses 1 s for the sustained window, the
// monitor fires `p95_latency_sustained`, and the play rolls every instance back to max 50 / min 10 and ends FAILED.
void t.test('a monitor trigger (slow database) rolls everything back', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));

  const runId = `e2e-trigger-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  const stop = new AbortController();
  const traffic = trafficUntil(lab.haproxy.url, stop.signal);
  let lockedMs = 0;
  const slowDown = (async () => {
    await waitFor(async () => fs.existsSync(path.join(dir, 'monitor_samples.jsonl')), 600_000, 'monitoring to start');
    const client = new Client({ host: lab.pg.host, port: lab.pg.port, database: lab.pg.database, user: lab.pg.appUser, password: readPassword(lab, 'app') });
    client.on('error', () => undefined);
    await client.connect();
    const started = Date.now();
    try {
      await client.query('BEGIN');
      await client.query('LOCK TABLE journal_entries, journal_lines IN ACCESS EXCLUSIVE MODE');
      await new Promise((r) => setTimeout(r, 4000));
      await client.query('COMMIT');
    } finally {
      lockedMs = Date.now() - started;
      await client.end();
    }
  })();
  const base = runVars(lab, runId, { pool_scaling_apply_method: 'sighup' }) as { pool_scaling_monitor: Record<string, unknown> };
  const run = await runPlaybook('pool-scaling.yml', { ...base, pool_scaling_monitor: { ...base.pool_scaling_monitor, duration_s: 20 } });
  stop.abort();
  await slowDown;
  const sent = await traffic;

  t.ok(lockedMs >= 4000, `the database was held for ${lockedMs} ms during monitoring`);
  t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-3000) });
  t.match(run.stdout, /ROLLED BACK/, 'it says it rolled back');
  t.match(fs.readFileSync(path.join(dir, 'alerts.log'), 'utf8'), /p95/, 'the monitor logged the latency alert');
  for (const [name, p] of await readPools(lab)) t.same([p.pool.max, p.pool.min], [50, 10], `${name} runs max 50 / min 10 again (read back)`);
  t.ok(fs.readdirSync(path.join(dir, 'incidents')).some((f) => /_pool_scaling_incident\.md$/.test(f)), 'the incident file exists');
  t.match(fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'), /p95_latency_sustained/, 'rollback_log.txt names the trigger');
  t.ok(events(dir).some((e) => e.action === 'rollback_verified'), 'the rollback read back every instance');
  t.ok(sent.ok > 50, `traffic flowed throughout (${sent.ok} ok, ${sent.failed} failed while the database was locked)`);
});
