import path from 'node:path';
import type { Test } from 'tap';
import { fleetAppVars, hostsOf, type FleetConfig } from '../../lab/fleet/fleet-config';
import { fleetP0File } from '../../lab/fleet/baseline';
import { shortRunVars } from '../../lab/short-run';
import { newestValid } from '../../scripts/lib/run-evidence';
import type { Item } from '../../scripts/types/evidence-common';
import { haproxyCommand, parseServersState, parseShowStat } from '../../scripts/lib/haproxy-socket';
import type { PlaybookRun, PoolInForce } from '../e2e/rollout-helpers';
import { eventSeen, runPlaybook, SUITE_RETRY_REASON, trafficUntil } from '../e2e/rollout-helpers';
import { fleetQuery, sshOn } from './fleet';
import { LB_UP_WITHIN_MS, type AppQuery, type TrafficResult } from './lab';

/**
 * The fleet's counterparts of test/e2e/rollout-helpers.ts where the lab's assume local access: the playbook with
 * inventory/fleet (and the fleet's vault password), what each instance runs read over HTTP from the bastion, its
 * config file written over SSH, HAProxy's state read on the lb host itself, and the database on db-1.
 */
export const appHosts = (fleet: FleetConfig): string[] => hostsOf(fleet, 'standby', 'primary').map((h) => h.name);

const urlOf = (fleet: FleetConfig, name: string): string =>
  `http://${fleet.hosts.find((h) => h.name === name)!.address}:${fleet.app.port}`;

export const p0File = fleetP0File;

/**
 * Lab-sized durations with the fleet inventory's sources: DB CPU on db-1, the slot's P0 file. As the lab's suite: each
 * test starts from the restored baseline (the same change again after a rollback test) and no revert branch is
 * prepared in the checkout the tests run from.
 */
export function fleetRunVars(
  fleet: FleetConfig,
  runId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    pool_scaling_run_id: runId,
    pool_scaling_retry_reason: SUITE_RETRY_REASON,
    pool_scaling_prepare_revert: false,
    // the unit and paths of the service the fleet's app hosts run (the reference one: as the inventory says)
    ...fleetAppVars(fleet),
    ...shortRunVars({
      scenario: fleet.service.scenario,
      db_cpu: { host: 'db-1', pid_file: path.join(fleet.pg.dataDir, 'postmaster.pid') },
      p0: { file: p0File(fleet) },
    }),
    ...extra,
  };
}

export function runFleetPlaybook(
  fleet: FleetConfig,
  playbook: string,
  vars: Record<string, unknown>,
  args: string[] = [],
  env: Record<string, string> = {},
): Promise<PlaybookRun> {
  return runPlaybook(playbook, vars, args, 900_000, {
    inventory: 'inventory/fleet',
    env: {
      ANSIBLE_VAULT_PASSWORD_FILE: fleet.secrets.vaultPasswordFile,
      POOLGATE_FLEET_SLOT: String(fleet.slot),
      // production's inventory takes the operator from the bastion's environment
      POOLGATE_OPERATOR: process.env.POOLGATE_OPERATOR ?? 'fleet e2e test',
      ...env,
    },
  });
}

export interface FaultedRun<F> {
  run: PlaybookRun;
  /** what the fault returned; undefined when the run ended before the fault's moment came */
  fault: F | undefined;
  sent: TrafficResult;
}

/**
 * pool-scaling.yml on the fleet under traffic through its HAProxy, with `fault` injected once `at` resolves (an event
 * seen, the monitor sampling). `at` is handed a signal that aborts when the run ends: a run that ends before the
 * fault's moment leaves `fault` undefined at once, where the wait would otherwise hold the test for its 10 minutes.
 */
export async function fleetRunWithFault<F>(
  fleet: FleetConfig,
  vars: Record<string, unknown>,
  at: (runEnded: AbortSignal) => Promise<void>,
  fault: () => Promise<F>,
): Promise<FaultedRun<F>> {
  const ended = new AbortController();
  const traffic = trafficUntil(fleet.haproxy.url, ended.signal);
  const injected = at(ended.signal).then(fault, () => undefined);
  const run = await runFleetPlaybook(fleet, 'pool-scaling.yml', vars).finally(() => ended.abort());
  const [f, sent] = await Promise.all([injected, traffic]);
  return { run, fault: f, sent };
}

/** A fault's moment for fleetRunWithFault: `host` changed and back UP at HAProxy (its lb_enabled event). */
export const onceChanged =
  (runId: string, host: string, what = `${host} changed`, intervalMs = 250) =>
  (signal: AbortSignal): Promise<void> =>
    eventSeen(runId, (e) => e.host === host && e.action === 'lb_enabled', what, { intervalMs, signal });

async function getJson<T>(url: string): Promise<T | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok ? ((await res.json()) as T) : null;
  } catch {
    return null;
  }
}

/** What every app host runs (null: it did not answer). */
export async function readFleetPools(fleet: FleetConfig): Promise<Map<string, PoolInForce | null>> {
  const names = appHosts(fleet);
  const pools = await Promise.all(names.map((n) => getJson<PoolInForce>(`${urlOf(fleet, n)}/api/health/pool-config`)));
  return new Map(names.map((n, i) => [n, pools[i]!]));
}

/** Each instance's process id, from its metrics. */
export async function fleetPids(fleet: FleetConfig): Promise<Record<string, number | null>> {
  const out: Record<string, number | null> = {};
  for (const n of appHosts(fleet))
    out[n] = (await getJson<{ pid: number }>(`${urlOf(fleet, n)}/api/health/metrics`))?.pid ?? null;
  return out;
}

/** sha256 of every app host's pool config file, read over SSH. */
export async function fleetConfigHashes(fleet: FleetConfig): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const n of appHosts(fleet)) {
    const r = await sshOn(fleet, n, `sha256sum ${fleet.app.configPath}`);
    out[n] = r.stdout.split(/\s+/)[0] ?? '';
  }
  return out;
}

/** The backups (<config>.bak-*) on an app host. */
export async function fleetBackups(fleet: FleetConfig, host: string): Promise<string[]> {
  const r = await sshOn(fleet, host, `ls -1 ${fleet.app.configPath}.bak-* 2>/dev/null || true`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

export const fleetAppQuery =
  (fleet: FleetConfig): AppQuery =>
  (sql, params) =>
    fleetQuery(fleet, 'db-1', 'app', sql, params);

/** ssh options for poolgate's ssh:// socket, as inventory/fleet gives them to Ansible. */
export const fleetSshArgs = (fleet: FleetConfig): string =>
  `-i ${fleet.ssh.keyFile} -o UserKnownHostsFile=${fleet.ssh.knownHosts} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes`;

/** The items of a run's verify report (none when verify never ran), read through its schema by run-evidence. */
export function verifyItems(dir: string): Item[] {
  return newestValid<{ items: Item[] }>(dir, 'verify')?.value.items ?? [];
}

/** Each app instance's sessions on db-1 (by application_name, which the agent sets to the instance's name). */
export async function dbSessionsByInstance(fleet: FleetConfig): Promise<Record<string, number>> {
  const rows = await fleetQuery<{ name: string; n: string }>(
    fleet,
    'db-1',
    'monitor',
    'SELECT application_name AS name, count(*) AS n FROM pg_stat_activity WHERE datname = $1 GROUP BY 1',
    [fleet.pg.database],
  );
  const hosts = new Set(appHosts(fleet));
  return Object.fromEntries(rows.filter((r) => hosts.has(r.name)).map((r) => [r.name, Number(r.n)]));
}

/**
 * Polls dbSessionsByInstance every 250 ms until aborted: the highest count each instance reached, and the highest
 * sum, as db-1 saw them (the overlap of an old pool draining while the new one fills is what the capacity gate counts).
 */
export async function peakDbSessions(
  fleet: FleetConfig,
  stop: AbortSignal,
): Promise<{ byInstance: Record<string, number>; total: number; samples: number }> {
  const byInstance: Record<string, number> = {};
  let total = 0;
  let samples = 0;
  while (!stop.aborted) {
    const now = await dbSessionsByInstance(fleet).catch(() => null);
    if (now) {
      samples += 1;
      for (const [n, c] of Object.entries(now)) byInstance[n] = Math.max(byInstance[n] ?? 0, c);
      total = Math.max(
        total,
        Object.values(now).reduce((a, b) => a + b, 0),
      );
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return { byInstance, total, samples };
}

/** HAProxy's admin socket on the lb host itself (over SSH, as root): a unix socket, as in production. */
export const lbUnixSocket = (fleet: FleetConfig): string =>
  `ssh+sudo://${fleet.ssh.user}@${hostsOf(fleet, 'lb')[0]!.address}${fleet.haproxy.socket}`;

export interface LbServer {
  server: string;
  status: string;
  ready: boolean;
}

/** Each app server's health status (UP, DOWN, …) and whether its admin state is READY (neither drain nor maint). */
export async function lbServers(fleet: FleetConfig): Promise<LbServer[]> {
  const opts = { sshCommonArgs: fleetSshArgs(fleet) };
  const socket = lbUnixSocket(fleet);
  const [stat, state] = await Promise.all([
    haproxyCommand(socket, 'show stat', 10_000, opts),
    haproxyCommand(socket, `show servers state ${fleet.haproxy.backend}`, 10_000, opts),
  ]);
  const status = new Map(
    parseShowStat(stat)
      .filter((r) => r.pxname === fleet.haproxy.backend)
      .map((r) => [r.svname, r.status]),
  );
  return parseServersState(state).map((s) => ({
    server: s.server,
    status: status.get(s.server) ?? '?',
    ready: !s.maint && !s.drain,
  }));
}

/**
 * The invariant after every fleet run, read on lb-1's own admin socket (over SSH): HAProxy's backend has every app
 * host, each admin READY (neither drained nor in maintenance) and UP, waited for at most LB_UP_WITHIN_MS as on the
 * lab (a server the run restarted last may still be counting its health checks).
 */
export async function assertFleetLbReady(t: Test, fleet: FleetConfig, when: string): Promise<void> {
  const started = Date.now();
  let servers = await lbServers(fleet);
  t.same(servers.map((s) => s.server).sort(), appHosts(fleet).sort(), `${when}: HAProxy's backend has every app host`);
  t.same(
    servers.filter((s) => !s.ready).map((s) => s.server),
    [],
    `${when}: every server admin READY (none left drained or in maintenance)`,
  );
  while (servers.some((s) => s.status !== 'UP') && Date.now() - started < LB_UP_WITHIN_MS) {
    await new Promise((r) => setTimeout(r, 200));
    servers = await lbServers(fleet);
  }
  t.same(
    servers.filter((s) => s.status !== 'UP').map((s) => `${s.server} ${s.status}`),
    [],
    `${when}: every server UP (within ${Date.now() - started} ms)`,
  );
}

/**
 * Back to the runbook's baseline on every app host (file, no backups, running, in force), every server READY and
 * UP at HAProxy, no P0 open: before and after each fleet rollout test, so one test's outcome never leaks into the
 * next (lab/fleet/baseline.ts, which the bench uses too).
 */
export { restoreFleetBaseline } from '../../lab/fleet/baseline';
