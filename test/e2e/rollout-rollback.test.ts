import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { missingJournalEntries, useLab } from '../helpers/lab';
import {
  events,
  evidenceDirOf,
  labctl,
  readPools,
  restoreBaseline,
  runPlaybook,
  runVars,
  trafficUntil,
  waitFor,
} from './rollout-helpers';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_200_000);

// A primary that fails after the standbys changed: primary-1 is stopped the moment both primaries are drained
// (so its SIGHUP, or its health check, fails in phase 5). The play must roll every changed host back by the
// zero-downtime path, read back max 50 / min 10 on all four, write the incident, and end FAILED — with no
// failed request from the traffic flowing through HAProxy all along.
void t.test('a primary failing after the standbys changed rolls everything back', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));

  const runId = `e2e-rollback-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  const stop = new AbortController();
  const traffic = trafficUntil(lab.haproxy.url, stop.signal);
  let stoppedAt = '';
  const fault = (async () => {
    await waitFor(
      async () =>
        fs.existsSync(path.join(dir, 'events.jsonl')) &&
        events(dir).some((e) => e.host === 'primary-2' && e.action === 'lb_drain'),
      300_000,
      'both primaries drained',
    );
    stoppedAt = new Date().toISOString();
    await labctl('stop', 'primary-1');
  })();
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId, { pool_scaling_apply_method: 'sighup' }));
  stop.abort();
  await fault;
  const sent = await traffic;

  t.ok(stoppedAt, 'primary-1 was stopped after the standbys changed and the primaries drained');
  t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-3000) });
  t.match(run.stdout, /ROLLED BACK/, 'it says it rolled back');
  const pools = await readPools(lab);
  for (const [name, p] of pools)
    t.same([p.pool.max, p.pool.min], [50, 10], `${name} runs max 50 / min 10 again (read back)`);
  t.equal(sent.failed, 0, 'zero failed requests through HAProxy', { failures: sent.failures.slice(0, 5) });
  t.ok(sent.ok > 50, `traffic flowed throughout (${sent.ok} ok)`);
  t.same(await missingJournalEntries(lab, sent.acknowledgedIds), [], 'every acknowledged write is in the database');

  const incidents = fs.existsSync(path.join(dir, 'incidents')) ? fs.readdirSync(path.join(dir, 'incidents')) : [];
  t.ok(
    incidents.some((f) => /_pool_scaling_incident\.md$/.test(f)),
    'the incident file exists',
  );
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    /primary-1/,
    'rollback_log.txt names the failing host',
  );
  // The failed step's own result names its trigger (pool_config: the stage that failed), never a task's name.
  const started = events(dir).find((e) => e.action === 'rollback_started');
  t.match(
    started?.trigger,
    /^(apply_failed|health_check_failed|config_not_in_force)$/,
    'the failed step named its trigger',
  );
  t.match(
    fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'),
    new RegExp(`trigger: ${started?.trigger}, severity: P[12]`),
    'the incident carries that trigger and its severity',
  );
  const rolled = events(dir).find((e) => e.action === 'rollback_verified');
  t.ok(rolled, 'the rollback read back every instance');
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the evidence is sealed');
});
