import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { fleetConfig } from '../../../lab/fleet/fleet-config';
import { removeVaultFile, VAULT_FILE, vaultFingerprint, vaultHeader } from '../../../lab/fleet/vault';

t.test('the fingerprint follows the slot and the secrets, keyed by the vault password', async (t) => {
  const one = fleetConfig({ POOLGATE_FLEET_SLOT: '1' });
  const two = fleetConfig({ POOLGATE_FLEET_SLOT: '2' });
  const f = vaultFingerprint(one, 'pw', { vault_db_password: 'a' });
  t.equal(f, vaultFingerprint(one, 'pw', { vault_db_password: 'a' }), 'stable');
  t.not(f, vaultFingerprint(two, 'pw', { vault_db_password: 'a' }), 'another slot');
  t.not(f, vaultFingerprint(one, 'pw', { vault_db_password: 'b' }), 'another secret');
  t.not(f, vaultFingerprint(one, 'pw2', { vault_db_password: 'a' }), 'another vault password');
  t.notMatch(vaultHeader(one, f), /\ba\b/, 'the header carries no secret');
  t.match(vaultHeader(one, f), /^# fleet slot 1, fingerprint [0-9a-f]{32}\n/);
});

t.test('--purge removes the checkout vault file only when it is this slot', async (t) => {
  const root = t.testdir({});
  const file = path.join(root, VAULT_FILE);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const one = fleetConfig({ POOLGATE_FLEET_SLOT: '1' });
  fs.writeFileSync(file, `---\n${vaultHeader(fleetConfig({ POOLGATE_FLEET_SLOT: '12' }), 'x')}\n`);
  t.equal(removeVaultFile(one, root), false, "slot 12's file stays");
  fs.writeFileSync(file, `---\n${vaultHeader(one, 'x')}\n`);
  t.equal(removeVaultFile(one, root), true);
  t.notOk(fs.existsSync(file));
  t.equal(removeVaultFile(one, root), false, 'nothing to remove');
});
