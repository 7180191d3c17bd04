import path from 'node:path';
import t from 'tap';
import { fleetAppVars, fleetConfig, hostsOf, type FleetRole } from '../../../lab/fleet/fleet-config';
import { renderedVars } from '../../helpers/ansible-vars';

/**
 * inventory/fleet describes exactly the fleet lab/fleet/fleet-config.ts builds, on any slot and state root: the
 * hosts and their groups, the addresses Ansible connects to, the services' addresses, the SSH key and known_hosts,
 * the database and load balancer. Ansible renders the variables itself (debug runs on the control node: no host is
 * contacted).
 */
const GROUPS: Record<FleetRole, string[]> = {
  lb: ['lb'],
  db_primary: ['db', 'db_primary'],
  db_replica: ['db', 'db_replica'],
  standby: ['app', 'standby'],
  primary: ['app', 'primary'],
};

const rendered = (env: NodeJS.ProcessEnv): Promise<Map<string, Record<string, unknown>>> =>
  renderedVars(
    'fleet',
    'all',
    '{"groups": group_names, "host": ansible_host, "user": ansible_user, "key": ansible_ssh_private_key_file,' +
      ' "ssh_args": ansible_ssh_common_args, "address": pool_instance_address | default(none),' +
      ' "url": pool_instance_url | default(none), "db": pool_scaling_database.host,' +
      ' "p0": pool_scaling_monitor.p0.file, "lb_url": pool_scaling_lb.url,' +
      ' "connection": ansible_connection | default("ssh"),' +
      ' "app": {"pool_instance_config_path": pool_instance_config_path, "pool_instance_service": pool_instance_service,' +
      ' "pool_instance_pidfile": pool_instance_pidfile} if pool_instance_address is defined else none}',
    env,
  );

for (const env of [{ POOLGATE_FLEET_SLOT: '1' }, { POOLGATE_FLEET_SLOT: '7', POOLGATE_FLEET_STATE_ROOT: '/srv/f' }]) {
  t.test(`the fleet inventory agrees with fleet-config: ${JSON.stringify(env)}`, async (t) => {
    const cfg = fleetConfig(env);
    const hosts = await rendered({ ...process.env, ...env });
    t.same([...hosts.keys()].sort(), cfg.hosts.map((h) => h.name).sort(), 'the seven hosts');
    const db = hostsOf(cfg, 'db_primary')[0]!;
    for (const h of cfg.hosts) {
      const app = h.role === 'standby' || h.role === 'primary';
      t.same(
        hosts.get(h.name),
        {
          groups: GROUPS[h.role],
          host: h.address,
          user: cfg.ssh.user,
          key: cfg.ssh.keyFile,
          ssh_args: `-o UserKnownHostsFile=${cfg.ssh.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`,
          address: app ? h.address : null,
          url: app ? `http://${h.address}:${cfg.app.port}` : null,
          db: db.address,
          p0: path.join(cfg.stateDir, 'P0'),
          lb_url: cfg.haproxy.url,
          connection: 'ssh',
          // the reference service's unit and paths: what fleetAppVars hands the playbook for the fleet's service
          app: app ? fleetAppVars(cfg) : null,
        },
        h.name,
      );
    }
  });
}
