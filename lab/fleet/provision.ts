import type { Artefact } from './artefact';
import { provisionApp } from './app-host';
import { provisionBase } from './base-host';
import { provisionDb } from './db-hosts';
import { isApp, type FleetConfig, type FleetHost } from './fleet-config';
import { provisionLb } from './lb-host';
import { mountRoot } from './machine-fs';
import { sshMust } from './ssh';

/**
 * Every machine's file system made and brought to what the fleet's code says: on a machine that is new or
 * stopped, that is all (it boots with it); on a running one, what changed is applied the way an operator would
 * apply it on a host (reload sshd, reload HAProxy, restart PostgreSQL or the service).
 */
export interface HostChanges {
  host: FleetHost;
  created: boolean;
  /** the commands that apply the changed files on a running machine, in order */
  apply: string[];
}

export async function provisionHost(
  cfg: FleetConfig,
  host: FleetHost,
  ctx: { rootfs: string; publicKey: string; artefact: Artefact; checkout: string },
): Promise<HostChanges> {
  const created = await mountRoot(host, ctx.rootfs);
  const apply: string[] = [];
  const base = await provisionBase(cfg, host, ctx.publicKey);
  if (base.some((f) => f.startsWith('/etc/ssh/'))) apply.push('sudo -n systemctl reload ssh.service');
  if (host.role === 'lb' && (await provisionLb(cfg, host))) apply.push('sudo -n systemctl reload haproxy.service');
  if ((host.role === 'db_primary' || host.role === 'db_replica') && (await provisionDb(cfg, host)))
    apply.push(`sudo -n systemctl try-restart ${cfg.pg.unit}`);
  if (isApp(host)) {
    const app = await provisionApp(cfg, host, ctx.artefact, ctx.checkout);
    // Its unit file is gone, but systemd still knows a running one: stopped first, then forgotten.
    for (const unit of app.retired)
      apply.push(
        `sudo -n sh -c '! systemctl is-active --quiet ${unit} || systemctl stop ${unit}' && sudo -n systemctl daemon-reload`,
      );
    if (app.unit || app.artefact)
      apply.push(`sudo -n systemctl daemon-reload && sudo -n systemctl try-restart ${cfg.app.unit}`);
  }
  return { host, created, apply };
}

/** On a machine that was already running: run what applies its changed files. */
export async function applyChanges(cfg: FleetConfig, changes: HostChanges, log: (line: string) => void): Promise<void> {
  for (const command of changes.apply) {
    log(`${changes.host.name}: ${command}`);
    await sshMust(cfg, changes.host, 'applying a changed configuration', command);
  }
}
