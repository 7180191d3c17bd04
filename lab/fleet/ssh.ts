import fs from 'node:fs';
import path from 'node:path';
import { LabError } from '../control/lab-error';
import { run, type RunResult } from '../control/proc';
import type { FleetConfig, FleetHost } from './fleet-config';

/**
 * How the bastion reaches the fleet: SSH as `deploy` with the fleet's own key pair, checking each host's key
 * against the fleet's own known_hosts (collected from the machines' host keys when they are made, so nothing
 * turns host key checking off). Ansible (inventory/fleet) uses the same three files.
 */
const HOST_KEY = path.join('etc', 'ssh', 'ssh_host_ed25519_key');

async function keygen(file: string, comment: string): Promise<void> {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const r = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  if (r.code !== 0) throw new LabError('ssh', `ssh-keygen ${file}: ${r.stderr.trim()}`);
}

/** The fleet's key pair (mode 0600), made once. */
export async function ensureFleetKey(cfg: FleetConfig): Promise<string> {
  if (!fs.existsSync(cfg.ssh.keyFile)) await keygen(cfg.ssh.keyFile, `poolgate-fleet-${cfg.slot}`);
  fs.chmodSync(cfg.ssh.keyFile, 0o600);
  return fs.readFileSync(`${cfg.ssh.keyFile}.pub`, 'utf8').trim();
}

/** A machine's own host key, made once when the machine is (the image carries none, so no two hosts share one). */
export async function ensureHostKey(host: FleetHost): Promise<void> {
  const key = path.join(host.root, HOST_KEY);
  if (!fs.existsSync(key)) await keygen(key, `root@${host.name}`);
}

/** `<address> ssh-ed25519 <key>` for every host whose root holds a host key. */
export function renderKnownHosts(cfg: FleetConfig): string {
  const lines: string[] = [];
  for (const h of cfg.hosts) {
    const pub = path.join(h.root, `${HOST_KEY}.pub`);
    if (!fs.existsSync(pub)) continue;
    const [type, key] = fs.readFileSync(pub, 'utf8').trim().split(/\s+/);
    const where = cfg.ssh.port === 22 ? h.address : `[${h.address}]:${cfg.ssh.port}`;
    lines.push(`${where} ${type} ${key}`);
  }
  return lines.length ? `${lines.join('\n')}\n` : '';
}

export function writeKnownHosts(cfg: FleetConfig): void {
  fs.mkdirSync(path.dirname(cfg.ssh.knownHosts), { recursive: true, mode: 0o700 });
  fs.writeFileSync(cfg.ssh.knownHosts, renderKnownHosts(cfg), { mode: 0o644 });
}

/** ssh's options for one host, as Ansible's inventory sets them. */
export function sshArgs(cfg: FleetConfig, host: FleetHost): string[] {
  return [
    '-i',
    cfg.ssh.keyFile,
    '-p',
    String(cfg.ssh.port),
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    `UserKnownHostsFile=${cfg.ssh.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'LogLevel=ERROR',
    `${cfg.ssh.user}@${host.address}`,
  ];
}

/**
 * Runs a shell command on a host as `deploy` (prefix `sudo -n` for root). Secrets and SQL go through `input`
 * (the remote command's stdin), never into the command line.
 */
export function ssh(
  cfg: FleetConfig,
  host: FleetHost,
  command: string,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run('ssh', [...sshArgs(cfg, host), '--', command], { input: opts.input, timeoutMs: opts.timeoutMs ?? 60_000 });
}

/** Like ssh(), but a non-zero exit is a LabError naming the host, what was done and what it said. */
export async function sshMust(
  cfg: FleetConfig,
  host: FleetHost,
  what: string,
  command: string,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<string> {
  const r = await ssh(cfg, host, command, opts);
  if (r.code !== 0)
    throw new LabError(host.name, `${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 600)}`);
  return r.stdout;
}
