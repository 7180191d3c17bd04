import fs from 'node:fs';
import { request } from 'undici';
import { labAuthHeaders, type LabConfig } from '../lab-config';
import { backendServers, type HaproxyStatRow } from '../../scripts/lib/haproxy-socket';
import { getJson } from '../../scripts/lib/http-json';
import { table } from '../../scripts/lib/output';
import type { LabComponentStatus, LabStatus } from '../../scripts/types/lab-status';
import type { ServicePoolConfig } from '../../scripts/types/service-pool-config';
import { haproxyPid } from './haproxy';
import { postmasterPid, withLabClient } from './postgres';
import { prometheusStatuses } from './prometheus';
import { programStatuses, supervisordPid } from './supervisor';
import { errorText } from '../../scripts/lib/error-text';

/** The shape of `lab:status --json`, generated from schemas/lab-status.schema.json. */
export type { LabStatus };

async function postgresStatus(cfg: LabConfig): Promise<LabComponentStatus> {
  const pid = postmasterPid(cfg);
  const where = `${cfg.pg.host}:${cfg.pg.port}`;
  if (pid === undefined) return { component: 'postgresql', healthy: false, state: 'stopped', detail: where };
  try {
    const row = await withLabClient(
      cfg,
      'monitor',
      async (c) =>
        (
          await c.query<{ max: string; clients: string }>(
            "SELECT current_setting('max_connections') AS max, count(*) FILTER (WHERE backend_type = 'client backend') AS clients FROM pg_stat_activity",
          )
        ).rows[0]!,
    );
    return {
      component: 'postgresql',
      healthy: true,
      state: 'running',
      pid,
      detail: `${where} connections ${row.clients}/${row.max}`,
    };
  } catch (err) {
    return { component: 'postgresql', healthy: false, state: 'running', pid, detail: `${where} ${errorText(err)}` };
  }
}

async function instanceStatuses(cfg: LabConfig): Promise<LabComponentStatus[]> {
  const programs = await programStatuses(cfg);
  const out: LabComponentStatus[] = [
    {
      component: 'supervisord',
      healthy: programs !== undefined,
      state: programs ? 'running' : supervisordPid(cfg) ? 'not answering' : 'stopped',
      ...(supervisordPid(cfg) ? { pid: supervisordPid(cfg)! } : {}),
      detail: cfg.supervisor.socket,
    },
  ];
  for (const inst of cfg.instances) {
    const prog = programs?.find((p) => p.program === inst.service);
    const base = {
      component: `instance ${inst.name}`,
      state: prog?.state ?? 'stopped',
      ...(prog?.pid ? { pid: prog.pid } : {}),
    };
    try {
      const health = await request(`${inst.url}/health`, { headersTimeout: 1500, bodyTimeout: 1500 });
      await health.body.dump();
      const pc = await getJson<ServicePoolConfig>(`${inst.url}/api/health/pool-config`, 'service-pool-config', {
        timeoutMs: 1500,
        headers: labAuthHeaders(cfg),
      });
      const pool = { min: pc.body.pool.min, max: pc.body.pool.max, generation: pc.body.generation };
      out.push({
        ...base,
        healthy: prog?.state === 'RUNNING' && health.statusCode === 200,
        pool,
        detail: `${inst.address}:${inst.port} /health ${health.statusCode}, pool min ${pool.min} max ${pool.max} (generation ${pool.generation})`,
      });
    } catch (err) {
      out.push({ ...base, healthy: false, detail: `${inst.address}:${inst.port} ${errorText(err)}` });
    }
  }
  return out;
}

async function haproxyStatuses(cfg: LabConfig): Promise<LabComponentStatus[]> {
  const pid = haproxyPid(cfg);
  const where = `${cfg.haproxy.address}:${cfg.haproxy.port}`;
  if (pid === undefined) return [{ component: 'haproxy', healthy: false, state: 'stopped', detail: where }];
  let servers;
  try {
    servers = await backendServers(cfg.haproxy.socket, cfg.haproxy.backend);
  } catch (err) {
    return [{ component: 'haproxy', healthy: false, state: 'running', pid, detail: `${where} ${errorText(err)}` }];
  }
  const out: LabComponentStatus[] = [
    { component: 'haproxy', healthy: true, state: 'running', pid, detail: `${where}, stats :${cfg.haproxy.statsPort}` },
  ];
  out.push(
    ...backendServerStatuses(
      servers,
      cfg.haproxy.backend,
      cfg.instances.map((i) => i.name),
    ),
  );
  out.push(await trafficStatus(cfg.haproxy.url, cfg.service.probePath));
  return out;
}

/** One component per server HAProxy should have in `backend` (the lab's and the fleet's status alike). */
export function backendServerStatuses(
  servers: Map<string, HaproxyStatRow>,
  backend: string,
  names: string[],
): LabComponentStatus[] {
  return names.map((name) => {
    const row = servers.get(name);
    return {
      component: `haproxy ${backend}/${name}`,
      healthy: row?.status === 'UP',
      state: row?.status ?? 'missing',
      detail: row
        ? `${row.bck ? 'backup' : 'active'}, sessions ${row.scur} now, ${row.stot} total`
        : 'not in the backend',
    };
  });
}

/** A client's read through the load balancer answers 200. */
export async function trafficStatus(lbUrl: string, probePath: string): Promise<LabComponentStatus> {
  try {
    const res = await request(`${lbUrl}${probePath}`, { headersTimeout: 3000, bodyTimeout: 3000 });
    await res.body.dump();
    return {
      component: 'traffic via haproxy',
      healthy: res.statusCode === 200,
      state: `HTTP ${res.statusCode}`,
      detail: `GET ${lbUrl}${probePath}`,
    };
  } catch (err) {
    return {
      component: 'traffic via haproxy',
      healthy: false,
      state: 'failed',
      detail: `GET ${lbUrl}${probePath}: ${errorText(err)}`,
    };
  }
}

/** The key a run signs its sealed evidence with, and the allowed-signers file that trusts it (lab-up makes both). */
function signingKeyStatus(cfg: LabConfig): LabComponentStatus {
  const there = [cfg.evidenceSigning.key, cfg.evidenceSigning.allowedSigners].every((f) => fs.existsSync(f));
  return {
    component: 'evidence signing key',
    healthy: there,
    state: there ? 'present' : 'missing',
    detail: cfg.evidenceSigning.key,
  };
}

export async function collectStatus(cfg: LabConfig): Promise<LabStatus> {
  const components = [
    await postgresStatus(cfg),
    signingKeyStatus(cfg),
    ...(await instanceStatuses(cfg)),
    ...(await haproxyStatuses(cfg)),
    ...(await prometheusStatuses(cfg)),
  ];
  return { slot: cfg.slot, net: `${cfg.net}.0/24`, healthy: components.every((c) => c.healthy), components };
}

/** The table lab:status and fleet:status print (`label` says which). */
export function statusTable(status: LabStatus, label: 'lab' | 'fleet' = 'lab'): string {
  const rows = [['COMPONENT', 'STATE', 'HEALTH', 'PID', 'DETAIL']];
  for (const c of status.components)
    rows.push([c.component, c.state, c.healthy ? 'ok' : 'FAIL', c.pid ? String(c.pid) : '-', c.detail]);
  const verdict = status.healthy ? 'healthy' : 'NOT healthy';
  return `${label} slot ${status.slot} (${status.net}): ${verdict}\n${table(rows)}`;
}
