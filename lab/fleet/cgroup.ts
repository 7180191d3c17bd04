import fs from 'node:fs';
import path from 'node:path';
import type { FleetHost } from './fleet-config';

/**
 * Each machine gets a control group of its own, created before its nspawn starts and entered by it. Without one,
 * nspawn (with no systemd on this machine to ask for a scope) puts every machine's tree under the same
 * /payload group, so the machines' systemds share one cgroup tree: ledger.service of four hosts is one group, and
 * one host's systemd removes a group another host's systemd is about to use (seen: a unit failing "at step
 * CGROUP ... No such file or directory" at boot). The freezer group is what freezeMachine uses: every process of
 * the machine inherits it, whatever the machine's own systemd does.
 */
const CGROUP_ROOT = '/sys/fs/cgroup';
/** systemd's own hierarchies (legacy name=systemd and unified) and the freezer: the ones nspawn and tests need. */
const HIERARCHIES = ['systemd', 'unified', 'freezer'];
const PARENT = 'poolgate-fleet';

export function machineCgroups(host: FleetHost, root = CGROUP_ROOT): string[] {
  return HIERARCHIES.filter((h) => fs.existsSync(path.join(root, h, 'cgroup.procs'))).map((h) =>
    path.join(root, h, PARENT, host.machine),
  );
}

export function ensureMachineCgroups(host: FleetHost, root = CGROUP_ROOT): string[] {
  const groups = machineCgroups(host, root);
  for (const g of groups) fs.mkdirSync(g, { recursive: true });
  return groups;
}

/** A shell prefix that moves the shell into `groups` and then execs the command given as its arguments. */
export function enterCgroupsAndExec(groups: string[]): string[] {
  const moves = groups.map((g) => `echo $$ > '${path.join(g, 'cgroup.procs')}'`).join(' && ');
  return ['-c', `${moves ? `${moves} && ` : ''}exec "$@"`, 'sh'];
}

function subgroupsDeepestFirst(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }))
    if (e.isDirectory()) out.push(...subgroupsDeepestFirst(path.join(dir, e.name)));
  out.push(dir);
  return out;
}

/** Removes the machine's (empty) groups, deepest first; what cannot go (processes left) is returned. */
export function removeMachineCgroups(host: FleetHost, root = CGROUP_ROOT): string[] {
  const left: string[] = [];
  for (const g of machineCgroups(host, root)) {
    if (!fs.existsSync(g)) continue;
    for (const d of subgroupsDeepestFirst(g)) {
      try {
        fs.rmdirSync(d);
      } catch {
        left.push(d);
      }
    }
  }
  return left;
}

export function machineCgroupsLeft(host: FleetHost, root = CGROUP_ROOT): string[] {
  return machineCgroups(host, root).filter((g) => fs.existsSync(g));
}

/** Stops (FROZEN) or resumes (THAWED) every process of a running machine at once: a host that stops answering. */
export function setMachineFrozen(host: FleetHost, frozen: boolean, root = CGROUP_ROOT): void {
  const state = path.join(root, 'freezer', PARENT, host.machine, 'freezer.state');
  if (!fs.existsSync(state)) throw new Error(`${host.name} has no freezer group (${state}): is it running?`);
  fs.writeFileSync(state, frozen ? 'FROZEN' : 'THAWED');
}

export function machineFrozen(host: FleetHost, root = CGROUP_ROOT): boolean {
  const state = path.join(root, 'freezer', PARENT, host.machine, 'freezer.state');
  return fs.existsSync(state) && fs.readFileSync(state, 'utf8').trim() !== 'THAWED';
}
