import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { events, evidenceDirOf, evidenceVerifies, runOutcome, trafficUntil, waitFor } from '../e2e/rollout-helpers';
import { execOn, freezeHost, sshOn, useFleet } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
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

// Fleet rollouts take minutes on a shared 2-core machine, and an unreachable host adds SSH's timeouts.
t.setTimeout(1_800_000);

void t.test('an app host whose SSH does not answer before the change refuses the run, nothing changed', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  const host = 'standby-2';
  // Every sshd of the host stopped (listener and sessions): the kernel still accepts the TCP connection, nothing
  // answers on it — a hung host's SSH, not a refused port.
  const sshd = (signal: string) => execOn(fleet, host, ['pkill', `-${signal}`, '-x', 'sshd']);
  t.teardown(async () => {
    await sshd('CONT');
    await restoreFleetBaseline(fleet);
  });
  const before = {
    hashes: await fleetConfigHashes(fleet),
    pids: await fleetPids(fleet),
    pools: await readFleetPools(fleet),
  };
  t.equal((await sshd('STOP')).code, 0, `${host}'s sshd stopped`);

  const runId = `fleet-ssh-down-${Date.now()}`;
  const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', fleetRunVars(fleet, runId));
  await sshd('CONT');

  t.not(run.code, 0, 'the playbook exits non-zero', { stdout: run.stdout.slice(-3000) });
  t.match(
    run.stdout,
    /REFUSED before any change: .*UNREACHABLE, refused before any change: standby-2 did not answer/s,
    'refused before any change, naming the host',
  );
  t.notMatch(run.stdout, /TASK \[pool_config/, 'no host task ran');
  t.same(await fleetConfigHashes(fleet), before.hashes, 'every config file as it was');
  t.same(await fleetPids(fleet), before.pids, 'no instance restarted');
  t.same(
    [...(await readFleetPools(fleet)).values()].map((p) => p?.generation),
    [...before.pools.values()].map((p) => p?.generation),
    'no instance reloaded',
  );
  for (const n of ['standby-1', 'standby-2', 'primary-1', 'primary-2'])
    t.same(await fleetBackups(fleet, n), [], `${n}: no backup written`);
  const dir = evidenceDirOf(runId);
  t.match(events(dir).at(-1), { action: 'refused', reason: /UNREACHABLE/ }, 'the evidence says why, sealed');
  t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the refused run is sealed');
});

void t.test(
  'an app host that stops answering mid-rollout: every other host on a known, verified config, the host named; then rollback.yml',
  async (t) => {
    const fleet = await useFleet(t);
    await restoreFleetBaseline(fleet);
    const host = 'primary-1';
    t.teardown(async () => {
      freezeHost(fleet, host, false);
      await restoreFleetBaseline(fleet);
    });
    const runId = `fleet-frozen-${Date.now()}`;
    const dir = evidenceDirOf(runId);
    // Frozen once both standbys changed and are UP, before the primaries' turn: every process of the host stops.
    const {
      run,
      fault: frozenAt,
      sent,
    } = await fleetRunWithFault(
      fleet,
      fleetRunVars(fleet, runId),
      onceChanged(runId, 'standby-2', 'both standbys changed'),
      () => {
        freezeHost(fleet, host, true);
        return Promise.resolve(Date.now());
      },
    );

    t.ok(frozenAt, `${host} frozen once both standbys changed${frozenAt ? '' : ` (${runOutcome(run)})`}`);
    t.not(run.code, 0, 'the playbook ends failed', { stdout: run.stdout.slice(-4000) });
    t.match(run.stdout, /ROLLBACK INCOMPLETE.*state unknown on primary-1/s, 'it names the host whose state is unknown');
    const pools = await readFleetPools(fleet);
    t.equal(pools.get(host), null, `${host} does not answer (frozen)`);
    for (const n of ['standby-1', 'standby-2', 'primary-2']) {
      t.same([pools.get(n)?.pool.max, pools.get(n)?.pool.min], [50, 10], `${n} runs max 50 / min 10 (read back)`);
      const file = await sshOn(fleet, n, `sha256sum ${fleet.app.configPath}`);
      t.equal(file.stdout.split(/\s+/)[0], pools.get(n)?.sha256, `${n}: its file is what it runs`);
    }
    // The primaries' drain waits for the sessions caught on the frozen host, which only HAProxy's `timeout server`
    // ends; primary-1's own step then fails on SSH's connect timeout (Ansible's `timeout`, 10 s: the frozen host's
    // kernel accepts the TCP connection, its sshd never sends a banner), not at some TCP timeout minutes later.
    const ev = events(dir);
    const rollbackIndex = ev.findIndex((e) => e.action === 'rollback_started');
    const drainedAt = Date.parse(
      ev
        .slice(0, rollbackIndex)
        .filter((e) => e.action === 'lb_drain')
        .at(-1)?.at ?? '',
    );
    const rollbackAt = Date.parse(ev[rollbackIndex]?.at ?? '');
    t.comment(
      `the primaries' drain ended ${((drainedAt - (frozenAt ?? NaN)) / 1000).toFixed(1)} s after ${host} froze`,
    );
    const detectedS = (rollbackAt - drainedAt) / 1000;
    t.ok(
      detectedS > 0 && detectedS < 20,
      `${host}'s own step gave up on it ${detectedS.toFixed(1)} s after it began, under 20 s`,
    );
    const verified = events(dir).find((e) => e.action === 'rollback_verified') as
      { restored?: string[]; unknown?: string[] } | undefined;
    t.same(verified?.unknown, [host], 'the rollback recorded the unknown host');
    t.same([...(verified?.restored ?? [])].sort(), ['standby-1', 'standby-2'], 'and restored the changed ones');
    const incident = fs
      .readdirSync(path.join(dir, 'incidents'))
      .map((f) => fs.readFileSync(path.join(dir, 'incidents', f), 'utf8'))
      .join('\n');
    t.match(incident, /state unknown on primary-1/, 'the incident names the host whose state is unknown');
    t.match(incident, /P0/, 'as a P0');
    const lb = await lbServers(fleet);
    t.match(
      lb.find((s) => s.server === host),
      { ready: false },
      `${host} is drained at HAProxy`,
    );
    t.same(
      lb.filter((s) => s.server !== host && !(s.ready && s.status === 'UP')),
      [],
      'every other server READY and UP',
    );
    t.comment(`traffic during the run: ${sent.ok} ok, ${sent.failed} failed (requests caught on the frozen host)`);

    // The way back the incident names, once the host answers again: rollback.yml from the run's backups, over SSH.
    freezeHost(fleet, host, false);
    await waitFor(async () => (await readFleetPools(fleet)).get(host) != null, 60_000, `${host} answering again`);
    const rbStop = new AbortController();
    const rbTraffic = trafficUntil(fleet.haproxy.url, rbStop.signal);
    // This rollback's evidence is its own run's: the change run's id goes in as rollback_run_id only.
    const { pool_scaling_run_id: _changeRun, ...vars } = fleetRunVars(fleet, runId);
    const rb = await runFleetPlaybook(fleet, 'rollback.yml', {
      ...vars,
      rollback_run_id: runId,
      rollback_reason: `finish the incomplete rollback of ${runId}`,
    });
    rbStop.abort();
    const rbSent = await rbTraffic;
    t.equal(rb.code, 0, 'rollback.yml finishes the rollback', { stdout: rb.stdout.slice(-4000) });
    const after = await readFleetPools(fleet);
    for (const n of appHosts(fleet)) {
      t.same([after.get(n)?.pool.max, after.get(n)?.pool.min], [50, 10], `after rollback.yml ${n} runs 50 / 10`);
      const file = await sshOn(fleet, n, `sha256sum ${fleet.app.configPath}`);
      t.equal(file.stdout.split(/\s+/)[0], after.get(n)?.sha256, `after rollback.yml ${n}: its file is what it runs`);
    }
    await assertFleetLbReady(t, fleet, `after rollback.yml, ${host} back in traffic`);
    const rbDir = /evidence: ([^\s']+)/.exec(rb.stdout)?.[1];
    t.ok(rbDir && rbDir !== dir && fs.existsSync(rbDir), `the rollback has its own evidence folder (${rbDir})`);
    if (rbDir && fs.existsSync(rbDir)) {
      t.match(
        fs.readFileSync(path.join(rbDir, 'rollback_log.txt'), 'utf8'),
        new RegExp(`manual rollback of ${runId}: `),
        'rollback_log.txt names the run it rolled back',
      );
      const rbVerified = events(rbDir).find((e) => e.action === 'rollback_verified') as
        { restored?: string[]; unknown?: string[] } | undefined;
      t.same(rbVerified?.unknown, [], 'no host left unknown');
      t.same([...(rbVerified?.restored ?? [])].sort(), ['standby-1', 'standby-2'], 'restored from the backups');
      t.ok(
        await evidenceVerifies(rbDir, fleet.evidenceSigning.allowedSigners),
        "its evidence is sealed and verifies, signed by the fleet's operator key",
      );
    }
    t.equal(rbSent.failed, 0, 'zero failed requests during rollback.yml', { failures: rbSent.failures.slice(0, 5) });
    await assertWritesExactlyOnce(t, fleetAppQuery(fleet), rbSent);
  },
);
