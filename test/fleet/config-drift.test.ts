import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { RUNBOOK_BASELINE_POOL } from '../../lab/lab-config';
import { events, evidenceDirOf } from '../e2e/rollout-helpers';
import { sshOn, useFleet } from '../helpers/fleet';
import {
  appHosts,
  assertFleetLbReady,
  fleetBackups,
  fleetConfigHashes,
  fleetPids,
  fleetRunVars,
  readFleetPools,
  restoreFleetBaseline,
  runFleetPlaybook,
} from '../helpers/fleet-rollout';

t.setTimeout(600_000);

/**
 * A host whose pool config file is not what its instance runs is refused before any change, read over SSH with
 * become on the host itself: backing that file up as "the old config" would make a rollback restore something the
 * instance never ran. The drifted bytes go into the evidence, and the file is left for the operator.
 */
const cases = [
  {
    name: 'an invalid config file on its host',
    host: 'primary-2',
    text: '{ "min": 10, "max": 50,\n',
    says: /primary-2: the file is invalid \(E_CONFIG_READ/,
  },
  {
    name: 'a config file on its host that differs from what the instance runs',
    host: 'standby-2',
    text: `${JSON.stringify({ ...RUNBOOK_BASELINE_POOL, max: 60 }, null, 2)}\n`,
    says: /standby-2: the file \(sha256 [0-9a-f]{12}\) is not what the instance runs \(sha256 [0-9a-f]{12}\)/,
  },
];

void t.test('a drifted config file on a fleet host refuses the run before any change', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  t.teardown(() => restoreFleetBaseline(fleet));

  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const write = (text: string) => sshOn(fleet, c.host, `sudo -n tee ${fleet.app.configPath} >/dev/null`, text);
      const original = (await sshOn(fleet, c.host, `sudo -n cat ${fleet.app.configPath}`)).stdout;
      t.teardown(() => write(original));
      t.equal((await write(c.text)).code, 0, `${c.host}'s file rewritten, the instance not told`);
      const before = {
        hashes: await fleetConfigHashes(fleet),
        pids: await fleetPids(fleet),
        pools: [...(await readFleetPools(fleet)).values()].map((p) => [p?.generation, p?.pool]),
      };

      const runId = `fleet-drift-${c.host}-${Date.now()}`;
      const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', fleetRunVars(fleet, runId));
      t.not(run.code, 0, 'the playbook exits non-zero', { stdout: run.stdout.slice(-3000) });
      t.match(run.stdout, /REFUSED before any change: .*CONFIG DRIFT/s, 'refused with CONFIG DRIFT');
      t.match(run.stdout, c.says, 'naming the host and what is wrong with its file');
      t.notMatch(run.stdout, /PLAY \[Pass preflight|TASK \[pool_config/, 'neither preflight nor any host task ran');
      const dir = evidenceDirOf(runId);
      t.match(events(dir).at(-1), { action: 'refused', reason: /CONFIG DRIFT/ }, 'events.jsonl records it');
      t.ok(fs.existsSync(path.join(dir, 'manifest.sha256')), 'the refused run is sealed');
      const kept = fs
        .readdirSync(dir, { recursive: true })
        .map(String)
        .filter((f) => f.includes(c.host) && fs.statSync(path.join(dir, f)).isFile())
        .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
      t.ok(kept.includes(c.text), "the drifted file's bytes, read on its host, are in the evidence");
      t.same(await fleetConfigHashes(fleet), before.hashes, 'every file as it was, the drifted one included');
      t.same(await fleetPids(fleet), before.pids, 'no instance restarted');
      t.same(
        [...(await readFleetPools(fleet)).values()].map((p) => [p?.generation, p?.pool]),
        before.pools,
        'every instance runs what it ran (read back)',
      );
      for (const n of appHosts(fleet)) t.same(await fleetBackups(fleet, n), [], `${n}: no backup written`);
      await assertFleetLbReady(t, fleet, 'after the refused run');
    });
  }
});
