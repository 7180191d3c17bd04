import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fleetConfig } from '../../../lab/fleet/fleet-config';
import { VAULT_FILE, vaultSecrets } from '../../../lab/fleet/vault';
import { packageRoot } from '../../../scripts/lib/paths';
import { loadYaml, loadYamlFiles } from '../../helpers/yaml';

/**
 * inventory/fleet must be inventory/production with only addresses, credentials and lab-sized durations changed,
 * plus what production leaves to FILL IN per change: the same files, the same groups, the same variables. Every
 * value allowed to differ, and every variable only the fleet has, is listed here with its reason; anything else
 * that differs fails, so a change to one inventory must be made to the other.
 */
type Why =
  | 'address'
  | 'credential'
  | 'lab-sized duration'
  | 'filled in per change (production: FILL IN)'
  | "noise of the lab's shared machine";

/** `<file>:<key path>`, host names replaced by their place in their group (#1, #2). */
const MAY_DIFFER: Record<string, Why> = {
  'hosts.yml:all.children.lb.hosts.#1.ansible_host': 'address',
  'hosts.yml:all.children.db.children.db_primary.hosts.#1.ansible_host': 'address',
  'hosts.yml:all.children.db.children.db_replica.hosts.#1.ansible_host': 'address',
  'hosts.yml:all.children.app.children.standby.hosts.#1.pool_instance_address': 'address',
  'hosts.yml:all.children.app.children.standby.hosts.#2.pool_instance_address': 'address',
  'hosts.yml:all.children.app.children.primary.hosts.#1.pool_instance_address': 'address',
  'hosts.yml:all.children.app.children.primary.hosts.#2.pool_instance_address': 'address',
  'group_vars/all/database.yml:pool_scaling_database.database': 'filled in per change (production: FILL IN)',
  'group_vars/all/database.yml:pool_scaling_database.app_user': 'filled in per change (production: FILL IN)',
  'group_vars/all/lb.yml:pool_scaling_lb.url': 'address',
  'group_vars/all/run.yml:pool_scaling_notify_webhook_url_file': 'credential',
  'group_vars/all/run.yml:pool_scaling_evidence_signing.key': 'credential',
  'group_vars/all/run.yml:pool_scaling_evidence_signing.allowed_signers': 'credential',
  'group_vars/all/gates.yml:pool_scaling_preflight.restore_tested.by': 'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_preflight.restore_tested.at': 'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_preflight.attestations.system_stable.url': 'address',
  'group_vars/all/gates.yml:pool_scaling_preflight.attestations.dashboards_visible.url': 'address',
  'group_vars/all/gates.yml:pool_scaling_preflight.attestations.rollback_plan_tested.by':
    'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_preflight.attestations.rollback_plan_tested.at':
    'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_preflight.attestations.on_call.name':
    'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_loadtest.duration': 'lab-sized duration',
  'group_vars/all/gates.yml:pool_scaling_monitor.interval_s': 'lab-sized duration',
  'group_vars/all/gates.yml:pool_scaling_monitor.duration_s': 'lab-sized duration',
  'group_vars/all/gates.yml:pool_scaling_monitor.p0.file': 'address',
  'hosts.yml:all.vars.ansible_ssh_private_key_file': 'credential',
  'hosts.yml:all.vars.ansible_ssh_common_args': 'credential',
  'group_vars/all/gates.yml:pool_scaling_rollback.watch.duration_s': 'lab-sized duration',
  'group_vars/all/gates.yml:pool_scaling_rollback.watch.interval_s': 'lab-sized duration',
  'group_vars/all/gates.yml:pool_scaling_rollback.watch.settle_s': 'lab-sized duration',
  'group_vars/all/run.yml:pool_scaling_stakeholders.executive_operator': 'filled in per change (production: FILL IN)',
  'group_vars/all/run.yml:pool_scaling_stakeholders.product_lead': 'filled in per change (production: FILL IN)',
  'group_vars/all/run.yml:pool_scaling_stakeholders.on_call': 'filled in per change (production: FILL IN)',
};

/** Variables only the fleet has. */
const FLEET_ONLY: Record<string, Why> = {
  // The slot, its net and its state folder: what the fleet's addresses and credential paths are made of.
  'hosts.yml:all.vars.fleet_slot': 'address',
  'hosts.yml:all.vars.fleet_net': 'address',
  'hosts.yml:all.vars.fleet_state_dir': 'credential',
  'group_vars/all/gates.yml:pool_scaling_preflight.change_window.override.reason':
    'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_preflight.change_window.override.by':
    'filled in per change (production: FILL IN)',
  'group_vars/all/gates.yml:pool_scaling_monitor.window_s': 'lab-sized duration',
  // the runbook's triggers (production's default) with lab-sized sustains
  'group_vars/all/gates.yml:pool_scaling_monitor.triggers': 'lab-sized duration',
  // a latency regression must add 25 ms, not 5: seven hosts on two cores, restarted instances answering from cold
  'group_vars/all/gates.yml:pool_scaling_verify.min_regression_ms': "noise of the lab's shared machine",
};

const dir = (name: string): string => path.join(packageRoot, 'inventory', name);

function files(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(path.relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

/** Every leaf as `key.path → value`; the keys of a `hosts:` mapping become #1, #2 … in their order. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    out.set(prefix, value);
    return out;
  }
  const hosts = prefix.endsWith('.hosts') || prefix === 'hosts';
  Object.entries(value as Record<string, unknown>).forEach(([k, v], i) =>
    leaves(v, `${prefix ? `${prefix}.` : ''}${hosts ? `#${i + 1}` : k}`, out),
  );
  return out;
}

/** The fleet's generated vault, relative to the inventory (compared on its own below). */
const generatedVault = path.relative(dir('fleet'), path.join(packageRoot, VAULT_FILE));

t.test('the same files in both inventories', async (t) => {
  const fleet = files(dir('fleet')).filter((f) => f !== generatedVault);
  const production = files(dir('production')).filter((f) => f !== generatedVault);
  t.same(fleet, production, 'inventory/fleet has exactly the files of inventory/production (its vault.yml aside)');
});

t.test("the fleet's generated vault holds exactly production's vault variables", async (t) => {
  const production = loadYaml(path.join(dir('production'), generatedVault)) as Record<string, unknown>;
  t.same(Object.keys(vaultSecrets(fleetConfig({}))).sort(), Object.keys(production).sort());
  const ignored = fs.readFileSync(path.join(packageRoot, '.gitignore'), 'utf8').split('\n');
  t.ok(ignored.includes(VAULT_FILE), `${VAULT_FILE} is git-ignored (fleet:up writes it with generated secrets)`);
});

const compared = files(dir('production')).filter((f) => f !== generatedVault);
const loaded = loadYamlFiles(compared.flatMap((f) => [path.join(dir('production'), f), path.join(dir('fleet'), f)]));
const fleetLeaves = new Map<string, unknown>();

compared.forEach((file, i) => {
  const prod = leaves(loaded[2 * i]);
  const fleet = leaves(loaded[2 * i + 1]);
  for (const [k, v] of fleet) fleetLeaves.set(`${file}:${k}`, v);
  t.test(`${file}: same groups and variables; values differ only where listed`, async (t) => {
    const key = (k: string): string => `${file}:${k}`;
    t.same(
      [...prod.keys()].filter((k) => !fleet.has(k)),
      [],
      'no variable of production is missing from the fleet',
    );
    t.same(
      [...fleet.keys()].filter((k) => !prod.has(k) && !(key(k) in FLEET_ONLY)),
      [],
      'the fleet has no variable production lacks, except those listed in FLEET_ONLY',
    );
    for (const [k, v] of prod) {
      if (!fleet.has(k) || key(k) in MAY_DIFFER) continue;
      t.same(fleet.get(k), v, `${k} is production's value`);
    }
  });
});

t.test('every listed exception still exists (no stale entry hides a real difference)', async (t) => {
  t.same(
    [...Object.keys(MAY_DIFFER), ...Object.keys(FLEET_ONLY)].filter((k) => !fleetLeaves.has(k)),
    [],
  );
});
