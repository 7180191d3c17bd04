import path from 'node:path';
import t from 'tap';
import { fleetConfig, hostNamed, type FleetConfig } from '../../lab/fleet/fleet-config';
import { evidenceFile } from '../../scripts/lib/run-evidence';
import { isValid } from '../../scripts/lib/schema';
import { runCli } from '../integration/cli-support';
import { runFleetScript, sshOn, useFleet, type FleetHandle } from '../helpers/fleet';
import { changeOnFleet } from '../helpers/fleet-change';
import { appHosts } from '../helpers/fleet-rollout';
import { ORDERS_WRITES, ordersTraffic } from '../helpers/orders-traffic';

/**
 * Bring your own service in production's shape: the fleet's four app hosts run examples/orders-express (an Express
 * app of someone else's, on the agent) as `orders.service` under its own account, unit and paths, deployed by
 * fleet:up as its artefact alone; pool-scaling.yml changes its pool over SSH by restart under reads and writes
 * through lb-1 (zero failed requests, every acknowledged order in db-1 exactly once, every gate input measured where
 * production has it), and `poolgate contract check` passes on every host. The reference service comes back after.
 */
t.setTimeout(1_800_000);
const SERVICE = 'examples/orders-express';

async function fleetUpWith(service: string | undefined): Promise<void> {
  const env = { ...process.env, POOLGATE_FLEET_SERVICE: service ?? '' };
  const r = await runFleetScript('fleet-up', [], 900_000, env);
  if (r.code !== 0) throw new Error(`fleet-up (${service ?? 'the reference service'}) exited ${r.code}:\n${r.stderr}`);
}

/** Which of the two services' units is active on each app host, read with systemctl over SSH. */
async function activeUnits(fleet: FleetConfig): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const name of appHosts(fleet)) {
    const units = [fleet.app, ...fleet.otherApps].map((a) => a.unit);
    const r = await sshOn(
      fleet,
      name,
      `for u in ${units.join(' ')}; do systemctl is-active --quiet $u && echo $u; done; true`,
    );
    out[name] = r.stdout.split('\n').filter(Boolean);
  }
  return out;
}

void t.test("the pool of a service of someone else's changed on the fleet by restart", async (t) => {
  const base = await useFleet(t);
  const cfg = fleetConfig({ ...process.env, POOLGATE_FLEET_SERVICE: SERVICE });
  const fleet: FleetHandle = { ...cfg, startedHere: base.startedHere, host: (n) => hostNamed(cfg, n) };
  // Whatever happens below, the fleet's other tests find the reference service again (a fleet brought up for this
  // file alone goes down instead, and its next fleet:up puts the reference service back).
  if (!base.startedHere) t.teardown(() => fleetUpWith(undefined));
  await fleetUpWith(SERVICE);

  t.same(
    await activeUnits(fleet),
    Object.fromEntries(appHosts(fleet).map((n) => [n, ['orders.service']])),
    'every app host runs orders.service, and the reference service no longer',
  );
  const who = await sshOn(fleet, 'primary-1', 'ps -o user= -C node; test ! -e /opt/ledger && echo ledger-removed');
  t.same(who.stdout.trim().split('\n'), ['orders', 'ledger-removed'], 'it runs as its own account; ledger is gone');

  await t.test('restart, under orders placed and read through lb-1', async (t) => {
    const dir = await changeOnFleet(t, fleet, 'restart', { traffic: ordersTraffic, writes: ORDERS_WRITES });
    const check = await runCli(['contract', 'check', '--plan', path.join(dir, evidenceFile('plan')), '--json']);
    t.equal(check.code, 0, 'poolgate contract check passes on every host of the example', {
      stdout: check.stdout.slice(0, 3000),
    });
    t.ok(isValid('contract-check-result', check.json), 'its result validates');
    t.same(
      (check.json?.targets as { name: string; failed: number }[] | undefined)?.map((x) => [x.name, x.failed]),
      appHosts(fleet).map((n) => [n, 0]),
      'every app host checked, none failed an item',
    );
  });
});
