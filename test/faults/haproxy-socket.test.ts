import fs from 'node:fs';
import path from 'node:path';
import t, { type Test } from 'tap';
import { packageRoot } from '../../scripts/lib/paths';
import type { RolloutEvent } from '../../scripts/lib/run-evidence';
import { assertLbReady, lbAdminStates, useLab } from '../helpers/lab';
import { runProcess } from '../helpers/poolgate-cli';
import {
  events,
  eventSeen,
  evidenceDirOf,
  type PlaybookRun,
  restoreBaseline,
  runPlaybook,
  runVars,
} from '../e2e/rollout-helpers';
import {
  assertEvidence,
  assertManualRollback,
  assertPools,
  assertTraffic,
  assertUntouched,
  BUDGET_CHANGE,
  BUDGET_OLD,
  fleetState,
  poolgate,
  rollbackSeconds,
  said,
  tail,
  watch,
} from './fault-helpers';

t.setTimeout(1_200_000);

// HAProxy's admin socket made unavailable by moving it aside (HAProxy keeps serving; nobody can reach its runtime
// API at the configured path). chmod 000 would not do: the tests run as root, and root connects regardless.
// Before the change: preflight's "admin socket answers" check refuses the run. After the standbys changed: the
// drain of the primaries fails, the rollback restores both standbys by an in-place reload (no load balancer
// needed: they are backup servers and a SIGHUP swaps the pool in place), reads every instance back, and the
// incident says what HAProxy could not be told (enable the primaries once the socket answers). After the primaries
// changed: the rollback must restore primaries, which it only does behind HAProxy (drained first); without the socket
// it stops with ROLLBACK INCOMPLETE (P0), and the operator's rerun of rollback.yml, once the socket answers, finishes.
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
  // A rollout under traffic whose admin socket is moved aside the moment `seen` is in its events (back at teardown).
  const runLosingSocket = async (
    t: Test,
    name: string,
    seen: (e: RolloutEvent) => boolean,
    what: string,
  ): Promise<{ runId: string; run: PlaybookRun; stop: ReturnType<typeof watch>; dir: string }> => {
    await restoreBaseline(lab);
    const runId = `${name}-${Date.now()}`;
    const stop = watch(lab);
    t.teardown(restore);
    const fault = eventSeen(runId, seen, what).then(hide);
    const run = await runPlaybook('pool-scaling.yml', runVars(lab, runId));
    await fault.catch(() => undefined);
    return { runId, run, stop, dir: evidenceDirOf(runId) };
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
    await assertLbReady(t, lab, 'after the refused run');
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
    const { runId, run, stop, dir } = await runLosingSocket(
      t,
      'fault-lb-after',
      (e) => e.host === 'standby-2' && e.action === 'lb_enabled',
      'both standbys changed and UP',
    );
    restore();
    const w = await stop();
    t.ok(
      events(dir).some((e) => e.host === 'standby-2' && e.action === 'lb_enabled'),
      'the socket vanished after both standbys had changed',
    );
    t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
    // The drain failed before any primary was drained: nothing is left for HAProxy to be told.
    await assertLbReady(t, lab, 'after the rollback (socket back)');
    // The reason is the drain that failed, not the rollback's own attempt to enable the primaries after it.
    t.match(
      run.stdout,
      /ROLLED BACK: [^\n]*HAProxy did not bring \S+primary-1, \S+primary-2 to drain/,
      'it says it rolled back because HAProxy could not drain the primaries',
    );
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

  await t.test(
    'after the primaries changed: ROLLBACK INCOMPLETE (P0), then rollback.yml once the socket answers',
    async (t) => {
      // The primaries are drained and primary-1 is being changed: nothing in the primaries' phase uses the socket, so
      // both primaries change, and the first to need it is the switch back.
      const { runId, run, stop, dir } = await runLosingSocket(
        t,
        'fault-lb-incomplete',
        (e) => e.host === 'primary-1' && e.action === 'backed_up',
        'primary-1 being changed',
      );
      const ev = events(dir);
      t.ok(
        ev.some((e) => e.host === 'primary-2' && e.action === 'verified'),
        'both primaries changed before anything needed the socket',
      );
      t.not(run.code, 0, 'the run ends failed', { out: tail(run) });
      const message = said(run);
      t.match(
        message,
        /ROLLBACK INCOMPLETE after "[^"]*HAProxy[^"]*": .*HAProxy/,
        'it says the rollback is incomplete',
      );
      t.ok(message.includes(lab.haproxy.socket), 'it names the socket that did not answer');
      const rerun =
        `ansible-playbook -i ${path.join(packageRoot, 'inventory', 'lab')} playbooks/rollback.yml` +
        ` -e rollback_run_id=${runId} -e "rollback_reason=finish the incomplete rollback of ${runId}"`;
      const next = `once the cause is fixed, finish the rollback from this run's backups: ${rerun}`;
      t.ok(message.includes(next), 'it gives the one command that finishes the rollback', {
        message: message.slice(-1500),
      });
      t.notMatch(run.stdout, /ROLLED BACK/, 'it does not claim a rollback');

      // The truth before anything resets it: no host was restored, the primaries are still drained at HAProxy.
      await assertPools(t, lab, 200, 20, 'the rollback stopped before touching any host');
      t.ok(
        ev.some((e) => e.action === 'rollback_incomplete'),
        'events.jsonl records rollback_incomplete',
      );
      t.notOk(
        ev.some((e) => e.action === 'rollback_verified'),
        'and no rollback_verified',
      );
      const incidents = fs.readdirSync(path.join(dir, 'incidents'));
      t.equal(incidents.length, 1, 'one incident');
      const incident = fs.readFileSync(path.join(dir, 'incidents', incidents[0]!), 'utf8');
      t.match(incident, /\*\*Severity\*\*: P0/, 'the incident is P0');
      t.match(incident, /\*\*Trigger\*\*: rollback_incomplete/, 'its trigger is rollback_incomplete');
      t.match(incident, /ROLLBACK INCOMPLETE: .*HAProxy/s, 'it says why the rollback could not finish');
      t.ok(incident.includes(`NOT DONE: ${next}`), 'and what the operator must run to finish it');
      t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the evidence is sealed');
      t.equal(
        (await poolgate(['evidence', 'verify', dir])).code,
        0,
        'poolgate evidence verify passes on the sealed folder',
      );

      restore();
      t.same(
        await lbAdminStates(lab),
        { 'standby-1': 'ready', 'standby-2': 'ready', 'primary-1': 'drain', 'primary-2': 'drain' },
        'with the socket back, HAProxy shows what the run left: the primaries drained, the standbys serving',
      );
      // The operator's move: the command, as printed, from the checkout.
      const rb = await runProcess('bash', ['-c', rerun], 600_000, { ...process.env, ANSIBLE_NOCOLOR: '1' });
      const w = await stop();
      await assertManualRollback(t, lab, rb, runId, ['primary-1', 'primary-2', 'standby-1', 'standby-2']);
      await assertTraffic(t, lab, w, BUDGET_CHANGE);
    },
  );
});
