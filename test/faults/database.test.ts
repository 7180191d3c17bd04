import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import t from 'tap';
import { PG_BIN } from '../../lab/control/postgres';
import { asPgUser } from '../../lab/control/proc';
import type { LabConfig } from '../../lab/lab-config';
import { assertLbReady, assertWritesExactlyOnce, readPassword, steadyTraffic, useLab } from '../helpers/lab';
import { evidenceDirOf, monitorSampled, restoreBaseline, runPlaybook, runVars, shortRun } from '../e2e/rollout-helpers';
import { BUDGET_CHANGE, assertEvidence, assertPools, assertTraffic, exec, said, tail, watch } from './fault-helpers';

t.setTimeout(1_200_000);

// The database misbehaving while the change is watched. The runbook's triggers fire on a *sustained* breach, so
// a blip shorter than the sustained window must not roll a good change back: here the monitor watches 20 s with
// 10-s sustained triggers (lab-sized; the runbook's are 5 min) and tolerates 10 unmeasured samples in a row, and
// each fault lasts a few seconds.
// (A lock held longer than the window does roll back: test/e2e/rollout-slow-database.test.ts.)
function monitorVars(lab: LabConfig): Record<string, unknown> {
  const base = shortRun(lab).pool_scaling_monitor as { triggers: Array<Record<string, unknown>> } & Record<
    string,
    unknown
  >;
  return {
    ...base,
    duration_s: 20,
    window_s: 4,
    triggers: base.triggers.map((tr) => ({ ...tr, sustained_s: 10, min_samples: 5 })),
    // While PostgreSQL restarts its probes cannot be measured: up to 10 samples in a row are gaps (the default, 3,
    // ends monitoring with "could not measure" and rolls back if the restart takes longer on a loaded machine).
    outage: { policy: 'ignore_until', max_consecutive_unmeasured: 10 },
  };
}

void t.test('the database restarted during monitoring', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const runId = `fault-db-restart-${Date.now()}`;
  const stop = watch(lab);
  let restartMs = 0;
  const fault = monitorSampled(runId, 3).then(async () => {
    const started = Date.now();
    // As the lab starts it: pg_ctl as the postgres OS user, the server log kept in the lab's log file.
    const [cmd, args] = asPgUser(path.join(PG_BIN, 'pg_ctl'), [
      '-D',
      lab.pg.dataDir,
      '-l',
      lab.pg.logPath,
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'restart',
    ]);
    await exec(cmd, args, { timeout: 90_000 });
    restartMs = Date.now() - started;
  });
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_monitor: monitorVars(lab) }));
  await fault;
  const w = await stop();

  t.ok(restartMs > 0, `PostgreSQL was restarted during monitoring (pg_ctl restart took ${restartMs} ms)`);
  // The monitor's sustained triggers do not fire on a blip, but the runbook's post-change criterion (error rate
  // < 0.1 % over the monitoring window) cannot hold when every in-flight query was terminated: the report decides
  // ROLLBACK and the change is rolled back by the zero-downtime path, naming the failed criterion.
  t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
  await assertLbReady(t, lab, 'after the rollback');
  t.match(
    said(run),
    /ROLLED BACK: .*poolgate report gate failed: ROLLBACK: .*Error rate <0\.1%/,
    'it names the failed criterion (error rate over the monitoring window)',
  );
  await assertPools(t, lab, 50, 10, 'rolled back; every pool reconnected');
  await assertEvidence(t, runId, true);
  const monitor = fs.readdirSync(evidenceDirOf(runId)).find((f) => /^monitor_\d.*\.json$/.test(f));
  t.match(
    JSON.parse(fs.readFileSync(path.join(evidenceDirOf(runId), monitor ?? 'missing'), 'utf8')),
    { verdict: 'PASS' },
    'the monitor itself saw no sustained trigger',
  );
  // A fast shutdown terminates every backend: the queries in flight then, and the requests that reach an
  // instance while PostgreSQL is down (about a second), fail with 5xx. Nothing else may fail, and no
  // acknowledged write may be lost.
  await assertTraffic(
    t,
    lab,
    w,
    BUDGET_CHANGE,
    Math.max(20, Math.ceil(w.sent.ok * 0.05)),
    'only requests in flight while PostgreSQL restarted (≤ 5 %)',
  );
  const after = await steadyTraffic(lab.haproxy.url, { concurrency: 2, durationMs: 3000, maxRequests: 2000 });
  t.equal(after.failed, 0, `after the restart every request succeeds again (${after.ok} ok)`);
  await assertWritesExactlyOnce(t, lab, after);
});

void t.test('the database slowed by lock contention during monitoring', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const runId = `fault-db-lock-${Date.now()}`;
  const stop = watch(lab);
  let lockedMs = 0;
  const client = new Client({
    host: lab.pg.host,
    port: lab.pg.port,
    database: lab.pg.database,
    user: lab.pg.appUser,
    password: readPassword(lab, 'app'),
    application_name: 'poolgate-fault',
  });
  client.on('error', () => undefined);
  t.teardown(() => client.end().catch(() => undefined));
  const fault = monitorSampled(runId, 3).then(async () => {
    await client.connect();
    const started = Date.now();
    await client.query('BEGIN');
    // The tables every write and every balance read use.
    await client.query('LOCK TABLE journal_entries, journal_lines IN ACCESS EXCLUSIVE MODE');
    await new Promise((r) => setTimeout(r, 3000));
    await client.query('COMMIT');
    lockedMs = Date.now() - started;
  });
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_monitor: monitorVars(lab) }));
  await fault;
  const w = await stop();

  t.ok(lockedMs >= 3000, `an ACCESS EXCLUSIVE lock was held ${lockedMs} ms during monitoring`);
  t.equal(run.code, 0, 'contention shorter than the sustained window does not roll the change back: completed', {
    out: tail(run),
  });
  await assertLbReady(t, lab);
  await assertPools(t, lab, 200, 20, 'the change stands');
  await assertEvidence(t, runId, false);
  const locks = await new Promise<number>((resolve) => {
    void client
      .query("SELECT count(*)::int AS n FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND relation IS NOT NULL")
      .then((r) => resolve((r.rows[0] as { n: number }).n))
      .catch(() => resolve(-1));
  });
  t.equal(locks, 0, 'the lock is released');
  // Requests wait for the lock (3 s, well under HAProxy's 30-s server timeout and the 10-s acquire timeout): slow, not failed.
  await assertTraffic(t, lab, w, BUDGET_CHANGE);
});
