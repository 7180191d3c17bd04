import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseServersState, parseShowStat, haproxyCommand, setServerState } from '../../scripts/lib/haproxy-socket';
import { RUNBOOK_BASELINE_POOL } from '../lab-config';
import { hostsOf, type FleetConfig } from './fleet-config';
import { ssh } from './ssh';
import { adminSocketAddress } from './status';

/**
 * The fleet back at the runbook's baseline for the next rollout (e2e tests and the bench): every app host's pool
 * config file at min 10 / max 50 with no backups, the service running it, every server READY and UP at HAProxy,
 * no P0 open. Over SSH and HAProxy's TCP admin socket, as an operator would put a fleet back by hand.
 */
export const BASELINE_POOL_TEXT = `${JSON.stringify(RUNBOOK_BASELINE_POOL, null, 2)}\n`;
const BASELINE_SHA = crypto.createHash('sha256').update(BASELINE_POOL_TEXT).digest('hex');

/** The file whose existence signals an open P0 to the fleet inventory's monitor (one per fleet slot). */
export const fleetP0File = (cfg: FleetConfig): string => path.join(cfg.stateDir, 'P0');

const urlOf = (cfg: FleetConfig, address: string): string => `http://${address}:${cfg.app.port}`;

async function poolSha(cfg: FleetConfig, address: string): Promise<string | null> {
  try {
    const res = await fetch(`${urlOf(cfg, address)}/api/health/pool-config`, { signal: AbortSignal.timeout(3000) });
    return res.ok ? (((await res.json()) as { sha256?: string }).sha256 ?? null) : null;
  } catch {
    return null;
  }
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > until) throw new Error(`fleet baseline: ${what} not reached within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Every app server's admin state READY and health UP, read on HAProxy's TCP admin socket. */
async function allReadyAndUp(cfg: FleetConfig): Promise<boolean> {
  const socket = adminSocketAddress(cfg);
  const up = new Map(
    parseShowStat(await haproxyCommand(socket, 'show stat'))
      .filter((r) => r.pxname === cfg.haproxy.backend)
      .map((r) => [r.svname, r.status]),
  );
  const states = parseServersState(await haproxyCommand(socket, `show servers state ${cfg.haproxy.backend}`));
  return states.length > 0 && states.every((s) => !s.maint && !s.drain && up.get(s.server) === 'UP');
}

export async function restoreFleetBaseline(cfg: FleetConfig): Promise<void> {
  fs.rmSync(fleetP0File(cfg), { force: true });
  const file = cfg.app.configPath;
  const apps = hostsOf(cfg, 'standby', 'primary');
  for (const h of apps) {
    const r = await ssh(
      cfg,
      h,
      `sudo -n sh -c 'cat > ${file}.baseline && chmod 0644 ${file}.baseline && mv ${file}.baseline ${file} && rm -f ${file}.bak-*' && ` +
        `(sudo -n systemctl is-active --quiet ${cfg.app.unit} || sudo -n systemctl start ${cfg.app.unit})`,
      { input: BASELINE_POOL_TEXT },
    );
    if (r.code !== 0) throw new Error(`fleet baseline: ${h.name}: ${r.stderr.trim() || `exit ${r.code}`}`);
  }
  for (const h of apps)
    if ((await poolSha(cfg, h.address)) !== BASELINE_SHA) await ssh(cfg, h, `sudo -n systemctl reload ${cfg.app.unit}`);
  for (const h of apps) await setServerState(adminSocketAddress(cfg), cfg.haproxy.backend, h.name, 'ready');
  await waitUntil(
    async () => (await Promise.all(apps.map((h) => poolSha(cfg, h.address)))).every((s) => s === BASELINE_SHA),
    60_000,
    'the baseline in force on every app host',
  );
  await waitUntil(() => allReadyAndUp(cfg), 60_000, 'every server READY and UP at HAProxy');
}
