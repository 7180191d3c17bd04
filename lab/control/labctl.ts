import { labConfig } from '../lab-config';
import { supervisorctl, supervisordPid } from './supervisor';
import { errorText } from '../../scripts/lib/error-text';

/**
 * `lab/bin/labctl <action> <instance|all>`: how Ansible (and people) manage one lab instance like a real
 * service, through supervisord. POOLGATE_LAB_SLOT selects the lab (default 0).
 */
const ACTIONS: Record<string, string[]> = {
  start: ['start'],
  stop: ['stop'],
  restart: ['restart'],
  status: ['status'],
  hup: ['signal', 'HUP'],
  pid: ['pid'],
};

const USAGE = `usage: labctl <${Object.keys(ACTIONS).join('|')}> <instance|all>
  start|stop|restart  supervisorctl start/stop/restart (stop sends SIGTERM and waits up to 30 s)
  status              the supervisor state of the instance(s)
  hup                 SIGHUP: the instance re-reads its pool config
  pid                 the instance's pid
The lab is the one of POOLGATE_LAB_SLOT (default 0).`;

async function main(): Promise<number> {
  const [action, target, ...extra] = process.argv.slice(2);
  const cfg = labConfig();
  const names = cfg.instances.map((i) => i.name);
  if (!action || !target || extra.length > 0 || !ACTIONS[action]) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (target !== 'all' && !names.includes(target)) {
    process.stderr.write(`labctl: no instance "${target}" (instances: ${names.join(', ')}, or all)\n`);
    return 2;
  }
  if (target === 'all' && action === 'pid') {
    process.stderr.write('labctl: pid takes one instance\n');
    return 2;
  }
  if (supervisordPid(cfg) === undefined) {
    process.stderr.write(`labctl: the lab of slot ${cfg.slot} is not up (npm run lab:up)\n`);
    return 3;
  }
  const program = target === 'all' ? 'all' : cfg.instances.find((i) => i.name === target)!.service;
  const r = await supervisorctl(cfg, [...ACTIONS[action]!, program]);
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  return r.code ?? 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`labctl: ${errorText(err)}\n`);
    process.exitCode = 1;
  },
);
