import path from 'node:path';
import { labConfig, type LabConfig } from '../lab-config';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * The lab's paths and addresses as Ansible variables, from lab-config itself: inventory/lab/lab-config (an
 * executable inventory source) runs this once per Ansible run, so the inventory never re-derives a path the lab
 * chose (PostgreSQL under /var/tmp when the checkout sits in a private folder, see pgRootFor).
 * Only what depends on the slot or the checkout's place is here; the lab's fixed ports and names (PostgreSQL 54320,
 * database ledger, backend app, instance port 3000) are written in the inventory as numbers and words, and
 * test/integration/lab-inventory.test.ts checks both against lab-config.
 * The script-inventory protocol: `--list` prints the groups with their vars, `--host <name>` prints {}.
 */
export function inventoryVars(cfg: LabConfig): Record<string, unknown> {
  return {
    lab_slot: cfg.slot,
    lab_net: cfg.net,
    lab_state_dir: cfg.stateDir,
    lab_labctl: path.join(packageRoot, 'lab', 'bin', 'labctl'),
    lab_pg: {
      host: cfg.pg.host,
      monitor_password_file: cfg.pg.monitorPasswordFile,
      pid_file: path.join(cfg.pg.dataDir, 'postmaster.pid'),
    },
    lab_haproxy: { socket: cfg.haproxy.socket, url: cfg.haproxy.url },
    // The instances' bearer token file when the lab requires one (POOLGATE_LAB_TOKEN=1); empty names none.
    lab_token_file: cfg.token.enabled ? cfg.token.file : '',
    lab_instances: Object.fromEntries(
      cfg.instances.map((i) => [
        i.name,
        {
          address: i.address,
          url: i.url,
          config_path: i.configPath,
          log_path: i.logPath,
          service: i.service,
        },
      ]),
    ),
  };
}

function main(argv: string[]): number {
  if (argv[0] === '--host' && argv.length === 2) {
    process.stdout.write('{}\n');
    return 0;
  }
  if (argv[0] !== '--list' || argv.length !== 1) {
    process.stderr.write('usage: lab-inventory --list | --host <name> (an Ansible inventory script)\n');
    return 2;
  }
  let cfg: LabConfig;
  try {
    cfg = labConfig();
  } catch (err) {
    process.stderr.write(`lab-inventory: ${(err as Error).message}\n`);
    return 2;
  }
  process.stdout.write(`${JSON.stringify({ all: { vars: inventoryVars(cfg) }, _meta: { hostvars: {} } })}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
