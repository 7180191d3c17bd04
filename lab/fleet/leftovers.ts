import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { listeningOn } from '../control/net';
import { isAlive } from '../control/proc';
import type { FleetConfig } from './fleet-config';
import { machineCgroupsLeft } from './cgroup';
import { mountsUnder } from './machine-fs';
import { leaderPid, nspawnLeftovers } from './nspawn';

/**
 * Everything of a fleet that can outlive it on this machine, named so a person can act on it: systemd-nspawn
 * processes running one of its machines (found by command line, in case a pid file was lost), machines' inits that
 * outlived their nspawn, mounts under its state folder, nspawn's leftovers under /run/systemd/nspawn, the
 * machines' control groups, and anything still listening on its addresses. Empty when the fleet is entirely down.
 */
export function fleetLeftovers(cfg: FleetConfig): string[] {
  const machinesDir = `${path.join(cfg.stateDir, 'machines')}/`;
  const left: string[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    let argv: string[];
    try {
      argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (
      path.basename(argv[0] ?? '') === 'systemd-nspawn' &&
      argv.some((a) => a.startsWith(machinesDir)) &&
      isAlive(pid)
    )
      left.push(`systemd-nspawn pid ${pid}`);
  }
  for (const h of cfg.hosts) {
    const leader = leaderPid(h);
    if (leader !== undefined) left.push(`${h.name}'s init pid ${leader}`);
    left.push(...nspawnLeftovers(h), ...machineCgroupsLeft(h).map((g) => `cgroup ${g}`));
  }
  left.push(...mountsUnder(cfg.stateDir).map((m) => `mount ${m}`));
  left.push(...listeningOn(cfg.net).map((a) => `listening ${a}`));
  return left;
}

/** fleetLeftovers once it is empty, or what is still there after `timeoutMs`. */
export async function waitFleetClean(cfg: FleetConfig, timeoutMs = 10_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = fleetLeftovers(cfg);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(200);
  }
}
