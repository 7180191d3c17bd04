import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fleetConfig, hostsOf } from '../../lab/fleet/fleet-config';
import { ensureVaultFile, VAULT_FILE } from '../../lab/fleet/vault';
import { RUNBOOK_BASELINE_POOL } from '../../lab/lab-config';
import { getJson } from '../../scripts/lib/http-json';
import { packageRoot } from '../../scripts/lib/paths';
import type { ServicePoolConfig } from '../../scripts/types/service-pool-config';
import { useFleet, type FleetHandle } from '../helpers/fleet';
import { runProcess } from '../helpers/poolgate-cli';

/**
 * inventory/fleet works as production's inventory would: Ansible reaches every host over SSH as `deploy` with the
 * fleet's key and known_hosts (no host key check turned off), and `systemd state=reloaded` with become delivers
 * SIGHUP to every instance. The vault's database password decrypts with the fleet's vault password file only.
 */
const ansible = (args: string[], env: NodeJS.ProcessEnv = process.env): ReturnType<typeof runProcess> =>
  runProcess('ansible', ['-i', path.join(packageRoot, 'inventory', 'fleet'), ...args], 120_000, {
    ...env,
    ANSIBLE_CONFIG: path.join(packageRoot, 'ansible.cfg'),
  });

const results = (stdout: string): Map<string, string> =>
  new Map([...stdout.matchAll(/^(\S+) \| (\w+)/gm)].map((m) => [m[1]!, m[2]!]));

async function generation(fleet: FleetHandle, address: string): Promise<ServicePoolConfig> {
  const url = `http://${address}:${fleet.app.port}/api/health/pool-config`;
  return (await getJson<ServicePoolConfig>(url, 'service-pool-config', { timeoutMs: 3000 })).body;
}

t.test('ansible all -m ping reaches the seven hosts over SSH', async (t) => {
  const fleet = await useFleet(t);
  const r = await ansible(['all', '-o', '-m', 'ansible.builtin.ping']);
  t.equal(r.code, 0, r.stderr);
  t.same([...results(r.stdout)].sort(), fleet.hosts.map((h) => [h.name, 'SUCCESS']).sort());
});

t.test('ansible app -b -m systemd state=reloaded delivers SIGHUP: every generation + 1', async (t) => {
  const fleet = await useFleet(t);
  const apps = hostsOf(fleet, 'standby', 'primary');
  const before = new Map(
    await Promise.all(apps.map(async (h) => [h.name, await generation(fleet, h.address)] as const)),
  );
  const dir = t.testdir({});
  const write = async (values: object): Promise<void> => {
    const file = path.join(dir, 'pool.json');
    fs.writeFileSync(file, `${JSON.stringify(values, null, 2)}\n`);
    const r = await ansible([
      'app',
      '-b',
      '-o',
      '-m',
      'ansible.builtin.copy',
      '-a',
      `src=${file} dest=${fleet.app.configPath} mode=0644`,
    ]);
    t.equal(r.code, 0, `pool.json copied to every app host ${r.stderr}`);
  };
  const reload = async (): Promise<void> => {
    const r = await ansible([
      'app',
      '-b',
      '-o',
      '-m',
      'ansible.builtin.systemd',
      '-a',
      `name=${fleet.app.unit} state=reloaded`,
    ]);
    t.equal(r.code, 0, `systemd state=reloaded ${r.stderr}`);
    t.same(
      [...results(r.stdout).values()],
      apps.map(() => 'CHANGED'),
    );
  };
  // Different bytes, so each instance makes a new pool (same bytes keep the one in force).
  await write({ ...RUNBOOK_BASELINE_POOL, idleTimeoutMillis: RUNBOOK_BASELINE_POOL.idleTimeoutMillis + 1 });
  await reload();
  for (const h of apps) {
    const pc = await waitFor(
      () => generation(fleet, h.address),
      (p) => p.generation > before.get(h.name)!.generation,
    );
    t.equal(pc.generation, before.get(h.name)!.generation + 1, `${h.name}: generation + 1`);
    t.equal(pc.pool.idleTimeoutMillis, RUNBOOK_BASELINE_POOL.idleTimeoutMillis + 1, `${h.name}: new config in force`);
  }
  await write(RUNBOOK_BASELINE_POOL);
  await reload();
  for (const h of apps) {
    const pc = await waitFor(
      () => generation(fleet, h.address),
      (p) => p.generation > before.get(h.name)!.generation + 1,
    );
    t.same(pc.pool, RUNBOOK_BASELINE_POOL, `${h.name}: back at the baseline`);
  }
});

t.test("the database password: from the vault, only with the fleet's vault password", async (t) => {
  const fleet = await useFleet(t);
  const args = [
    'db_primary',
    '-o',
    '-m',
    'ansible.builtin.debug',
    '-a',
    'msg={{ pool_scaling_database_password | length }}',
  ];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'ANSIBLE_VAULT_PASSWORD_FILE'));
  const without = await ansible(args, env);
  t.not(without.code, 0, 'without the vault password it cannot be read');
  t.match(without.stdout, /Attempting to decrypt but no vault secrets found/);
  const withPw = await ansible([...args, '--vault-password-file', fleet.secrets.vaultPasswordFile]);
  t.equal(withPw.code, 0, withPw.stderr);
  const monitor = fs.readFileSync(fleet.secrets.monitorPasswordFile, 'utf8').trim();
  t.match(withPw.stdout, new RegExp(`"msg": "${monitor.length}"`), "the monitoring role's password, decrypted");
});

t.test("another slot's fleet:up from this checkout is refused while this fleet uses the vault", async (t) => {
  const fleet = await useFleet(t);
  const file = path.join(packageRoot, VAULT_FILE);
  const before = fs.readFileSync(file, 'utf8');
  const other = fleetConfig({ ...process.env, POOLGATE_FLEET_SLOT: String(fleet.slot === 5 ? 6 : 5) });
  await t.rejects(
    ensureVaultFile(other, packageRoot, () => undefined),
    new RegExp(`serves fleet slot ${fleet.slot}, which is up: rewritten for slot`),
    'refused, naming the fleet that uses it',
  );
  t.equal(fs.readFileSync(file, 'utf8'), before, 'the vault file is unchanged');
});

async function waitFor<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (done(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}
