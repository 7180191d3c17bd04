import fs from 'node:fs';
import type { FleetConfig } from './fleet-config';
import { pidNamespace, readPids } from './nspawn';

/**
 * The memory a running fleet takes, per host: the proportional set size (PSS: shared pages split between the
 * processes sharing them, so hosts' shared libraries are not counted seven times) and the resident set (RSS) of
 * every process in the machine's pid namespace, plus its systemd-nspawn.
 */
export interface HostMemory {
  host: string;
  processes: number;
  pss_kib: number;
  rss_kib: number;
}

function rollup(pid: number): { pss: number; rss: number } | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kib = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { pss: kib('Pss'), rss: kib('Rss') };
  } catch {
    return undefined;
  }
}

export function fleetMemory(cfg: FleetConfig): HostMemory[] {
  const byNs = new Map<number, HostMemory>();
  const byPid = new Map<number, HostMemory>();
  const hosts: HostMemory[] = [];
  for (const h of cfg.hosts) {
    const pids = readPids(h);
    const m: HostMemory = { host: h.name, processes: 0, pss_kib: 0, rss_kib: 0 };
    hosts.push(m);
    if (!pids) continue;
    byNs.set(pids.pidns, m);
    byPid.set(pids.nspawn, m);
  }
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const m = byPid.get(pid) ?? byNs.get(pidNamespace(pid) ?? -1);
    const r = m && rollup(pid);
    if (!m || !r) continue;
    m.processes += 1;
    m.pss_kib += r.pss;
    m.rss_kib += r.rss;
  }
  return hosts;
}
