import t from 'tap';
import type { RolloutEvent } from '../../scripts/lib/run-evidence';
import { assertLbReady, useLab } from '../helpers/lab';
import {
  events,
  eventSeen,
  evidenceDirOf,
  labctl,
  restoreBaseline,
  runPlaybook,
  runVars,
} from '../e2e/rollout-helpers';
import {
  assertEvidence,
  assertPools,
  assertTraffic,
  BUDGET_CHANGE,
  rollbackSeconds,
  signal,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(1_200_000);

// An instance that dies or hangs in the middle of the rollout. The lab's supervisord does not restart instances
// (autorestart=false, as an operator's stop must stick), so a SIGKILLed instance stays down until the rollback
// starts it again on its untouched file; a SIGSTOPped one answers nothing, its probe times out, and the
// rollback's restart (SIGTERM, then SIGKILL after stopwaitsecs) replaces it.
const standby1Changed = (e: RolloutEvent): boolean => e.host === 'standby-1' && e.action === 'verified';

void t.test('an instance killed (SIGKILL) mid-rollout: everything is rolled back', async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const runId = `fault-sigkill-${Date.now()}`;
  const stop = watch(lab);
  let killed = 0;
  // primary-2 carries traffic: killing it cuts its in-flight requests (HAProxy retries only what never reached it).
  const fault = eventSeen(runId, standby1Changed, 'standby-1 changed').then(
    async () => (killed = await signal('primary-2', 'SIGKILL')),
  );
  const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
  await fault.catch(() => undefined);
  const w = await stop();

  t.ok(killed > 0, `primary-2 (pid ${killed}) was SIGKILLed once standby-1 had changed`);
  t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
  t.match(run.stdout, /ROLLED BACK: .*primary-2/s, 'it says it rolled back and names primary-2');
  await assertLbReady(t, lab, 'after the rollback');
  await assertPools(t, lab, 50, 10, 'rolled back');
  t.match(await labctl('status', 'primary-2'), /RUNNING/, 'the rollback started primary-2 again on its old file');
  t.not(Number(await labctl('pid', 'primary-2')), killed, 'primary-2 runs as a new process');
  await assertEvidence(t, runId, true);
  t.comment(`rollback took ${rollbackSeconds(runId)} s`);
  // Two clients: at most their two in-flight requests were on primary-2 when it died.
  await assertTraffic(
    t,
    lab,
    w,
    BUDGET_CHANGE,
    2,
    "a SIGKILLed instance's in-flight requests (≤ 2 clients) cannot be answered",
  );
});

void t.test(
  'an instance hung (SIGSTOP) mid-rollout: its health check times out, everything is rolled back',
  async (t) => {
    const lab = await useLab(t);
    await restoreBaseline(lab);
    let hung = 0;
    t.teardown(async () => {
      if (hung) {
        try {
          process.kill(hung, 'SIGCONT');
        } catch {
          // already replaced by the rollback's restart
        }
      }
      await restoreBaseline(lab);
    });
    const runId = `fault-sigstop-${Date.now()}`;
    const stop = watch(lab);
    // standby-2 is a backup server: it carries no traffic while the primaries are UP.
    const fault = eventSeen(runId, standby1Changed, 'standby-1 changed').then(
      async () => (hung = await signal('standby-2', 'SIGSTOP')),
    );
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
    await fault.catch(() => undefined);
    const w = await stop();

    t.ok(hung > 0, `standby-2 (pid ${hung}) was SIGSTOPped once standby-1 had changed`);
    t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
    t.match(
      run.stdout,
      /ROLLED BACK: .*standby-2.*(timed out|timeout|Read timed out)/is,
      'it says it rolled back because standby-2 timed out',
    );
    await assertLbReady(t, lab, 'after the rollback');
    await assertPools(t, lab, 50, 10, 'rolled back');
    t.not(Number(await labctl('pid', 'standby-2')), hung, 'the rollback replaced the hung standby-2 by a new process');
    t.ok(
      events(evidenceDirOf(runId)).some((e) => e.host === 'standby-2' && e.action === 'verified'),
      'standby-2 was read back after its restore',
    );
    await assertEvidence(t, runId, true);
    t.comment(`rollback took ${rollbackSeconds(runId)} s`);
    await assertTraffic(t, lab, w, BUDGET_CHANGE);
  },
);
