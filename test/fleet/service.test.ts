import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { STOP_GRACE_MS } from '../../lab/control/haproxy';
import { hostsOf } from '../../lab/fleet/fleet-config';
import { RUNBOOK_BASELINE_POOL } from '../../lab/lab-config';
import { getJson } from '../../scripts/lib/http-json';
import type { ServicePoolConfig } from '../../scripts/types/service-pool-config';
import { sshOn, useFleet, type FleetHandle } from '../helpers/fleet';

/**
 * The service on an app host is a systemd unit reloaded the production way: `systemctl reload ledger.service`
 * over SSH delivers SIGHUP and the instance swaps its pool (the in-force generation bumps), its log is in journald,
 * and its database password is a root-only file only the service is handed.
 */
async function poolConfig(fleet: FleetHandle, name: string): Promise<ServicePoolConfig> {
  const h = fleet.host(name);
  return (
    await getJson<ServicePoolConfig>(
      `http://${h.address}:${fleet.app.port}/api/health/pool-config`,
      'service-pool-config',
      {
        timeoutMs: 3000,
      },
    )
  ).body;
}

async function waitGeneration(fleet: FleetHandle, name: string, generation: number): Promise<ServicePoolConfig> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const pc = await poolConfig(fleet, name);
    if (pc.generation >= generation || Date.now() > deadline) return pc;
    await sleep(100);
  }
}

const writeConfig = (fleet: FleetHandle, name: string, config: object): ReturnType<typeof sshOn> =>
  sshOn(fleet, name, `sudo -n tee ${fleet.app.configPath} >/dev/null`, `${JSON.stringify(config, null, 2)}\n`);

t.test('systemctl reload over SSH delivers SIGHUP: the new config is in force, generation + 1', async (t) => {
  const fleet = await useFleet(t);
  const name = 'primary-2';
  const before = await poolConfig(fleet, name);
  // Different bytes (the service keeps its pool when the file's sha256 is the one in force).
  const changed = { ...RUNBOOK_BASELINE_POOL, acquireTimeoutMillis: RUNBOOK_BASELINE_POOL.acquireTimeoutMillis + 1 };
  t.teardown(async () => {
    await writeConfig(fleet, name, before.pool);
    await sshOn(fleet, name, `sudo -n systemctl reload ${fleet.app.unit}`);
  });
  t.equal((await writeConfig(fleet, name, changed)).code, 0, 'config written on the host');
  const reload = await sshOn(fleet, name, `sudo -n systemctl reload ${fleet.app.unit}`);
  t.equal(reload.code, 0, `systemctl reload ${fleet.app.unit} (${reload.stderr.trim()})`);
  const after = await waitGeneration(fleet, name, before.generation + 1);
  t.equal(after.generation, before.generation + 1, 'generation bumped once');
  t.same(after.pool, changed, 'the new values are in force');
  t.equal(after.source, fleet.app.configPath, "read from production's path");
  t.equal(after.last_reload_error, null);
  const journal = await sshOn(fleet, name, `sudo -n journalctl -u ${fleet.app.unit} -o cat --no-pager -n 200`);
  const events = journal.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { event: string; generation?: number });
  t.ok(
    events.some((e) => e.event === 'reload_ok' && e.generation === after.generation),
    "journald holds the service's reload_ok line for the new generation",
  );
});

t.test('the database password is readable by root only; the unit hands it to the service', async (t) => {
  const fleet = await useFleet(t);
  for (const h of hostsOf(fleet, 'standby', 'primary')) {
    const st = await sshOn(fleet, h.name, `sudo -n stat -c '%a %U' ${fleet.app.passwordFile}`);
    t.equal(st.stdout.trim(), '600 root', `${h.name}: ${fleet.app.passwordFile} mode and owner`);
    const asDeploy = await sshOn(fleet, h.name, `cat ${fleet.app.passwordFile}`);
    t.not(asDeploy.code, 0, `${h.name}: deploy cannot read it`);
    const unit = await sshOn(
      fleet,
      h.name,
      `systemctl show ${fleet.app.unit} -p ExecReload -p User -p ActiveState -p Environment`,
    );
    t.match(unit.stdout, /ExecReload=.*\/bin\/kill -HUP \$MAINPID/, `${h.name}: ExecReload sends SIGHUP`);
    t.match(unit.stdout, new RegExp(`User=${fleet.app.user}\\n`), `${h.name}: runs as ${fleet.app.user}`);
    t.match(unit.stdout, /ActiveState=active/, `${h.name}: active`);
    t.match(
      unit.stdout,
      new RegExp(`Environment=.*\\bPOOLGATE_STOP_GRACE_MS=${STOP_GRACE_MS}\\b`),
      `${h.name}: a stop nobody drained serves on until HAProxy's checks mark it down`,
    );
    t.equal((await poolConfig(fleet, h.name)).instance, h.name, `${h.name}: the instance knows its name`);
  }
});
