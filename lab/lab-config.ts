import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../scripts/lib/paths';
import { authHeaders } from '../scripts/lib/target-auth';

/**
 * Where every lab component lives. One number, POOLGATE_LAB_SLOT (0 by default), moves the whole lab to its own
 * loopback net 127.0.<slot>.0/24 and its own state folder, so several labs (parallel test runs) never collide.
 * Ports are fixed; addresses differ.
 */
export type InstanceRole = 'standby' | 'primary';

export interface LabInstance {
  name: string;
  role: InstanceRole;
  address: string;
  port: number;
  /** supervisord program name */
  service: string;
  configPath: string;
  logPath: string;
  url: string;
}

/**
 * What the lab's instances (or the fleet's app hosts) run: the reference service (default), or a service of someone
 * else's that adopts poolgate through the agent (POOLGATE_LAB_SERVICE or POOLGATE_FLEET_SERVICE =
 * examples/orders-express). HAProxy, the inventory and every check stay the same: only the program, the request
 * that proves traffic flows and, on the fleet, the unit and paths named for the service differ.
 */
export interface LabService {
  /** The folder, relative to the package root (the POOLGATE_LAB_SERVICE or POOLGATE_FLEET_SERVICE value). */
  dir: string;
  /** Its short name on a host of the fleet: its systemd unit, its account and its folders are named for it. */
  name: string;
  /** What it is, for its systemd unit. */
  description: string;
  /** The compiled entry point, absolute. */
  main: string;
  /** How an instance is told its name, address, pool config and log: the reference service's flags, or env. */
  launch: 'flags' | 'env';
  /** A GET through HAProxy that answers 200 once the lab serves. */
  probePath: string;
  /** Its load-test scenario (schemas/loadtest-scenario.schema.json). */
  scenario: string;
}

const SERVICES: Record<string, Omit<LabService, 'dir'>> = {
  'lab/service': {
    name: 'ledger',
    description: 'ledger, the poolgate reference service',
    main: 'lab/service/main.js',
    launch: 'flags',
    probePath: '/api/accounts',
    scenario: 'lab/scenarios/ledger.yml',
  },
  'examples/orders-express': {
    name: 'orders',
    description: 'orders-express, an example service on the poolgate agent',
    main: 'examples/orders-express/server.js',
    launch: 'env',
    probePath: '/orders?limit=1',
    scenario: 'examples/orders-express/scenario.yml',
  },
};

export function labService(env: NodeJS.ProcessEnv = process.env): LabService {
  return serviceNamed(env.POOLGATE_LAB_SERVICE, 'POOLGATE_LAB_SERVICE');
}

/** Every service the labs can run, by folder (the first is the default). */
export const LAB_SERVICE_DIRS = Object.keys(SERVICES);

/** The service of a folder (`variable` names where it came from, for the error); undefined: the reference one. */
export function serviceNamed(value: string | undefined, variable: string): LabService {
  const dir = (value || LAB_SERVICE_DIRS[0]!).replace(/\/+$/, '');
  const known = SERVICES[dir];
  if (!known) throw new Error(`${variable} must be one of ${LAB_SERVICE_DIRS.join(', ')}, got "${dir}"`);
  return {
    ...known,
    dir,
    main: path.join(packageRoot, 'dist', known.main),
    scenario: path.join(packageRoot, known.scenario),
  };
}

/** Where one instance of a service runs, as the lab's supervisord or a fleet host's systemd unit tells it. */
export interface ServiceSite {
  name: string;
  address: string;
  port: number;
  configPath: string;
  /** a file, or "-" for stdout (journald) */
  log: string;
  /** the file holding the database password */
  passwordFile: string;
  /** where the reference service writes its pid (the fleet's unit); none on the lab */
  pidFile?: string;
}

/**
 * How a service is told where it runs, its launch contract in one place: the reference service's flags (and its
 * password file's variable), or an example's environment (its README's variables). The database's PG* variables and
 * the stop grace are the caller's, the same for every service.
 */
export function serviceLaunch(service: LabService, at: ServiceSite): { args: string[]; env: Record<string, string> } {
  if (service.launch === 'env')
    return {
      args: [],
      env: {
        HOST: at.address,
        PORT: String(at.port),
        INSTANCE_NAME: at.name,
        POOL_CONFIG: at.configPath,
        LOG_FILE: at.log,
        PGPASSWORD_FILE: at.passwordFile,
      },
    };
  return {
    args: [
      '--name',
      at.name,
      '--host',
      at.address,
      '--port',
      String(at.port),
      '--config',
      at.configPath,
      '--log',
      at.log,
      ...(at.pidFile ? ['--pidfile', at.pidFile] : []),
    ],
    env: { POOLGATE_DB_PASSWORD_FILE: at.passwordFile },
  };
}

export interface LabConfig {
  slot: number;
  service: LabService;
  net: string;
  stateDir: string;
  pg: {
    /** Folder of everything PostgreSQL owns (data, socket, log); see pgRootFor. */
    root: string;
    host: string;
    port: number;
    dataDir: string;
    socketDir: string;
    logPath: string;
    database: string;
    appUser: string;
    monitorUser: string;
    /** files holding the generated passwords (mode 0600), never the passwords themselves */
    appPasswordFile: string;
    monitorPasswordFile: string;
    maxConnections: number;
  };
  evidenceSigning: {
    /** Private key that signs sealed evidence (`--sign-key`). */
    key: string;
    /** OpenSSH allowed-signers file trusting its public key (`--allowed-signers`). */
    allowedSigners: string;
    principal: string;
  };
  haproxy: {
    address: string;
    port: number;
    statsPort: number;
    socket: string;
    configPath: string;
    pidPath: string;
    backend: string;
    url: string;
  };
  supervisor: {
    configPath: string;
    socket: string;
    pidPath: string;
    logPath: string;
  };
  instances: LabInstance[];
  /** Opt-in (POOLGATE_LAB_PROMETHEUS=1 or lab:up --prometheus): Debian's prometheus and node exporter. */
  prometheus: LabPrometheus;
  /**
   * Opt-in (POOLGATE_LAB_TOKEN=1): the instances require `Authorization: Bearer <token>` on every contract endpoint
   * but /health, as a production service may. lab:up writes a random token to `file` (mode 0600) and hands the
   * instances its path; inventory/lab names the same file as each instance's token_file, never the value.
   */
  token: { enabled: boolean; file: string };
}

export interface LabPrometheus {
  enabled: boolean;
  address: string;
  port: number;
  url: string;
  dir: string;
  dataDir: string;
  configPath: string;
  pidPath: string;
  logPath: string;
  retention: string;
  scrapeIntervalS: number;
  /** scrape job of the four instances; each target labelled instance=<name> */
  serviceJob: string;
  /** scrape job of the node exporter of the database host (this machine in the lab) */
  nodeJob: string;
  nodeExporter: { address: string; port: number; url: string; pidPath: string; logPath: string; textfileDir: string };
}

export const INSTANCE_PORT = 3000;
export const PG_PORT = 54320;

export function labConfig(env: NodeJS.ProcessEnv = process.env): LabConfig {
  const slot = Number(env.POOLGATE_LAB_SLOT ?? '0');
  if (!Number.isInteger(slot) || slot < 0 || slot > 250) {
    throw new Error(`POOLGATE_LAB_SLOT must be an integer from 0 to 250, got "${env.POOLGATE_LAB_SLOT}"`);
  }
  const net = `127.0.${slot}`;
  const stateDir = path.join(packageRoot, 'lab', '.run', String(slot));
  const maxConnections = Number(env.POOLGATE_LAB_MAX_CONNECTIONS ?? '1100');
  const pgRoot = pgRootFor(stateDir, slot, env);
  const instance = (name: string, role: InstanceRole, host: number): LabInstance => ({
    name,
    role,
    address: `${net}.${host}`,
    port: INSTANCE_PORT,
    service: `poolgate-svc-${name}`,
    configPath: path.join(stateDir, 'instances', name, 'pool.json'),
    logPath: path.join(stateDir, 'instances', name, 'service.log'),
    url: `http://${net}.${host}:${INSTANCE_PORT}`,
  });
  return {
    slot,
    service: labService(env),
    net,
    stateDir,
    pg: {
      root: pgRoot,
      host: `${net}.1`,
      port: PG_PORT,
      dataDir: path.join(pgRoot, 'data'),
      socketDir: path.join(pgRoot, 'socket'),
      logPath: path.join(pgRoot, 'postgresql.log'),
      database: 'ledger',
      appUser: 'ledger_app',
      monitorUser: 'poolgate_monitor',
      appPasswordFile: path.join(stateDir, 'secrets', 'app_password'),
      monitorPasswordFile: path.join(stateDir, 'secrets', 'monitor_password'),
      maxConnections,
    },
    /** The lab operator's evidence signing key and the allowed-signers file that trusts it (secrets/, 0600). */
    evidenceSigning: {
      key: path.join(stateDir, 'secrets', 'evidence_signing_key'),
      allowedSigners: path.join(stateDir, 'secrets', 'evidence_allowed_signers'),
      principal: `lab-operator@poolgate-lab-${slot}`,
    },
    haproxy: {
      address: `${net}.1`,
      port: 8080,
      statsPort: 8404,
      socket: path.join(stateDir, 'haproxy', 'admin.sock'),
      configPath: path.join(stateDir, 'haproxy', 'haproxy.cfg'),
      pidPath: path.join(stateDir, 'haproxy', 'haproxy.pid'),
      backend: 'app',
      url: `http://${net}.1:8080`,
    },
    supervisor: {
      configPath: path.join(stateDir, 'supervisor', 'supervisord.conf'),
      socket: path.join(stateDir, 'supervisor', 'supervisor.sock'),
      pidPath: path.join(stateDir, 'supervisor', 'supervisord.pid'),
      logPath: path.join(stateDir, 'supervisor', 'supervisord.log'),
    },
    instances: [
      instance('standby-1', 'standby', 11),
      instance('standby-2', 'standby', 12),
      instance('primary-1', 'primary', 21),
      instance('primary-2', 'primary', 22),
    ],
    prometheus: prometheusConfig(net, stateDir, env),
    token: { enabled: env.POOLGATE_LAB_TOKEN === '1', file: path.join(stateDir, 'secrets', 'service_token') },
  };
}

/** What a probe of a lab instance's contract endpoints sends: the bearer token when the lab requires one. */
export function labAuthHeaders(cfg: Pick<LabConfig, 'token'>): Record<string, string> {
  return cfg.token.enabled ? authHeaders({ token_file: cfg.token.file }) : {};
}

export const PROMETHEUS_PORT = 9090;
export const NODE_EXPORTER_PORT = 9100;

function prometheusConfig(net: string, stateDir: string, env: NodeJS.ProcessEnv): LabPrometheus {
  const dir = path.join(stateDir, 'prometheus');
  return {
    enabled: env.POOLGATE_LAB_PROMETHEUS === '1',
    address: `${net}.1`,
    port: PROMETHEUS_PORT,
    url: `http://${net}.1:${PROMETHEUS_PORT}`,
    dir,
    dataDir: path.join(dir, 'data'),
    configPath: path.join(dir, 'prometheus.yml'),
    pidPath: path.join(dir, 'prometheus.pid'),
    logPath: path.join(dir, 'prometheus.log'),
    retention: '2h',
    scrapeIntervalS: 1,
    serviceJob: 'poolgate-service',
    nodeJob: 'node',
    nodeExporter: {
      address: `${net}.1`,
      port: NODE_EXPORTER_PORT,
      url: `http://${net}.1:${NODE_EXPORTER_PORT}`,
      pidPath: path.join(dir, 'node-exporter.pid'),
      logPath: path.join(dir, 'node-exporter.log'),
      textfileDir: path.join(dir, 'textfile'),
    },
  };
}

/**
 * PostgreSQL runs as the unprivileged postgres user, which must be able to walk down to its data dir. A checkout
 * under a private home (/root is 0700) does not allow that, and changing a home's permissions is not ours to do:
 * there the cluster lives under /var/tmp instead, in a folder named for the checkout so two checkouts never share
 * one. POOLGATE_LAB_PG_ROOT overrides both.
 */
export function pgRootFor(stateDir: string, slot: number, env: NodeJS.ProcessEnv, checkout = packageRoot): string {
  if (env.POOLGATE_LAB_PG_ROOT) return path.join(env.POOLGATE_LAB_PG_ROOT, String(slot));
  const inTree = path.join(stateDir, 'pg');
  if (othersCanTraverse(checkout)) return inTree;
  const tag = crypto.createHash('sha256').update(checkout).digest('hex').slice(0, 10);
  return path.join('/var/tmp', `poolgate-lab-${tag}`, String(slot));
}

function othersCanTraverse(dir: string): boolean {
  for (let d = dir; ; d = path.dirname(d)) {
    try {
      if ((fs.statSync(d).mode & 0o001) === 0) return false;
    } catch {
      return false;
    }
    if (d === path.dirname(d)) return true;
  }
}

/** The runbook's starting pool config (v1.0.0). */
export const RUNBOOK_BASELINE_POOL = {
  min: 10,
  max: 50,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 2000,
  acquireTimeoutMillis: 10000,
} as const;
