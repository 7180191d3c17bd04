import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { packageRoot } from '../../scripts/lib/paths';

/**
 * What Ansible makes of an inventory: for each host of `pattern`, the JSON of the Jinja dict `expr` rendered with that
 * host's variables (ansible's debug module, on the control node: no host is contacted). Rejects with Ansible's output
 * when it fails.
 */
export async function renderedVars(
  inventory: string,
  pattern: string,
  expr: string,
  env: NodeJS.ProcessEnv,
): Promise<Map<string, Record<string, unknown>>> {
  const { stdout } = await promisify(execFile)(
    'ansible',
    [
      '-i',
      path.join(packageRoot, 'inventory', inventory),
      '--playbook-dir',
      path.join(packageRoot, 'playbooks'),
      pattern,
      '-o',
      '-m',
      'ansible.builtin.debug',
      '-a',
      `msg='{{ ${expr} | to_json }}'`,
    ],
    { env: { ...env, ANSIBLE_CONFIG: path.join(packageRoot, 'ansible.cfg') }, cwd: packageRoot, timeout: 60_000 },
  );
  const hosts = new Map<string, Record<string, unknown>>();
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) \| SUCCESS => (.*)$/.exec(line);
    if (m) hosts.set(m[1]!, JSON.parse((JSON.parse(m[2]!) as { msg: string }).msg) as Record<string, unknown>);
  }
  return hosts;
}
