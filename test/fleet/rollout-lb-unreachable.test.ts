import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { events, evidenceDirOf, evidenceVerifies, runOutcome } from '../e2e/rollout-helpers';
import { execOn, sshOn, useFleet, type FleetHandle } from '../helpers/fleet';
import {
  appHosts,
  fleetAppQuery,
  fleetBackups,
  fleetConfigHashes,
  fleetPids,
  fleetRunVars,
  fleetRunWithFault,
  lbServers,
  onceChanged,
  readFleetPools,
  restoreFleetBaseline,
  runFleetPlaybook,
} from '../helpers/fleet-rollout';
import { assertWritesExactlyOnce } from '../helpers/lab';

// Fleet rollouts take minutes on a shared 2-core machine, and a host that stops answering adds SSH's timeouts.
t.setTimeout(1_800_000);

const LB = 'lb-1';

/**
 * Every sshd of lb-1 stopped (listener and sessions, Ansible's reused connection among them): the kernel still
 * accepts the TCP connection and nothing answers on it, as on a hung host, while HAProxy itself keeps serving.
 */
const lbSshd = (fleet: FleetHandle, signal: 'STOP' | 'CONT') =>
  execOn(fleet, LB, ['pkill', `-${signal}`, '-x', 'sshd']);

void t.test("lb-1's SSH does not answer before the change: refused, nothing changed, sealed", async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  t.teardown(async () => {
    await lbSshd(fleet, 'CONT');
    await restoreFleetBaseline(fleet);
  });
  const before = { hashes: await fleetConfigHashes(fleet), pids: await fleetPids(fleet) };
  t.equal((await lbSshd(fleet, 'STOP')).code, 0, `${LB}'s sshd stopped`);

  const runId = `fleet-lb-ssh-down-${Date.now()}`;
  const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', fleetRunVars(fleet, runId));
  await lbSshd(fleet, 'CONT');

  t.not(run.code, 0, 'the playbook exits non-zero', { stdout: run.stdout.slice(-3000) });
  t.match(
    run.stdout,
    new RegExp(`REFUSED before any change: .*${LB} did not answer over its connection`, 's'),
    'refused before any change, naming the load balancer that did not answer',
  );
  t.notMatch(run.stdout, /TASK \[pool_config/, 'no host task ran');
  t.same(await fleetConfigHashes(fleet), before.hashes, 'every config file as it was');
  t.same(await fleetPids(fleet), before.pids, 'no instance restarted');
  for (const n of appHosts(fleet)) t.same(await fleetBackups(fleet, n), [], `${n}: no backup written`);
  const dir = evidenceDirOf(runId);
  t.match(
    events(dir).at(-1),
    { action: 'refused', reason: new RegExp(`${LB} did not answer`) },
    'the evidence says why',
  );
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the refused run is sealed');
});

void t.test(
  "lb-1's SSH stops answering once the standbys changed: every app host rolled back and read back, the load balancer's part named",
  async (t) => {
    const fleet = await useFleet(t);
    await restoreFleetBaseline(fleet);
    t.teardown(async () => {
      await lbSshd(fleet, 'CONT');
      await restoreFleetBaseline(fleet);
    });
    const runId = `fleet-lb-lost-${Date.now()}`;
    const dir = evidenceDirOf(runId);
    // Once both standbys changed and are UP, before the primaries are drained: the drain is the next thing on lb-1.
    const {
      run,
      fault: stopped,
      sent,
    } = await fleetRunWithFault(
      fleet,
      fleetRunVars(fleet, runId),
      onceChanged(runId, 'standby-2', 'both standbys changed', 100),
      () => lbSshd(fleet, 'STOP'),
    );
    await lbSshd(fleet, 'CONT');

    t.equal(
      stopped?.code,
      0,
      `lb-1's sshd stopped once both standbys changed (${stopped?.stderr.trim() ?? runOutcome(run)})`,
    );
    t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-4000) });
    t.match(
      run.stdout,
      new RegExp(
        `ROLLED BACK: [^\\n]*HAProxy did not bring [^\\n]* to drain [^\\n]*${LB} did not answer over its connection`,
      ),
      'rolled back, naming the drain that failed and why',
    );
    t.notMatch(run.stdout, /ROLLBACK INCOMPLETE/, 'every app host answered, so the rollback is complete');
    const pools = await readFleetPools(fleet);
    for (const n of appHosts(fleet)) {
      t.same([pools.get(n)?.pool.max, pools.get(n)?.pool.min], [50, 10], `${n} runs max 50 / min 10 (read back)`);
      const file = await sshOn(fleet, n, `sha256sum ${fleet.app.configPath}`);
      t.equal(file.stdout.split(/\s+/)[0], pools.get(n)?.sha256, `${n}: its file is what it runs`);
    }
    const verified = events(dir).find((e) => e.action === 'rollback_verified') as { restored?: string[] } | undefined;
    t.same([...(verified?.restored ?? [])].sort(), ['standby-1', 'standby-2'], 'the changed standbys were restored');
    t.match(
      events(dir).find((e) => e.action === 'lb_restore_failed'),
      { reason: new RegExp(`${LB} did not answer`) },
      "that the primaries' state at HAProxy could not be restored is recorded",
    );
    const incident = fs
      .readdirSync(path.join(dir, 'incidents'))
      .map((f) => fs.readFileSync(path.join(dir, 'incidents', f), 'utf8'))
      .join('\n');
    t.match(incident, /NOT DONE: HAProxy could not enable the primaries/, 'the incident names what is left to do');
    t.ok(
      await evidenceVerifies(dir, fleet.evidenceSigning.allowedSigners),
      "the evidence is sealed and verifies, signed by the fleet's operator key",
    );
    t.equal(sent.failed, 0, 'zero failed requests: HAProxy served throughout', { failures: sent.failures.slice(0, 5) });
    await assertWritesExactlyOnce(t, fleetAppQuery(fleet), sent);
    t.same(
      (await lbServers(fleet)).filter((s) => s.status !== 'UP'),
      [],
      'every server UP at HAProxy (their admin state is what the incident says to restore)',
    );
  },
);
