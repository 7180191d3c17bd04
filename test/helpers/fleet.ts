import path from 'node:path';
import type { Test } from 'tap';
import { setMachineFrozen } from '../../lab/fleet/cgroup';
import { fleetPgConnection } from '../../lab/fleet/db-hosts';
import { fleetConfig, hostNamed, type FleetConfig, type FleetHost } from '../../lab/fleet/fleet-config';
import { machineExec } from '../../lab/fleet/machine-exec';
import { ssh } from '../../lab/fleet/ssh';
import { collectFleetStatus } from '../../lab/fleet/status';
import { withPgClient } from '../../lab/control/postgres';
import type { RunResult } from '../../lab/control/proc';
import { packageRoot } from '../../scripts/lib/paths';
import { runProcess, type ProcessRun } from './poolgate-cli';

/**
 * What fleet tests need from the fleet of POOLGATE_FLEET_SLOT (default 0): one fleet for every fleet test file
 * (`scripts/test.sh` brings it up before test/fleet and down after), brought up here only when a file runs on its
 * own, and then brought down again by that file (POOLGATE_FLEET_KEEP=1 keeps it), plus ways to act on its hosts:
 * over SSH as Ansible does, and from outside (nsenter, the freezer) when SSH is what a test takes away.
 */
export interface FleetHandle extends FleetConfig {
  startedHere: boolean;
  host(name: string): FleetHost;
}

/** Runs a compiled fleet script (`npm test` builds first); fleet-up's first run builds the image (~1 min). */
export function runFleetScript(
  name: 'fleet-up' | 'fleet-down' | 'fleet-status',
  args: string[] = [],
  timeoutMs = 900_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProcessRun> {
  return runProcess(
    process.execPath,
    [path.join(packageRoot, 'dist', 'lab', 'fleet', `${name}.js`), ...args],
    timeoutMs,
    env,
  );
}

async function mustRun(name: 'fleet-up' | 'fleet-down', args: string[] = []): Promise<void> {
  const r = await runFleetScript(name, args);
  if (r.code !== 0) throw new Error(`${name} exited ${r.code}:\n${r.stderr}\n${r.stdout}`);
}

export async function useFleet(t: Test): Promise<FleetHandle> {
  const cfg = fleetConfig();
  const handle = (startedHere: boolean): FleetHandle => ({ ...cfg, startedHere, host: (n) => hostNamed(cfg, n) });
  if ((await collectFleetStatus(cfg)).healthy) return handle(false);
  await mustRun('fleet-up');
  if (process.env.POOLGATE_FLEET_KEEP !== '1') t.teardown(() => mustRun('fleet-down'));
  return handle(true);
}

/** A shell command on a host, over SSH as `deploy` (prefix `sudo -n` for root). */
export function sshOn(cfg: FleetConfig, host: string, command: string, input?: string): Promise<RunResult> {
  return ssh(cfg, hostNamed(cfg, host), command, { input });
}

/** A command inside a host without SSH (nsenter). */
export function execOn(cfg: FleetConfig, host: string, argv: string[]): Promise<RunResult> {
  return machineExec(hostNamed(cfg, host), argv);
}

/** Every process of a host stops (as a hung host: no answer, no RST) or resumes. */
export function freezeHost(cfg: FleetConfig, host: string, frozen: boolean): void {
  setMachineFrozen(hostNamed(cfg, host), frozen);
}

/** One query on a db host as the app or the monitoring role, over TCP from the bastion. */
export async function fleetQuery<R extends Record<string, unknown> = Record<string, unknown>>(
  cfg: FleetConfig,
  host: 'db-1' | 'db-2',
  role: 'app' | 'monitor',
  sql: string,
  params: unknown[] = [],
): Promise<R[]> {
  return withPgClient(
    fleetPgConnection(cfg, hostNamed(cfg, host), role),
    async (c) => (await c.query<R>(sql, params)).rows,
  );
}
