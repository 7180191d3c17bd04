import { request } from 'undici';
import { withPgClient } from '../control/postgres';
import { backendServerStatuses, trafficStatus } from '../control/status';
import { backendServers } from '../../scripts/lib/haproxy-socket';
import { getJson } from '../../scripts/lib/http-json';
import type { LabComponentStatus, LabStatus } from '../../scripts/types/lab-status';
import type { ServicePoolConfig } from '../../scripts/types/service-pool-config';
import { fleetPgConnection } from './db-hosts';
import { hostsOf, isApp, type FleetConfig, type FleetHost } from './fleet-config';
import { readPids, machineRunning } from './nspawn';
import { ssh } from './ssh';
import { errorText } from '../../scripts/lib/error-text';

/** TCP address of HAProxy's admin socket on the lb, as haproxyCommand takes it. */
export function adminSocketAddress(cfg: FleetConfig): string {
  return `tcp://${hostsOf(cfg, 'lb')[0]!.address}:${cfg.haproxy.adminPort}`;
}

export async function hostStatus(cfg: FleetConfig, host: FleetHost): Promise<LabComponentStatus> {
  const component = `host ${host.name}`;
  const pid = readPids(host)?.nspawn;
  if (!machineRunning(host)) return { component, healthy: false, state: 'stopped', detail: host.address };
  const r = await ssh(cfg, host, 'hostname; systemctl is-system-running; systemctl --failed --no-legend --plain', {
    timeoutMs: 15_000,
  });
  const [name = '', state = 'unknown', ...failed] = r.stdout.trim().split('\n');
  const base = { component, pid: pid!, detail: `${cfg.ssh.user}@${host.address}` };
  if (r.code !== 0 && name === '')
    return {
      ...base,
      healthy: false,
      state: 'no ssh',
      detail: `${base.detail}: ${r.stderr.trim() || `exit ${r.code}`}`,
    };
  const failedUnits = failed.map((l) => l.split(/\s+/)[0]).filter(Boolean);
  const problems = [
    ...(name === host.name ? [] : [`hostname is "${name}"`]),
    ...(failedUnits.length ? [`failed units: ${failedUnits.join(', ')}`] : []),
  ];
  return {
    ...base,
    healthy: state === 'running' && problems.length === 0,
    state,
    detail: [`${base.detail} hostname ${name}`, ...problems].join('; '),
  };
}

export async function postgresStatuses(cfg: FleetConfig): Promise<LabComponentStatus[]> {
  const primary = hostsOf(cfg, 'db_primary')[0]!;
  const replica = hostsOf(cfg, 'db_replica')[0]!;
  const where = (h: FleetHost): string => `${h.address}:${cfg.pg.port}`;
  const out: LabComponentStatus[] = [];
  let streaming: { state: string; replay_lag: string | null } | undefined;
  try {
    const seen = await withPgClient(fleetPgConnection(cfg, primary, 'monitor'), async (c) => {
      const row = (
        await c.query<{ recovery: boolean; max: string; clients: string }>(
          "SELECT pg_is_in_recovery() AS recovery, current_setting('max_connections') AS max, count(*) FILTER (WHERE backend_type = 'client backend') AS clients FROM pg_stat_activity",
        )
      ).rows[0]!;
      const repl = await c.query<{ application_name: string; state: string; replay_lag: string | null }>(
        'SELECT application_name, state, replay_lag::text AS replay_lag FROM pg_stat_replication',
      );
      return { row, repl: repl.rows };
    });
    streaming = seen.repl.find((r) => r.application_name === replica.name);
    out.push({
      component: `postgresql ${primary.name}`,
      healthy: !seen.row.recovery,
      state: seen.row.recovery ? 'in recovery' : 'primary',
      detail: `${where(primary)} connections ${seen.row.clients}/${seen.row.max}`,
    });
  } catch (err) {
    out.push({
      component: `postgresql ${primary.name}`,
      healthy: false,
      state: 'not answering',
      detail: `${where(primary)} ${errorText(err)}`,
    });
  }
  try {
    const recovery = await withPgClient(fleetPgConnection(cfg, replica, 'monitor'), async (c) => {
      return (await c.query<{ recovery: boolean }>('SELECT pg_is_in_recovery() AS recovery')).rows[0]!.recovery;
    });
    const ok = recovery && streaming?.state === 'streaming';
    out.push({
      component: `replica ${replica.name}`,
      healthy: ok,
      state: !recovery ? 'not a standby' : (streaming?.state ?? 'not streaming'),
      detail: `${where(replica)} hot standby; ${primary.name}'s pg_stat_replication: ${streaming ? `${streaming.state}, replay lag ${streaming.replay_lag ?? '0'}` : `no ${replica.name}`}`,
    });
  } catch (err) {
    out.push({
      component: `replica ${replica.name}`,
      healthy: false,
      state: 'not answering',
      detail: `${where(replica)} ${errorText(err)}`,
    });
  }
  return out;
}

export async function serviceStatus(cfg: FleetConfig, host: FleetHost): Promise<LabComponentStatus> {
  const url = `http://${host.address}:${cfg.app.port}`;
  const component = `service ${host.name}`;
  try {
    const health = await request(`${url}/health`, { headersTimeout: 1500, bodyTimeout: 1500 });
    await health.body.dump();
    const pc = await getJson<ServicePoolConfig>(`${url}/api/health/pool-config`, 'service-pool-config', {
      timeoutMs: 1500,
    });
    const pool = { min: pc.body.pool.min, max: pc.body.pool.max, generation: pc.body.generation };
    return {
      component,
      healthy: health.statusCode === 200,
      state: `HTTP ${health.statusCode}`,
      pool,
      detail: `${url} ${cfg.app.unit}, pool min ${pool.min} max ${pool.max} (generation ${pool.generation})`,
    };
  } catch (err) {
    return { component, healthy: false, state: 'not answering', detail: `${url} ${errorText(err)}` };
  }
}

export async function haproxyStatuses(cfg: FleetConfig): Promise<LabComponentStatus[]> {
  const lb = hostsOf(cfg, 'lb')[0]!;
  const socket = adminSocketAddress(cfg);
  const apps = cfg.hosts.filter(isApp);
  let servers;
  try {
    servers = await backendServers(socket, cfg.haproxy.backend);
  } catch (err) {
    return [
      {
        component: `haproxy ${lb.name}`,
        healthy: false,
        state: 'not answering',
        detail: `${socket} ${errorText(err)}`,
      },
    ];
  }
  const out: LabComponentStatus[] = [
    {
      component: `haproxy ${lb.name}`,
      healthy: true,
      state: 'running',
      detail: `${cfg.haproxy.url}, admin ${socket} and ${lb.name}:${cfg.haproxy.socket}, stats ${cfg.haproxy.statsUrl}`,
    },
  ];
  out.push(
    ...backendServerStatuses(
      servers,
      cfg.haproxy.backend,
      apps.map((h) => h.name),
    ),
  );
  out.push(await trafficStatus(cfg.haproxy.url, cfg.service.probePath));
  return out;
}

/**
 * Each host and part of the fleet and its health, seen from the bastion the way an operator would look: the
 * machine runs, SSH answers as `deploy` with the host's own name and a running systemd, PostgreSQL serves and its
 * replica streams, every service answers /health, HAProxy's admin socket sees every server UP, and traffic through
 * HAProxy works. `fleet:status --json` has the lab's status shape (schemas/lab-status.schema.json).
 */
export async function collectFleetStatus(cfg: FleetConfig): Promise<LabStatus> {
  const [hosts, pg, services, lb] = await Promise.all([
    Promise.all(cfg.hosts.map((h) => hostStatus(cfg, h))),
    postgresStatuses(cfg),
    Promise.all(cfg.hosts.filter(isApp).map((h) => serviceStatus(cfg, h))),
    haproxyStatuses(cfg),
  ]);
  const components = [...hosts, ...pg, ...services, ...lb];
  return { slot: cfg.slot, net: `${cfg.net}.0/24`, healthy: components.every((c) => c.healthy), components };
}
