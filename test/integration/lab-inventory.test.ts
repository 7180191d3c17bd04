import path from 'node:path';
import t from 'tap';
import { labConfig } from '../../lab/lab-config';
import { renderedVars } from '../helpers/ansible-vars';

/** What Ansible makes of inventory/lab (hosts.yml, group_vars and the lab-config script) for one environment. */
const inventoryAsSeen = (env: NodeJS.ProcessEnv): Promise<Map<string, Record<string, unknown>>> =>
  renderedVars(
    'lab',
    'app',
    '{"groups": group_names, "address": pool_instance_address, "port": pool_instance_port,' +
      ' "config": pool_instance_config_path, "log": pool_instance_log, "service": pool_instance_service,' +
      ' "url": pool_instance_url, "connection": ansible_connection, "pid_file": pool_scaling_monitor.db_cpu.pid_file,' +
      ' "socket": pool_scaling_lb.socket, "backend": pool_scaling_lb.backend, "lb_url": pool_scaling_lb.url,' +
      ' "db": pool_scaling_database, "token_file": pool_instance_token_file}',
    env,
  );

/**
 * inventory/lab must describe exactly the lab that lab/lab-config.ts builds: on any slot, and wherever the lab puts
 * PostgreSQL (in the slot's folder, or under /var/tmp for a checkout in a private folder: POOLGATE_LAB_PG_ROOT is
 * the same switch pgRootFor takes), with and without the instances' bearer token (POOLGATE_LAB_TOKEN=1).
 */
t.test('the lab inventory agrees with lab-config for this slot, another one, and a moved PostgreSQL', async (t) => {
  const slot = process.env.POOLGATE_LAB_SLOT ?? '0';
  const cases: Array<[string, NodeJS.ProcessEnv]> = [
    [`slot ${slot}`, { POOLGATE_LAB_SLOT: slot }],
    ['slot 7', { POOLGATE_LAB_SLOT: '7' }],
    ['PostgreSQL under /var/tmp', { POOLGATE_LAB_SLOT: slot, POOLGATE_LAB_PG_ROOT: '/var/tmp/poolgate-lab-test' }],
    ['slot 7 with the token', { POOLGATE_LAB_SLOT: '7', POOLGATE_LAB_TOKEN: '1' }],
  ];
  for (const [what, vars] of cases) {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      POOLGATE_LAB_PG_ROOT: undefined,
      POOLGATE_LAB_TOKEN: undefined,
      ...vars,
    };
    for (const k of ['POOLGATE_LAB_PG_ROOT', 'POOLGATE_LAB_TOKEN']) if (env[k] === undefined) delete env[k];
    const hosts = await inventoryAsSeen(env);
    const cfg = labConfig(env);
    t.same([...hosts.keys()].sort(), cfg.instances.map((i) => i.name).sort(), `${what}: the four instances`);
    for (const inst of cfg.instances) {
      t.same(
        hosts.get(inst.name),
        {
          groups: ['app', inst.role],
          address: inst.address,
          port: inst.port,
          config: inst.configPath,
          log: inst.logPath,
          service: inst.service,
          url: inst.url,
          connection: 'local',
          pid_file: path.join(cfg.pg.dataDir, 'postmaster.pid'),
          socket: cfg.haproxy.socket,
          backend: cfg.haproxy.backend,
          lb_url: cfg.haproxy.url,
          db: {
            host: cfg.pg.host,
            port: cfg.pg.port,
            database: cfg.pg.database,
            user: cfg.pg.monitorUser,
            app_user: cfg.pg.appUser,
            password_file: cfg.pg.monitorPasswordFile,
            connect_timeout_ms: 3000,
          },
          token_file: cfg.token.enabled ? cfg.token.file : '',
        },
        `${what}: ${inst.name}`,
      );
    }
  }
  t.match(
    labConfig({ POOLGATE_LAB_SLOT: slot, POOLGATE_LAB_PG_ROOT: '/var/tmp/poolgate-lab-test' }).pg.dataDir,
    /^\/var\/tmp\/poolgate-lab-test\//,
    'the moved case really moves the data folder out of the checkout',
  );
});

t.test('a bad slot stops Ansible with the lab-config error, before any play', async (t) => {
  const err = await inventoryAsSeen({ ...process.env, POOLGATE_LAB_SLOT: '999' }).then(
    () => null,
    (e: { code?: number; stdout?: string; stderr?: string }) => e,
  );
  t.ok(err && err.code !== 0, 'ansible exits non-zero');
  t.match(
    (err?.stderr ?? '').replace(/\s+/g, ' '),
    /POOLGATE_LAB_SLOT must be an integer from 0 to 250, got "999"/,
    'it names the bad variable and the rule',
  );
});
