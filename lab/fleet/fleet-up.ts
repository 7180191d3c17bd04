import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../control/lab-error';
import { ensureSchema } from '../control/postgres';
import { isRoot } from '../control/proc';
import { ensureEvidenceSigningKey, ensurePasswordFile } from '../control/secrets';
import { serversUpProbe } from '../control/haproxy';
import { withSlotLock } from '../control/slot-lock';
import { statusTable, trafficStatus } from '../control/status';
import { waitUntil } from '../control/wait';
import { exitCodeOf } from '../../scripts/lib/errors';
import { packageRoot } from '../../scripts/lib/paths';
import { traceArtefact } from './artefact';
import { ensurePgBackRest, ensurePrimaryRoles, ensureReplica, waitPgReady } from './db-hosts';
import { fleetConfig, hostsOf, isApp, type FleetConfig, type FleetHost } from './fleet-config';
import { ensureImage } from './image';
import { machineRunning, removeNspawnLeftovers, startMachine, stopMachine } from './nspawn';
import { applyChanges, provisionHost } from './provision';
import { ensureFleetKey, sshMust, writeKnownHosts } from './ssh';
import { adminSocketAddress, collectFleetStatus, hostStatus, postgresStatuses, serviceStatus } from './status';
import { ensureVaultFile } from './vault';
import { errorText } from '../../scripts/lib/error-text';

/**
 * `npm run fleet:up`: brings up (or completes) the fleet of POOLGATE_FLEET_SLOT on this machine, the bastion, and
 * waits until every part is healthy. Idempotent: machines that run keep running (changed files are applied to
 * them), pool configs a rollout changed are kept. The last line on stderr says how long it took.
 */
const log = (line: string): void => void process.stderr.write(`fleet-up: ${line}\n`);

function checkPrerequisites(cfg: FleetConfig): void {
  if (!isRoot()) throw new LabError('fleet', 'needs root: systemd-nspawn boots the machines and mounts their roots');
  const entry = path.join(packageRoot, cfg.serviceEntry);
  if (!fs.existsSync(entry)) throw new LabError('service', `${entry} is missing: run \`npm run build\` first`);
}

async function up(cfg: FleetConfig): Promise<{ imageBuiltInS: number | null }> {
  checkPrerequisites(cfg);
  const { image, builtInS } = await ensureImage(cfg.imageCacheDir, log);
  fs.mkdirSync(cfg.stateDir, { recursive: true, mode: 0o700 });
  for (const f of Object.values(cfg.secrets).filter((f) => f !== cfg.secrets.dir)) ensurePasswordFile(f);
  const publicKey = await ensureFleetKey(cfg);
  await ensureVaultFile(cfg, packageRoot, log);
  ensureEvidenceSigningKey(cfg.evidenceSigning, log);
  const artefact = traceArtefact(packageRoot, cfg.serviceEntry);

  const wasRunning = new Set(cfg.hosts.filter(machineRunning).map((h) => h.name));
  const changes = await Promise.all(
    cfg.hosts.map((h) => provisionHost(cfg, h, { rootfs: image.rootfs, publicKey, artefact, checkout: packageRoot })),
  );
  writeKnownHosts(cfg);
  const toStart = cfg.hosts.filter((h) => !wasRunning.has(h.name));
  if (toStart.length) log(`starting ${toStart.map((h) => h.name).join(', ')}`);
  await Promise.all(
    toStart.map(async (h) => {
      // What a killed nspawn can leave (its machine's init, its folder under /run/systemd/nspawn) goes first.
      await stopMachine(h);
      removeNspawnLeftovers(h);
      await startMachine(h);
    }),
  );
  await Promise.all(cfg.hosts.map((h) => waitHostUp(cfg, h)));
  for (const c of changes) if (wasRunning.has(c.host.name)) await applyChanges(cfg, c, log);

  const primary = hostsOf(cfg, 'db_primary')[0]!;
  await waitPgReady(cfg, primary);
  await ensurePrimaryRoles(cfg, primary);
  await ensureSchema(
    {
      host: primary.address,
      port: cfg.pg.port,
      database: cfg.pg.database,
      user: cfg.pg.appUser,
      passwordFile: cfg.secrets.appPasswordFile,
      marker: path.join(cfg.stateDir, 'schema-applied.sha256'),
    },
    log,
  );
  await ensurePgBackRest(cfg, primary, log);
  await ensureReplica(cfg, hostsOf(cfg, 'db_replica')[0]!, log);
  // Started when stopped (by a test, a person): what runs is left alone.
  await Promise.all([
    ...cfg.hosts
      .filter(isApp)
      .map((h) => sshMust(cfg, h, `starting ${cfg.app.unit}`, `sudo -n systemctl start ${cfg.app.unit}`)),
    sshMust(cfg, hostsOf(cfg, 'lb')[0]!, 'starting haproxy', 'sudo -n systemctl start haproxy.service'),
  ]);
  await waitHealthy(cfg);
  return { imageBuiltInS: builtInS };
}

/**
 * Until SSH answers with the host's own name and its systemd has finished booting. A unit that failed at boot
 * (systemd says `degraded`) fails the wait at once, naming the unit: waiting does not mend it.
 */
async function waitHostUp(cfg: FleetConfig, host: FleetHost): Promise<void> {
  await waitUntil(
    `host ${host.name}`,
    async () => {
      const s = await hostStatus(cfg, host);
      if (s.state === 'degraded')
        throw new LabError(`host ${host.name}`, `${s.detail} (journalctl -b on ${host.name})`);
      return s.healthy ? null : `${s.state}: ${s.detail}`;
    },
    { timeoutMs: 90_000, intervalMs: 300 },
  );
}

/** Every part healthy: the hosts, then (at once) the services, HAProxy's view of them, replication and traffic. */
async function waitHealthy(cfg: FleetConfig): Promise<void> {
  await Promise.all(cfg.hosts.map((h) => waitHostUp(cfg, h)));
  const apps = cfg.hosts.filter(isApp);
  await Promise.all([
    ...apps.map((h) =>
      waitUntil(
        `service ${h.name}`,
        async () => {
          const s = await serviceStatus(cfg, h);
          return s.healthy ? null : `${s.state}: ${s.detail} (journalctl -u ${cfg.app.unit} on ${h.name})`;
        },
        { timeoutMs: 60_000, intervalMs: 300 },
      ),
    ),
    waitUntil(
      'haproxy',
      serversUpProbe(
        adminSocketAddress(cfg),
        cfg.haproxy.backend,
        apps.map((h) => h.name),
        '`npm run fleet:down && npm run fleet:up`',
      ),
      { timeoutMs: 60_000, intervalMs: 300 },
    ),
    waitUntil(
      'replication',
      async () => {
        const bad = (await postgresStatuses(cfg)).filter((c) => !c.healthy);
        return bad.length === 0 ? null : bad.map((c) => `${c.component} ${c.state}: ${c.detail}`).join('; ');
      },
      { timeoutMs: 60_000, intervalMs: 300 },
    ),
  ]);
  await waitUntil(
    'traffic via haproxy',
    async () => {
      const t = await trafficStatus(cfg.haproxy.url, cfg.service.probePath);
      return t.healthy ? null : `${t.state}: ${t.detail}`;
    },
    { timeoutMs: 15_000, intervalMs: 300 },
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  let cfg: FleetConfig;
  try {
    cfg = fleetConfig();
  } catch (err) {
    process.stderr.write(`fleet-up: ${(err as Error).message}\n`);
    process.exitCode = exitCodeOf(err);
    return;
  }
  let failure: LabError | undefined;
  let imageBuiltInS: number | null = null;
  try {
    ({ imageBuiltInS } = await withSlotLock(cfg, () => up(cfg), 600_000));
  } catch (err) {
    failure = err instanceof LabError ? err : new LabError('fleet', errorText(err), { cause: err });
  }
  if (isRoot()) process.stdout.write(`${statusTable(await collectFleetStatus(cfg), 'fleet')}\n`);
  const seconds = Math.round((performance.now() - started) / 100) / 10;
  if (failure) {
    process.stderr.write(`fleet-up: FAILED at ${failure.part}: ${failure.message}\n`);
    process.exitCode = 1;
    return;
  }
  log(
    `fleet slot ${cfg.slot} up in ${seconds} s (image ${imageBuiltInS === null ? 'cached' : `built in ${imageBuiltInS} s`})`,
  );
}

void main();
