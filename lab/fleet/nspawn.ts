import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LabError } from '../control/lab-error';
import { isAlive, stopPid } from '../control/proc';
import { ensureMachineCgroups, enterCgroupsAndExec, machineFrozen, setMachineFrozen } from './cgroup';
import { isApp, type FleetHost } from './fleet-config';

/**
 * One machine = one systemd-nspawn process booting the machine's own systemd. This machine runs no systemd, so
 * nothing registers or supervises the machines: each is tracked by pid (nspawn's and its container init's, with
 * the init's pid namespace, which guards against a reused pid) in a small JSON file.
 */
export interface MachinePids {
  nspawn: number;
  /** the machine's init (its pid 1), a child of nspawn; killing it ends every process of the machine */
  leader: number;
  /** inode of the leader's pid namespace */
  pidns: number;
  started_at: string;
}

/** The host's node (Debian 12's own nodejs is too old for the service) goes in read-only, as a package would. */
export const NODE_IN_MACHINE = '/usr/local/bin/node';

export function nspawnArgs(host: FleetHost, nodeBinary = '/usr/bin/node'): string[] {
  return [
    '--directory',
    host.root,
    '--machine',
    host.machine,
    '--hostname',
    host.name,
    // No systemd on this machine to register with, nor a unit to put the machine in.
    '--register=no',
    '--keep-unit',
    '--boot',
    '--console=pipe',
    '--link-journal=no',
    ...(isApp(host) ? [`--bind-ro=${nodeBinary}:${NODE_IN_MACHINE}`] : []),
  ];
}

export function pidNamespace(pid: number): number | undefined {
  try {
    const m = /^pid:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/ns/pid`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function readPids(host: FleetHost): MachinePids | undefined {
  try {
    return JSON.parse(fs.readFileSync(host.pidFile, 'utf8')) as MachinePids;
  } catch {
    return undefined;
  }
}

/** nspawn's pid when it runs this machine (its command line names the machine's root). */
export function nspawnPid(host: FleetHost): number | undefined {
  const pids = readPids(host);
  return pids && isAlive(pids.nspawn, host.root) ? pids.nspawn : undefined;
}

/** The machine's init when it still runs in the recorded namespace (it can outlive a SIGKILLed nspawn). */
export function leaderPid(host: FleetHost): number | undefined {
  const pids = readPids(host);
  return pids && isAlive(pids.leader) && pidNamespace(pids.leader) === pids.pidns ? pids.leader : undefined;
}

export const machineRunning = (host: FleetHost): boolean => nspawnPid(host) !== undefined;

function childrenOf(pid: number): number[] {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Starts the machine (detached from this process, so it outlives fleet:up) and records its pids. */
export async function startMachine(host: FleetHost): Promise<MachinePids> {
  fs.mkdirSync(path.dirname(host.pidFile), { recursive: true, mode: 0o700 });
  fs.mkdirSync(path.dirname(host.consoleLog), { recursive: true, mode: 0o700 });
  const out = fs.openSync(host.consoleLog, 'a', 0o600);
  const groups = ensureMachineCgroups(host);
  // sh enters the machine's groups, then becomes systemd-nspawn (same pid).
  const child = spawn('/bin/sh', [...enterCgroupsAndExec(groups), 'systemd-nspawn', ...nspawnArgs(host)], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (err) => reject(new LabError(`machine ${host.name}`, `systemd-nspawn: ${err.message}`))),
  );
  child.unref();
  const nspawn = child.pid!;
  const ownNs = pidNamespace(process.pid);
  const deadline = Date.now() + 15_000;
  const leader = await Promise.race([
    failed,
    (async (): Promise<number> => {
      for (;;) {
        const init = childrenOf(nspawn).find((c) => pidNamespace(c) !== ownNs);
        if (init !== undefined) return init;
        if (!isAlive(nspawn) || Date.now() > deadline) {
          throw new LabError(
            `machine ${host.name}`,
            `systemd-nspawn ${isAlive(nspawn) ? 'started no machine in 15 s' : 'exited'}: ${consoleTail(host)}`,
          );
        }
        await sleep(50);
      }
    })(),
  ]);
  const pids: MachinePids = { nspawn, leader, pidns: pidNamespace(leader)!, started_at: new Date().toISOString() };
  fs.writeFileSync(host.pidFile, `${JSON.stringify(pids)}\n`, { mode: 0o600 });
  return pids;
}

export function consoleTail(host: FleetHost, lines = 5): string {
  try {
    return fs.readFileSync(host.consoleLog, 'utf8').trim().split('\n').slice(-lines).join(' | ') || '(no output)';
  } catch {
    return '(no output)';
  }
}

/**
 * Stops the machine: SIGTERM to nspawn makes the machine's systemd shut down in order (units stopped, file systems
 * synced); if that does not end within `timeoutMs`, nspawn is SIGKILLed, and then the machine's init, whose end
 * takes every process of the machine with it. Returns how it went.
 */
export async function stopMachine(host: FleetHost, timeoutMs = 30_000): Promise<'not-running' | 'stopped' | 'killed'> {
  // A frozen machine cannot shut down (nor even die) until it is thawed.
  if (machineFrozen(host)) setMachineFrozen(host, false);
  const nspawn = nspawnPid(host);
  let how: 'not-running' | 'stopped' | 'killed' = 'not-running';
  if (nspawn !== undefined) how = await stopPid(nspawn, 'SIGTERM', timeoutMs, host.root);
  const leader = leaderPid(host);
  if (leader !== undefined) {
    await stopPid(leader, 'SIGKILL', 5000);
    how = 'killed';
  }
  return how;
}

/**
 * What a killed nspawn leaves on this machine: its propagation folder under /run/systemd/nspawn and the lock on the
 * machine's root (named for the root's device and inode, so found only while the root is still mounted). A clean
 * stop removes both itself. Call it only once the machine is stopped.
 */
export function nspawnLeftovers(host: FleetHost, runDir = '/run/systemd/nspawn'): string[] {
  const found = [path.join(runDir, 'propagate', host.machine)];
  try {
    const st = fs.statSync(host.root);
    found.push(path.join(runDir, 'locks', `inode-${st.dev}:${st.ino}`));
  } catch {
    /* no root: no lock to name */
  }
  return found.filter((p) => fs.existsSync(p));
}

export function removeNspawnLeftovers(host: FleetHost, runDir = '/run/systemd/nspawn'): string[] {
  const found = nspawnLeftovers(host, runDir);
  for (const p of found) fs.rmSync(p, { recursive: true, force: true });
  return found;
}
