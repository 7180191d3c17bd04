import { run, type RunResult } from '../control/proc';
import type { FleetHost } from './fleet-config';
import { leaderPid } from './nspawn';

/**
 * A command run inside a machine from the bastion without SSH (nsenter into every namespace of the machine's
 * init): what a console or a hypervisor gives an operator. Tests use it to act on a host whose SSH is the thing
 * under test (stop its sshd, look at it while SSH is down).
 */
export function machineExec(
  host: FleetHost,
  argv: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const leader = leaderPid(host);
  if (leader === undefined) throw new Error(`${host.name} is not running`);
  return run('nsenter', ['--target', String(leader), '--all', '--', ...argv], {
    input: opts.input,
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
}
