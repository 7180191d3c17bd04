import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { labConfig } from '../../lab/lab-config';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * inventory/lab/hosts.yml must describe exactly the lab that lab/lab-config.ts builds, on any slot, with and without
 * the bearer token (POOLGATE_LAB_TOKEN=1).
 */
t.test('the lab inventory agrees with lab-config for this slot and for another one', async (t) => {
  for (const [slot, token] of [
    [process.env.POOLGATE_LAB_SLOT ?? '0', ''],
    ['7', '1'],
  ] as const) {
    const env = {
      ...process.env,
      POOLGATE_LAB_SLOT: slot,
      POOLGATE_LAB_TOKEN: token,
      ANSIBLE_CONFIG: path.join(packageRoot, 'ansible.cfg'),
    };
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
        'msg="{{ {"groups": group_names, "address": pool_instance_address, "port": pool_instance_port, "config": pool_instance_config_path, "service": pool_instance_service, "url": pool_instance_url, "connection": ansible_connection, "token_file": pool_instance_token_file} | to_json }}"',
      ],
      { env, cwd: packageRoot, timeout: 60_000 },
    );
    const cfg = labConfig({ POOLGATE_LAB_SLOT: slot, POOLGATE_LAB_TOKEN: token });
    const hosts = new Map<string, Record<string, unknown>>();
    for (const line of stdout.split('\n')) {
      const m = /^(\S+) \| SUCCESS => (.*)$/.exec(line);
      if (m) hosts.set(m[1]!, JSON.parse((JSON.parse(m[2]!) as { msg: string }).msg) as Record<string, unknown>);
    }
    t.same([...hosts.keys()].sort(), cfg.instances.map((i) => i.name).sort(), `slot ${slot}: the four instances`);
    for (const inst of cfg.instances) {
      const h = hosts.get(inst.name)!;
      t.same(
        {
          ...h,
          config: path.resolve(String(h.config)),
          token_file: h.token_file && path.resolve(String(h.token_file)),
        },
        {
          groups: ['app', inst.role],
          address: inst.address,
          port: inst.port,
          config: inst.configPath,
          service: inst.service,
          url: inst.url,
          connection: 'local',
          token_file: cfg.token.enabled ? cfg.token.file : '',
        },
        `slot ${slot}: ${inst.name}`,
      );
    }
  }
});
