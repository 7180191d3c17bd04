import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { labConfig } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';

/** inventory/lab/hosts.yml must describe exactly the lab that lab/lab-config.ts builds, on any slot. */
t.test('the lab inventory agrees with lab-config for this slot and for another one', async (t) => {
  for (const slot of [process.env.POOLGATE_LAB_SLOT ?? '0', '7']) {
    const env = { ...process.env, POOLGATE_LAB_SLOT: slot, ANSIBLE_CONFIG: path.join(packageRoot, 'ansible.cfg') };
    const { stdout } = await promisify(execFile)(
      'ansible',
      [
        '-i',
        path.join(packageRoot, 'inventory', 'lab', 'hosts.yml'),
        '--playbook-dir',
        path.join(packageRoot, 'playbooks'),
        'app',
        '-o',
        '-m',
        'ansible.builtin.debug',
        '-a',
        'msg="{{ {"groups": group_names, "address": pool_instance_address, "port": pool_instance_port, "config": pool_instance_config_path, "service": pool_instance_service, "url": pool_instance_url, "connection": ansible_connection} | to_json }}"',
      ],
      { env, cwd: packageRoot, timeout: 60_000 },
    );
    const cfg = labConfig({ POOLGATE_LAB_SLOT: slot });
    const hosts = new Map<string, Record<string, unknown>>();
    for (const line of stdout.split('\n')) {
      const m = /^(\S+) \| SUCCESS => (.*)$/.exec(line);
      if (m) hosts.set(m[1]!, JSON.parse((JSON.parse(m[2]!) as { msg: string }).msg) as Record<string, unknown>);
    }
    t.same([...hosts.keys()].sort(), cfg.instances.map((i) => i.name).sort(), `slot ${slot}: the four instances`);
    for (const inst of cfg.instances) {
      const h = hosts.get(inst.name)!;
      t.same(
        { ...h, config: path.resolve(String(h.config)) },
        {
          groups: ['app', inst.role],
          address: inst.address,
          port: inst.port,
          config: inst.configPath,
          service: inst.service,
          url: inst.url,
          connection: 'local',
        },
        `slot ${slot}: ${inst.name}`,
      );
    }
  }
});
