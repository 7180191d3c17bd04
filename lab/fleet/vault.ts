import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../control/lab-error';
import { run } from '../control/proc';
import { readPasswordFile } from '../control/secrets';
import { fleetConfig, type FleetConfig } from './fleet-config';
import { machineRunning } from './nspawn';

/**
 * inventory/fleet/group_vars/all/vault.yml: the secrets the inventory references, encrypted with ansible-vault
 * under the fleet's own vault password (a 0600 file in the fleet's state folder, never in the checkout). Written by
 * fleet:up, ignored by git. Each value is encrypted on its own (`encrypt_string`), so Ansible decrypts it only
 * where a task uses it: `ansible all -i inventory/fleet -m ping` needs no vault password, a task reading the
 * database password does (`--vault-password-file`, or ANSIBLE_VAULT_PASSWORD_FILE).
 */
export const VAULT_FILE = path.join('inventory', 'fleet', 'group_vars', 'all', 'vault.yml');

/** Each vault variable and the secret file it holds: the same names as inventory/production's vault.yml. */
export function vaultSecrets(cfg: FleetConfig): Record<string, string> {
  // The monitoring role's password: production's `db_password: "{{ vault_db_password }}"`.
  return { vault_db_password: cfg.secrets.monitorPasswordFile };
}

/**
 * A keyed digest of the slot and the secrets, kept in the file's first line: a later fleet:up rewrites the file only
 * when it would hold something else (ansible-vault's output differs at every run, its input does not).
 */
export function vaultFingerprint(cfg: FleetConfig, vaultPassword: string, secrets: Record<string, string>): string {
  const h = crypto.createHmac('sha256', vaultPassword).update(`slot ${cfg.slot}\n`);
  for (const [name, value] of Object.entries(secrets).sort()) h.update(`${name}\0${value}\0`);
  return h.digest('hex').slice(0, 32);
}

export function vaultHeader(cfg: FleetConfig, fingerprint: string): string {
  return [
    `# fleet slot ${cfg.slot}, fingerprint ${fingerprint}`,
    '# Written by `npm run fleet:up` (lab/fleet/vault.ts); git ignores it. Each value is ansible-vault encrypted with',
    `# the fleet's vault password: --vault-password-file ${cfg.secrets.vaultPasswordFile}`,
  ].join('\n');
}

/** Writes the vault file of `checkout` when it is missing or holds another slot's or other secrets. */
export async function ensureVaultFile(
  cfg: FleetConfig,
  checkout: string,
  log: (line: string) => void,
): Promise<boolean> {
  const file = path.join(checkout, VAULT_FILE);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n')[1] : undefined;
  refuseWhileAnotherFleetUsesIt(cfg, current);
  const vaultPassword = readPasswordFile(cfg.secrets.vaultPasswordFile);
  const secrets = Object.fromEntries(Object.entries(vaultSecrets(cfg)).map(([name, f]) => [name, readPasswordFile(f)]));
  const header = vaultHeader(cfg, vaultFingerprint(cfg, vaultPassword, secrets));
  if (current === header.split('\n')[0]) return false;
  const parts = ['---', header];
  for (const [name, value] of Object.entries(secrets)) {
    const r = await run(
      'ansible-vault',
      ['encrypt_string', '--vault-password-file', cfg.secrets.vaultPasswordFile, '--stdin-name', name],
      { input: value },
    );
    if (r.code !== 0) throw new LabError('vault', `ansible-vault encrypt_string ${name}: ${r.stderr.trim()}`);
    parts.push(r.stdout.trimEnd());
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${parts.join('\n')}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  log(`vault: wrote ${VAULT_FILE} (fleet slot ${cfg.slot})`);
  return true;
}

/**
 * One checkout has one inventory/fleet and so one vault file: rewriting it for this slot while another slot's fleet
 * is up from the same checkout would leave that fleet's runs unable to decrypt their database password (seen when
 * the bench's fleet came up beside the tests' fleet). Refused, naming the fleet to stop first.
 */
function refuseWhileAnotherFleetUsesIt(cfg: FleetConfig, headerLine: string | undefined): void {
  const other = /^# fleet slot (\d+),/.exec(headerLine ?? '')?.[1];
  if (other === undefined || Number(other) === cfg.slot) return;
  const otherCfg = fleetConfig({ ...process.env, POOLGATE_FLEET_SLOT: other });
  if (!otherCfg.hosts.some(machineRunning)) return;
  throw new LabError(
    'vault',
    `${VAULT_FILE} serves fleet slot ${other}, which is up: rewritten for slot ${cfg.slot}, slot ${other}'s runs from ` +
      `this checkout could no longer decrypt it (one checkout drives one fleet at a time). Stop slot ${other} first ` +
      `(POOLGATE_FLEET_SLOT=${other} npm run fleet:down), or bring slot ${cfg.slot} up from another checkout.`,
  );
}

/** Removes the vault file of `checkout` when it was written for this fleet's slot; true when it did. */
export function removeVaultFile(cfg: FleetConfig, checkout: string): boolean {
  const file = path.join(checkout, VAULT_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  if (!text.split('\n')[1]?.startsWith(`# fleet slot ${cfg.slot},`)) return false;
  fs.rmSync(file, { force: true });
  return true;
}
