import t from 'tap';
import { evidenceDirOf, runOutcome } from '../e2e/rollout-helpers';
import { sshOn, useFleet } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetAppQuery,
  fleetPids,
  fleetRunVars,
  fleetRunWithFault,
  onceChanged,
  readFleetPools,
  restoreFleetBaseline,
  verifyItems,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// Fleet rollouts take minutes on a shared 2-core machine; this one rolls back as well.
t.setTimeout(1_800_000);

/**
 * An instance that crashes mid-rollout on production's unit (`Restart=on-failure`): systemd has it back in two
 * seconds, on its own file, so every pool reads back right afterwards. Only its journal says it crashed: systemd's
 * "Failed with result 'signal'". Verify's "no new errors in the logs" reads it on the host and the run rolls back,
 * instead of reporting a change during which an instance died as a success.
 */
void t.test(
  'an instance killed mid-rollout and restarted by systemd: verify sees it in the journal, rolled back',
  async (t) => {
    const fleet = await useFleet(t);
    await restoreFleetBaseline(fleet);
    t.teardown(() => restoreFleetBaseline(fleet));
    const victim = 'primary-2';
    const pidsBefore = await fleetPids(fleet);
    const runId = `fleet-crash-${Date.now()}`;
    const dir = evidenceDirOf(runId);
    // Killed while it serves, once standby-1 has changed: its own turn comes later, on its untouched file.
    const {
      run,
      fault: killed,
      sent,
    } = await fleetRunWithFault(fleet, fleetRunVars(fleet, runId), onceChanged(runId, 'standby-1'), () =>
      sshOn(fleet, victim, `sudo -n systemctl kill -s SIGKILL ${fleet.app.unit}`),
    );

    t.equal(
      killed?.code,
      0,
      `${victim} was killed once standby-1 had changed (${killed?.stderr.trim() ?? runOutcome(run)})`,
    );
    t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-4000) });
    t.match(run.stdout, /ROLLED BACK: /, 'rolled back');
    const items = verifyItems(dir);
    t.match(
      items.find((i) => i.id === `log:${victim}`),
      { verdict: 'FAIL', detail: /Failed with result 'signal'/ },
      `verify read ${victim}'s crash in its journal`,
    );
    t.same(
      items.filter((i) => i.id.startsWith('log:') && i.id !== `log:${victim}` && i.verdict !== 'PASS').map((i) => i.id),
      [],
      "the other units' journals hold no failure: their restarts by the rollout were clean",
    );
    const pools = await readFleetPools(fleet);
    for (const n of appHosts(fleet))
      t.same([pools.get(n)?.pool.max, pools.get(n)?.pool.min], [50, 10], `${n} runs max 50 / min 10 (read back)`);
    t.not((await fleetPids(fleet))[victim], pidsBefore[victim], `${victim} runs a new process`);
    await assertFleetLbReady(t, fleet, 'after the rollback');
    // The kill can only lose what primary-2 was answering: one request per client at most.
    t.ok(
      sent.failed <= 2,
      `at most 2 failed requests (${sent.failed}: ${sent.failures
        .slice(0, 2)
        .map((x) => `${x.method} ${x.path} ${x.status ?? x.error}`)
        .join('; ')})`,
    );
    t.ok(sent.ok > 100, `traffic flowed (${sent.ok} ok)`);
    await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
  },
);
