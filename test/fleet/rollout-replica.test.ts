import t from 'tap';
import { events, evidenceDirOf, evidenceOf, waitFor } from '../e2e/rollout-helpers';
import { fleetQuery, sshOn, useFleet } from '../helpers/fleet';
import {
  appHosts,
  fleetBackups,
  fleetConfigHashes,
  fleetRunVars,
  restoreFleetBaseline,
  runFleetPlaybook,
} from '../helpers/fleet-rollout';

// A refused run is short; the replica's restart and catch-up add seconds.
t.setTimeout(900_000);

// inventory/fleet, like production's, expects one streaming replica and probes its lag on db-2 itself: with db-2's
// PostgreSQL stopped, preflight refuses the change before any host is touched, saying why (a replica that has gone
// away used to pass with expect_replicas 0).
void t.test('a stopped replica refuses the run in preflight, nothing changed', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  const unit = fleet.pg.unit;
  const streaming = async (): Promise<boolean> =>
    (await fleetQuery<{ state: string }>(fleet, 'db-1', 'monitor', 'SELECT state FROM pg_stat_replication')).some(
      (r) => r.state === 'streaming',
    );
  t.teardown(async () => {
    await sshOn(fleet, 'db-2', `sudo -n systemctl start ${unit}`);
    await waitFor(streaming, 120_000, 'db-2 streaming from db-1 again');
  });
  const before = await fleetConfigHashes(fleet);
  const stop = await sshOn(fleet, 'db-2', `sudo -n systemctl stop ${unit}`);
  t.equal(stop.code, 0, "db-2's PostgreSQL stopped", { stderr: stop.stderr });
  await waitFor(async () => !(await streaming()), 30_000, 'db-1 sees no replica');

  const runId = `fleet-replica-down-${Date.now()}`;
  const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', fleetRunVars(fleet, runId));
  t.not(run.code, 0, 'the playbook exits non-zero', { stdout: run.stdout.slice(-3000) });
  t.match(run.stdout, /REFUSED before any change: .*poolgate preflight/s, 'refused by preflight');
  t.match(
    run.stdout,
    /replicas streaming: 0 of 0 connected \(threshold ≥ 1\): a replica is missing/,
    'naming the missing replica',
  );
  t.notMatch(run.stdout, /TASK \[pool_config/, 'no host task ran');
  t.same(await fleetConfigHashes(fleet), before, 'every config file as it was');
  for (const n of appHosts(fleet)) t.same(await fleetBackups(fleet, n), [], `${n}: no backup written`);

  const dir = evidenceDirOf(runId);
  const preflight = evidenceOf<{ items: Array<{ id: string; verdict: string; detail?: string }> }>(dir, 'preflight');
  t.match(
    preflight.items.find((i) => i.id === 'replicas_connected'),
    { verdict: 'FAIL' },
    'the evidence: fewer replicas streaming than expected',
  );
  t.match(
    preflight.items.find((i) => i.id.startsWith('replica:')),
    // Its PostgreSQL is stopped: the connection is refused, so its lag cannot be measured (never a FAIL of a figure).
    { verdict: 'COULD_NOT_MEASURE' },
    "and the replica's own lag could not be read",
  );
  t.match(events(dir).at(-1), { action: 'refused' }, 'the run ends refused, sealed');
});
