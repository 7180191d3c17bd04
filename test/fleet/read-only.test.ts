import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { evidenceVerifies, POOL_BEYOND_CAPACITY } from '../e2e/rollout-helpers';
import { useFleet, type FleetHandle } from '../helpers/fleet';
import {
  appHosts,
  fleetBackups,
  fleetConfigHashes,
  fleetPids,
  fleetRunVars,
  lbServers,
  readFleetPools,
  restoreFleetBaseline,
  runFleetPlaybook,
} from '../helpers/fleet-rollout';

// A checklist run samples the fleet for its windows; a check-mode rollout reads every host over SSH.
t.setTimeout(900_000);

/** Everything a read-only run must leave as it was: files, processes, pools in force, backups, HAProxy. */
async function fleetState(fleet: FleetHandle) {
  return {
    hashes: await fleetConfigHashes(fleet),
    pids: await fleetPids(fleet),
    generations: [...(await readFleetPools(fleet)).values()].map((p) => p?.generation),
    backups: (await Promise.all(appHosts(fleet).map((n) => fleetBackups(fleet, n)))).flat(),
    lb: (await lbServers(fleet)).map((s) => `${s.server} ${s.status} ${s.ready ? 'READY' : 'not ready'}`).sort(),
  };
}

const evidenceOf = (stdout: string): string | undefined => /evidence: ([^\s']+)/.exec(stdout)?.[1];

/**
 * An operator's first production commands change nothing: the checklist alone (preflight.yml) and the rollout in
 * check mode with its diff, both reaching every host over SSH with become, HAProxy's socket on lb-1 included.
 */
void t.test('the read-only entry points on the fleet: preflight.yml and pool-scaling.yml --check --diff', async (t) => {
  const fleet = await useFleet(t);
  await restoreFleetBaseline(fleet);
  t.teardown(() => restoreFleetBaseline(fleet));
  const before = await fleetState(fleet);

  await t.test('preflight.yml: the checklist over SSH, sealed and signed, nothing touched', async (t) => {
    const run = await runFleetPlaybook(fleet, 'preflight.yml', fleetRunVars(fleet, `fleet-preflight-${Date.now()}`));
    t.equal(run.code, 0, 'the checklist passes', { stdout: run.stdout.slice(-3000) });
    t.match(
      run.stdout,
      /TASK \[lb_haproxy : Check HAProxy's admin socket answers[^\n]*\n(?:[^\n]*\n)*?ok: \[localhost -> lb-1/,
      "HAProxy's socket checked on lb-1, as phase 1 does",
    );
    const dir = evidenceOf(run.stdout);
    t.ok(dir && fs.existsSync(dir), `its evidence folder (${dir})`);
    if (!dir) return;
    const file = fs.readdirSync(dir).find((f) => /^preflight_.*\.json$/.test(f));
    const items = file
      ? (JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { items: Array<{ id: string; verdict: string }> })
          .items
      : [];
    t.match(
      items.find((i) => i.id === 'source:db_cpu'),
      { verdict: 'PASS' },
      'DB CPU read on db-1',
    );
    t.ok(
      items.some((i) => i.id.startsWith('replica:') && i.verdict === 'PASS'),
      'the replica read on db-2',
    );
    t.ok(
      await evidenceVerifies(dir, fleet.evidenceSigning.allowedSigners),
      "sealed and signed by the fleet's operator key",
    );
    t.same(await fleetState(fleet), before, 'files, processes, pools, backups and HAProxy as they were');
  });

  await t.test('preflight.yml whose checklist fails: ends failed, its evidence sealed all the same', async (t) => {
    const run = await runFleetPlaybook(
      fleet,
      'preflight.yml',
      fleetRunVars(fleet, `fleet-preflight-fail-${Date.now()}`, { pool_scaling_to: POOL_BEYOND_CAPACITY }),
    );
    t.not(run.code, 0, 'the run ends failed');
    t.match(run.stdout, /poolgate preflight\s+gate failed:.*capacity/is, 'naming the capacity gate');
    const dir = evidenceOf(run.stdout);
    t.ok(
      dir && (await evidenceVerifies(dir, fleet.evidenceSigning.allowedSigners)),
      `the failed checklist's evidence is sealed and signed (${dir})`,
    );
    t.same(await fleetState(fleet), before, 'nothing touched');
  });

  await t.test("pool-scaling.yml --check --diff: each host's diff over SSH, nothing changed", async (t) => {
    const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', fleetRunVars(fleet, `fleet-check-${Date.now()}`), [
      '--check',
      '--diff',
    ]);
    t.equal(run.code, 0, 'the check run succeeds', { stdout: run.stdout.slice(-3000) });
    t.equal(
      run.stdout.split(`--- before: ${fleet.app.configPath}`).length - 1,
      4,
      `a diff of ${fleet.app.configPath} for each of the four app hosts`,
    );
    t.equal(run.stdout.split('-  "max": 50,').length - 1, 4, 'four hosts would leave max 50');
    t.equal(run.stdout.split('+  "max": 200,').length - 1, 4, 'four hosts would get max 200');
    t.same(await fleetState(fleet), before, 'files, processes, pools, backups and HAProxy as they were');
  });
});
