import fs from 'node:fs';
import t from 'tap';
import { useLab } from '../helpers/lab';
import { events, evidenceDirOf, restoreBaseline, runPlaybook, runVars } from '../e2e/rollout-helpers';
import {
  BUDGET_CHANGE,
  BUDGET_OLD,
  assertEvidence,
  assertPools,
  assertTraffic,
  assertUntouched,
  eventSeen,
  fleetState,
  rollbackSeconds,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(1_200_000);

// HAProxy's admin socket made unavailable by moving it aside (HAProxy keeps serving; nobody can reach its runtime
// API at the configured path). chmod 000 would not do: the tests run as root, and root connects regardless.
// Before the change: preflight's "admin socket answers" check refuses the run. After the standbys changed: the
// drain of the primaries fails, the rollback restores both standbys by an in-place reload (no load balancer
// needed: they are backup servers and a SIGHUP swaps the pool in place), reads every instance back, and the
// incident says what HAProxy could not be told (enable the primaries once the socket answers).
void t.test("HAProxy's admin socket unavailable", async (t) => {
  const lab = await useLab(t);
  await restoreBaseline(lab);
  t.teardown(() => restoreBaseline(lab));
  const socket = lab.haproxy.socket;
  const aside = `${socket}.fault-aside`;
  const hide = (): void => fs.renameSync(socket, aside);
  const restore = (): void => {
    if (fs.existsSync(aside)) fs.renameSync(aside, socket);
  };

  await t.test('before the change: refused before any change', async (t) => {
    const before = await fleetState(lab);
    const stop = watch(lab);
    hide();
    t.teardown(restore);
    const runId = `fault-lb-before-${Date.now()}`;
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
    restore();
    const w = await stop();
    t.not(run.code, 0, 'the playbook exits non-zero', { out: tail(run) });
    t.match(
      run.stdout,
      /REFUSED before any change: Check HAProxy'?'s admin socket answers .*: HAProxy admin socket \S+admin\.sock did not answer "show stat"/s,
      'it names the unreachable HAProxy socket (checked on the load balancer host)',
    );
    t.notMatch(run.stdout, /TASK \[pool_config/, 'no host task ran');
    await assertEvidence(t, runId, false);
    await assertUntouched(t, lab, before);
    await assertTraffic(t, lab, w, BUDGET_OLD);
  });

  await t.test('after the standbys changed: rolled back', async (t) => {
    await restoreBaseline(lab);
    const runId = `fault-lb-after-${Date.now()}`;
    const stop = watch(lab);
    t.teardown(restore);
    const fault = eventSeen(
      runId,
      (e) => e.host === 'standby-2' && e.action === 'lb_enabled',
      'both standbys changed and UP',
    ).then(hide);
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
    await fault.catch(() => undefined);
    restore();
    const w = await stop();
    const dir = evidenceDirOf(runId);
    t.ok(
      events(dir).some((e) => e.host === 'standby-2' && e.action === 'lb_enabled'),
      'the socket vanished after both standbys had changed',
    );
    t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
    t.match(run.stdout, /ROLLED BACK: .*(HAProxy|socket)/is, 'it says it rolled back because of HAProxy');
    await assertPools(t, lab, 50, 10, 'rolled back without the load balancer');
    t.ok(
      events(dir).some((e) => e.action === 'rollback_verified'),
      'the rollback read back every instance',
    );
    await assertEvidence(t, runId, true);
    const incident = fs
      .readdirSync(`${dir}/incidents`)
      .map((f) => fs.readFileSync(`${dir}/incidents/${f}`, 'utf8'))
      .join('\n');
    if (events(dir).some((e) => e.action === 'lb_restore_failed')) {
      t.match(
        incident,
        /NOT DONE: HAProxy could not enable the primaries/,
        'the incident says the primaries must be enabled at HAProxy by hand',
      );
    }
    t.comment(`rollback took ${rollbackSeconds(runId)} s`);
    await assertTraffic(t, lab, w, BUDGET_CHANGE);
  });
});
