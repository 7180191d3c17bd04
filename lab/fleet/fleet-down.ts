import fs from 'node:fs';
import { withSlotLock } from '../control/slot-lock';
import { exitCodeOf, InputError } from '../../scripts/lib/errors';
import { packageRoot } from '../../scripts/lib/paths';
import { fleetConfig, type FleetConfig } from './fleet-config';
import { removeMachineCgroups } from './cgroup';
import { waitFleetClean } from './leftovers';
import { unmountRoot } from './machine-fs';
import { removeNspawnLeftovers, stopMachine } from './nspawn';
import { removeVaultFile, VAULT_FILE } from './vault';
import { errorText } from '../../scripts/lib/error-text';

/**
 * `npm run fleet:down [-- --purge] [-- --expect-clean]`: stops every machine of the fleet of POOLGATE_FLEET_SLOT
 * (their systemd shuts each down in order; what does not end in time is killed, by pid), unmounts their roots and
 * checks that nothing of the fleet is left: no process, no mount, nothing listening on its addresses. --purge also
 * deletes the machines and the fleet's state (keys, secrets); the cached image stays. --expect-clean (CI) fails if
 * a machine was running, i.e. a test left the fleet up.
 */
const log = (line: string): void => void process.stderr.write(`fleet-down: ${line}\n`);

async function down(cfg: FleetConfig): Promise<string[]> {
  const stopped: string[] = [];
  await Promise.all(
    cfg.hosts.map(async (h) => {
      const how = await stopMachine(h);
      if (how !== 'not-running') stopped.push(how === 'killed' ? `${h.name} (killed)` : h.name);
      for (const p of removeNspawnLeftovers(h)) log(`${h.name}: removed ${p}`);
      await unmountRoot(h);
      removeMachineCgroups(h);
    }),
  );
  return stopped;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cfg = fleetConfig();
  if (!fs.existsSync(cfg.stateDir)) {
    process.stdout.write(`fleet slot ${cfg.slot}: nothing was running\n`);
    return;
  }
  const { stopped, left } = await withSlotLock(
    cfg,
    async () => {
      const stopped = await down(cfg);
      return { stopped, left: await waitFleetClean(cfg) };
    },
    300_000,
  );
  if (left.length > 0) {
    process.stderr.write(`fleet-down: FAILED: fleet slot ${cfg.slot} still has ${left.join(', ')}\n`);
    process.exitCode = 1;
    return;
  }
  if (args.includes('--purge')) {
    fs.rmSync(cfg.stateDir, { recursive: true, force: true });
    log(`removed ${cfg.stateDir} (the image cache ${cfg.imageCacheDir} stays)`);
    // Its secrets are gone: so is this checkout's vault file, if it was this fleet's.
    if (removeVaultFile(cfg, packageRoot)) log(`removed ${VAULT_FILE}`);
  }
  process.stdout.write(
    `fleet slot ${cfg.slot}: ${stopped.length ? `stopped ${stopped.sort().join(', ')}` : 'nothing was running'}\n`,
  );
  if (args.includes('--expect-clean') && stopped.length > 0) {
    process.stderr.write(`fleet-down: the fleet of slot ${cfg.slot} was left running (by a test?)\n`);
    process.exitCode = 1;
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`fleet-down: FAILED: ${errorText(err)}\n`);
  process.exitCode = err instanceof InputError ? exitCodeOf(err) : 1;
});
