import path from 'node:path';
import { InputError } from '../../scripts/lib/errors';
import { packageRoot } from '../../scripts/lib/paths';
import { INSTANCE_PORT, LAB_SERVICE_DIRS, serviceNamed, type InstanceRole, type LabService } from '../lab-config';

/**
 * The fleet lab's address plan and paths: every host, address, port, unit and file the fleet's scripts, tests and
 * inventory/fleet rely on. One number, POOLGATE_FLEET_SLOT (0 by default), moves the whole fleet to its own
 * loopback net 127.1.<slot>.0/24 (the loopback lab's nets are 127.0.<slot>.0/24, so the two never meet), its own
 * state folder and its own machine names.
 */
export type FleetRole = 'lb' | 'db_primary' | 'db_replica' | InstanceRole;

export interface FleetHost {
  /** inventory name = hostname = HAProxy server name (app hosts) */
  name: string;
  role: FleetRole;
  address: string;
  /** systemd-nspawn's machine name: unique on this machine across fleet slots */
  machine: string;
  /** the machine's root file system as the bastion sees it (an overlay over the cached image) */
  root: string;
  /** the overlay's writable layer and work folder */
  upper: string;
  work: string;
  /** systemd-nspawn's pid, its container init's pid and pid namespace (so down can find every process) */
  pidFile: string;
  /** systemd-nspawn's own output */
  consoleLog: string;
}

export interface FleetConfig {
  slot: number;
  net: string;
  stateDir: string;
  imageCacheDir: string;
  hosts: FleetHost[];
  ssh: {
    user: string;
    port: number;
    keyFile: string;
    knownHosts: string;
  };
  secrets: {
    dir: string;
    appPasswordFile: string;
    monitorPasswordFile: string;
    replicationPasswordFile: string;
    /** ansible-vault's password for inventory/fleet/group_vars/all/vault.yml */
    vaultPasswordFile: string;
  };
  /** The fleet operator's evidence signing key and the allowed-signers file that trusts it (secrets/, 0600). */
  evidenceSigning: { key: string; allowedSigners: string; principal: string };
  pg: {
    port: number;
    database: string;
    appUser: string;
    monitorUser: string;
    replicationUser: string;
    maxConnections: number;
    /** Debian's cluster on the db hosts */
    version: string;
    dataDir: string;
    confDir: string;
    unit: string;
    /** the replica's physical replication slot on the primary */
    replicationSlot: string;
  };
  haproxy: {
    port: number;
    statsPort: number;
    /** the admin-level runtime API on TCP, on the lb's own address */
    adminPort: number;
    /** the admin-level runtime API as a unix socket, on the lb host (production's path) */
    socket: string;
    configPath: string;
    backend: string;
    url: string;
    statsUrl: string;
  };
  /** what the app hosts run (POOLGATE_FLEET_SERVICE; the reference service by default) */
  service: LabService;
  app: FleetApp;
  /** the other services the fleet can run: fleet:up removes theirs from the app hosts */
  otherApps: FleetApp[];
  /** the service's compiled entry point, relative to the checkout: its artefact is built from it */
  serviceEntry: string;
  /** the artefact built from serviceEntry on the bastion, then copied to every app host */
  artefactDir: string;
}

/** A service as installed on an app host, every name derived from its short name (as a package would lay it out). */
export interface FleetApp {
  port: number;
  /** its account, its unit's name and its folders' */
  name: string;
  unit: string;
  user: string;
  configPath: string;
  pidFile: string;
  /** where the service's artefact is installed on an app host */
  installDir: string;
  /** the database password, readable by root only; systemd hands it to the service as a credential */
  passwordFile: string;
}

export const FLEET_NET_PREFIX = '127.1';

/** Host part of each address; app hosts use the loopback lab's numbers, so the two plans read alike. */
const HOSTS: ReadonlyArray<{ name: string; role: FleetRole; host: number }> = [
  { name: 'lb-1', role: 'lb', host: 1 },
  { name: 'standby-1', role: 'standby', host: 11 },
  { name: 'standby-2', role: 'standby', host: 12 },
  { name: 'primary-1', role: 'primary', host: 21 },
  { name: 'primary-2', role: 'primary', host: 22 },
  { name: 'db-1', role: 'db_primary', host: 31 },
  { name: 'db-2', role: 'db_replica', host: 32 },
];

export function fleetSlot(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.POOLGATE_FLEET_SLOT ?? '0';
  const slot = Number(raw);
  if (!/^\d+$/.test(raw) || slot > 250) {
    throw new InputError(`POOLGATE_FLEET_SLOT must be an integer from 0 to 250, got "${raw}"`, 'E_FLEET_SLOT');
  }
  return slot;
}

export function fleetConfig(env: NodeJS.ProcessEnv = process.env): FleetConfig {
  const slot = fleetSlot(env);
  const net = `${FLEET_NET_PREFIX}.${slot}`;
  // Outside the checkout: the machines' file systems are owned by their own users (postgres, ledger, ...), and
  // several checkouts of the team drive one machine's fleets.
  const stateDir = path.join(env.POOLGATE_FLEET_STATE_ROOT || '/var/lib/poolgate/fleet', String(slot));
  const imageCacheDir = env.POOLGATE_FLEET_IMAGE_CACHE || '/var/cache/poolgate/fleet';
  const machinesDir = path.join(stateDir, 'machines');
  const hosts = HOSTS.map(({ name, role, host }) => ({
    name,
    role,
    address: `${net}.${host}`,
    machine: `poolgate-f${slot}-${name}`,
    root: path.join(machinesDir, name, 'root'),
    upper: path.join(machinesDir, name, 'upper'),
    work: path.join(machinesDir, name, 'work'),
    pidFile: path.join(stateDir, 'run', `${name}.json`),
    consoleLog: path.join(stateDir, 'logs', `${name}.console.log`),
  }));
  const secretsDir = path.join(stateDir, 'secrets');
  const lb = hosts.find((h) => h.role === 'lb')!;
  const service = serviceNamed(env.POOLGATE_FLEET_SERVICE, 'POOLGATE_FLEET_SERVICE');
  return {
    slot,
    net,
    stateDir,
    imageCacheDir,
    hosts,
    ssh: {
      user: 'deploy',
      port: 22,
      keyFile: path.join(stateDir, 'ssh', 'id_ed25519'),
      knownHosts: path.join(stateDir, 'ssh', 'known_hosts'),
    },
    secrets: {
      dir: secretsDir,
      appPasswordFile: path.join(secretsDir, 'app_password'),
      monitorPasswordFile: path.join(secretsDir, 'monitor_password'),
      replicationPasswordFile: path.join(secretsDir, 'replication_password'),
      vaultPasswordFile: path.join(secretsDir, 'vault_password'),
    },
    evidenceSigning: {
      key: path.join(secretsDir, 'evidence_signing_key'),
      allowedSigners: path.join(secretsDir, 'evidence_allowed_signers'),
      principal: `fleet-operator@poolgate-fleet-${slot}`,
    },
    pg: {
      port: 5432,
      database: 'ledger',
      appUser: 'ledger_app',
      monitorUser: 'poolgate_monitor',
      replicationUser: 'replicator',
      // 4 instances × pool max 200, plus a pool swap's overlap (old and new pool), as the loopback lab.
      maxConnections: 1100,
      version: '15',
      dataDir: '/var/lib/postgresql/15/main',
      confDir: '/etc/postgresql/15/main',
      unit: 'postgresql@15-main.service',
      replicationSlot: 'db_2',
    },
    haproxy: {
      port: 80,
      statsPort: 8404,
      adminPort: 9999,
      socket: '/run/haproxy/admin.sock',
      configPath: '/etc/haproxy/haproxy.cfg',
      backend: 'ledger',
      // port 80: the URL a client uses has none, as production's
      url: `http://${lb.address}`,
      statsUrl: `http://${lb.address}:8404/`,
    },
    service,
    app: fleetApp(service),
    otherApps: LAB_SERVICE_DIRS.filter((d) => d !== service.dir).map((d) =>
      fleetApp(serviceNamed(d, 'POOLGATE_FLEET_SERVICE')),
    ),
    serviceEntry: path.relative(packageRoot, service.main),
    artefactDir: path.join(stateDir, 'artefact'),
  };
}

export function fleetApp(service: LabService): FleetApp {
  const n = service.name;
  return {
    port: INSTANCE_PORT,
    name: n,
    unit: `${n}.service`,
    user: n,
    configPath: `/etc/${n}/pool.json`,
    pidFile: `/run/${n}/${n}.pid`,
    installDir: `/opt/${n}`,
    passwordFile: `/etc/${n}/db_password`,
  };
}

/**
 * What an inventory says of the service on the app hosts (inventory/fleet's `app` vars, as extra vars): the same as
 * the inventory's own values for the reference service, the example's unit and paths when the fleet runs it.
 */
export function fleetAppVars(cfg: FleetConfig): Record<string, string> {
  return {
    pool_instance_config_path: cfg.app.configPath,
    pool_instance_service: cfg.app.unit,
    pool_instance_pidfile: cfg.app.pidFile,
  };
}

export function hostsOf(cfg: FleetConfig, ...roles: FleetRole[]): FleetHost[] {
  return cfg.hosts.filter((h) => roles.includes(h.role));
}

export function hostNamed(cfg: FleetConfig, name: string): FleetHost {
  const host = cfg.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`no fleet host "${name}" (hosts: ${cfg.hosts.map((h) => h.name).join(', ')})`);
  return host;
}

export const isApp = (h: FleetHost): boolean => h.role === 'standby' || h.role === 'primary';
