import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { assertLbReady, useLab } from '../helpers/lab';
import {
  BUDGET_CHANGE,
  assertEvidence,
  assertPools,
  assertTraffic,
  rollbackSeconds,
  said,
  tail,
  watch,
} from '../faults/fault-helpers';
import { events, evidenceDirOf, pids, restoreBaseline, runPlaybook, runVars, shortRun } from './rollout-helpers';

// A whole rollout on a shared 2-core machine takes minutes: more than the suite's default per-file timeout.
t.setTimeout(1_200_000);

// The automatic rollback by the production default, `pool_scaling_apply_method: restart`: every instance restarted
// onto the new pool, then a rollback trigger during monitoring (p95 above 0 ms for 3 s: any traffic fires it, as a
// real regression would) rolls all four back, each restarted again on its backup — the primaries behind drained
// HAProxy servers, the standbys while the primaries serve. Zero failed requests, every write exactly once.
void t.test('a rollback trigger after a rolling restart rolls every instance back by restart', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const before = await pids(lab);

  const runId = `e2e-rollback-restart-${Date.now()}`;
  const monitor = shortRun(lab).pool_scaling_monitor as Record<string, unknown>;
  const stop = watch(lab);
  const run = await runPlaybook(
    'pool-scaling.yml',
    runVars(lab, runId, {
      pool_scaling_apply_method: 'restart',
      pool_scaling_monitor: {
        ...monitor,
        triggers: [
          { name: 'p95_latency_sustained', metric: 'p95_ms', scope: 'fleet', above: 0, sustained_s: 3, min_samples: 3 },
        ],
      },
    }),
  );
  const w = await stop();

  t.not(run.code, 0, 'the playbook ends failed', { out: tail(run) });
  t.match(said(run), /ROLLED BACK: .*p95_latency_sustained/, 'it says it rolled back and names the trigger');
  await assertLbReady(t, lab, 'after the rollback');
  await assertPools(t, lab, 50, 10, 'rolled back by restart');

  const dir = evidenceDirOf(runId);
  const ev = events(dir);
  t.same(
    ev
      .filter((e) => e.action === 'verified')
      .map((e) => e.host)
      .slice(0, 4)
      .sort(),
    lab.instances.map((i) => i.name).sort(),
    'all four instances were changed and read back before the trigger',
  );
  t.same(
    (ev.find((e) => e.action === 'rollback_verified')?.restored as string[] | undefined)?.sort(),
    lab.instances.map((i) => i.name).sort(),
    'the rollback restored all four',
  );
  const after = await pids(lab);
  for (const i of lab.instances) t.not(after[i.name], before[i.name], `${i.name} runs as a new process`);
  const rollback = ev.slice(ev.findIndex((e) => e.action === 'rollback_started'));
  for (const i of lab.instances) {
    t.ok(
      rollback.some((e) => e.host === i.name && e.action === 'applying' && e.method === 'restart'),
      `${i.name}'s restore was applied by restart`,
    );
    t.match(
      rollback.find((e) => e.host === i.name && e.action === 'verified'),
      { pool: { max: 50, min: 10 } },
      `${i.name} was read back at max 50 / min 10 by the rollback`,
    );
  }

  const incidents = fs.readdirSync(path.join(dir, 'incidents'));
  t.equal(incidents.length, 1, 'one incident');
  const incident = fs.readFileSync(path.join(dir, 'incidents', incidents[0]!), 'utf8');
  t.match(incident, /\*\*Severity\*\*: P1/, 'a latency trigger is P1');
  t.match(incident, /\*\*Trigger\*\*: p95_latency_sustained/, 'the incident names the trigger');
  t.match(fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8'), /p95_latency_sustained/, 'and the log');
  await assertEvidence(t, runId, true);
  t.comment(`rollback took ${rollbackSeconds(runId)} s`);
  await assertTraffic(t, lab, w, BUDGET_CHANGE);
});
