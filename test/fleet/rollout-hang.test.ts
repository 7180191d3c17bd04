import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { events, eventSeen, evidenceDirOf, evidenceVerifies, runOutcome } from '../e2e/rollout-helpers';
import { sshOn, useFleet } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetAppQuery,
  fleetConfigHashes,
  fleetPids,
  fleetRunVars,
  fleetRunWithFault,
  readFleetPools,
  restoreFleetBaseline,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// Fleet rollouts take minutes on a shared 2-core machine; this one rolls back as well.
t.setTimeout(1_800_000);

/**
 * An instance that hangs mid-rollout on production's unit: its process stopped (SIGSTOP), so the host answers SSH
 * but the instance answers nothing. Its own change cannot read what it runs, so the run rolls back; the rollback
 * cannot SIGHUP it and restarts it instead, and systemd's stop sends SIGCONT with the SIGTERM, so the hung process
 * wakes to a graceful stop and a new one starts on the old file. standby-2 is a backup server at HAProxy: it
 * carries no traffic while the primaries are UP, so no request may fail.
 */
void t.test('an instance hung (SIGSTOP) mid-rollout: rolled back, systemd replaces it, read back', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  const victim = 'standby-2';
  const kill = (sig: string) => sshOn(fleet, victim, `sudo -n systemctl kill -s ${sig} ${fleet.app.unit}`);
  t.teardown(async () => {
    await kill('SIGCONT');
    await restoreFleetBaseline(fleet);
  });
  const pidsBefore = await fleetPids(fleet);
  const runId = `fleet-hang-${Date.now()}`;
  const dir = evidenceDirOf(runId);
  // Stopped while standby-1 changes, before standby-2's own turn reads it (looked for every 50 ms: the gap is a
  // second or so).
  const {
    run,
    fault: hung,
    sent,
  } = await fleetRunWithFault(
    fleet,
    fleetRunVars(fleet, runId),
    (signal) =>
      eventSeen(runId, (e) => e.host === 'standby-1' && e.action === 'backed_up', 'standby-1 being changed', {
        intervalMs: 50,
        signal,
      }),
    () => kill('SIGSTOP'),
  );

  t.equal(hung?.code, 0, `${victim} was stopped while standby-1 changed (${hung?.stderr.trim() ?? runOutcome(run)})`);
  t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-4000) });
  t.match(run.stdout, /ROLLED BACK: .*standby-2.*did not answer/s, 'rolled back, naming standby-2 that did not answer');
  const ev = events(dir);
  t.same(
    ev.filter((e) => e.action === 'backed_up').map((e) => e.host),
    ['standby-1'],
    'only standby-1 was changed: standby-2 was not touched before the rollback',
  );
  const rollbackAt = ev.findIndex((e) => e.action === 'rollback_started');
  t.ok(rollbackAt >= 0, 'the run rolled back');
  t.ok(
    ev.slice(rollbackAt).some((e) => e.host === victim && e.action === 'verified'),
    `the rollback read ${victim} back after replacing it`,
  );
  const pools = await readFleetPools(fleet);
  const hashes = await fleetConfigHashes(fleet);
  for (const n of appHosts(fleet)) {
    t.same([pools.get(n)?.pool.max, pools.get(n)?.pool.min], [50, 10], `${n} runs max 50 / min 10 (read back)`);
    t.equal(hashes[n], pools.get(n)?.sha256, `${n}: its file is what it runs`);
  }
  const pidsAfter = await fleetPids(fleet);
  t.not(pidsAfter[victim], pidsBefore[victim], `${victim} runs a new process (systemd replaced the hung one)`);
  t.equal(pidsAfter['primary-1'], pidsBefore['primary-1'], 'primary-1 was not touched');
  t.equal(pidsAfter['primary-2'], pidsBefore['primary-2'], 'primary-2 was not touched');
  await assertFleetLbReady(t, fleet, 'after the rollback');
  t.equal(sent.failed, 0, 'zero failed requests: the hung standby carried none', {
    failures: sent.failures.slice(0, 5),
  });
  t.ok(sent.ok > 100, `traffic flowed (${sent.ok} ok)`);
  await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
  t.ok(fs.existsSync(path.join(dir, 'incidents')), 'an incident is written');
  t.ok(await evidenceVerifies(dir, fleet.evidenceSigning.allowedSigners), 'the evidence is sealed and verifies');
});
