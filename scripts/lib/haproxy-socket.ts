import net from 'node:net';
import { InputError, MeasureError } from './errors';
import { hostRunner, shellQuote, type HostRunner } from './ssh';

/**
 * A client for HAProxy's runtime API (`stats socket … level admin`): one command per connection (non-interactive
 * mode: HAProxy answers and closes). Used by the lab, the CLI and the roles. The socket is named as
 *  - a unix socket path on this host: `/run/haproxy/admin.sock`;
 *  - a TCP admin socket: `tcp://10.0.0.10:9999`, or HAProxy's own spelling `ipv4@10.0.0.10:9999`;
 *  - a unix socket on another host, over SSH: `ssh://[user@]host[:port]/run/haproxy/admin.sock` — the system ssh
 *    (your ~/.ssh/config applies; one connection reused for every read) and Python 3 on that host, which
 *    Ansible needs there anyway; add sudo rights there when the socket is root's (`ssh+sudo://…`).
 * A socket that cannot be reached is "could not measure" (MeasureError), never an empty answer.
 */
export type SocketSpec =
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'ssh'; host: string; user?: string; port?: number; path: string; sudo: boolean };

export function parseSocketSpec(spec: string): SocketSpec {
  const tcp = /^(?:tcp:\/\/|ipv4@)(\[[^\]]+\]|[^:/@]+):(\d+)\/?$/.exec(spec);
  if (tcp) return { kind: 'tcp', host: tcp[1]!.replace(/^\[|\]$/g, ''), port: Number(tcp[2]) };
  const ssh = /^ssh(\+sudo)?:\/\/(?:([^@/]+)@)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?(\/.+)$/.exec(spec);
  if (ssh)
    return {
      kind: 'ssh',
      sudo: ssh[1] !== undefined,
      ...(ssh[2] !== undefined ? { user: ssh[2] } : {}),
      host: ssh[3]!.replace(/^\[|\]$/g, ''),
      ...(ssh[4] !== undefined ? { port: Number(ssh[4]) } : {}),
      path: ssh[5]!,
    };
  if (/^[a-z0-9+]+:\/\/|^ipv[46]@/i.test(spec))
    throw new InputError(
      `HAProxy socket "${spec}": use a path, tcp://host:port (or ipv4@host:port), or ssh://[user@]host[:port]/path`,
      'E_LB_SOCKET',
    );
  return { kind: 'unix', path: spec };
}

/** On the load balancer's host: connect to the unix socket, send one command, print the answer (stdlib only). */
const RELAY = [
  'import socket,sys',
  's=socket.socket(socket.AF_UNIX)',
  's.settimeout(float(sys.argv[3]))',
  's.connect(sys.argv[1])',
  "s.sendall(sys.argv[2].encode()+b'\\n')",
  'out=[]',
  'while True:',
  ' d=s.recv(65536)',
  ' if not d: break',
  ' out.append(d)',
  "sys.stdout.write(b''.join(out).decode('utf-8','replace'))",
].join('\n');

// One runner per ssh:// socket for the process: a command polling `show stat` reuses one SSH connection.
const runners = new Map<string, HostRunner>();

/** Ends the SSH connections opened for ssh:// sockets (a command calls it when it is done). */
export async function closeHaproxyConnections(): Promise<void> {
  const all = [...runners.values()];
  runners.clear();
  await Promise.all(all.map((r) => r.close()));
}

function overSsh(
  spec: Extract<SocketSpec, { kind: 'ssh' }>,
  raw: string,
  command: string,
  timeoutMs: number,
  sshCommonArgs: string | undefined,
) {
  let runner = runners.get(raw);
  if (!runner) {
    runner = hostRunner({
      lb: {
        connection: 'ssh',
        address: spec.host,
        ...(spec.user !== undefined ? { user: spec.user } : {}),
        ...(spec.port !== undefined ? { port: spec.port } : {}),
        ...(sshCommonArgs !== undefined ? { common_args: sshCommonArgs } : {}),
        become: spec.sudo,
      },
    });
    runners.set(raw, runner);
  }
  const script = `exec python3 -c ${shellQuote(RELAY)} ${shellQuote(spec.path)} ${shellQuote(command)} ${timeoutMs / 1000}`;
  return runner
    .run('lb', script, { what: `HAProxy socket ${raw}: "${command}"`, timeoutMs: timeoutMs + 10_000 })
    .catch((err: unknown) => {
      throw new MeasureError((err as Error).message, 'E_LB_UNREACHABLE', { cause: err });
    });
}

/** Extra ssh options for an ssh:// socket, as Ansible's ansible_ssh_common_args (e.g. -i KEY -o UserKnownHostsFile=…). */
export interface SocketOptions {
  sshCommonArgs?: string;
}

export async function haproxyCommand(
  socketSpec: string,
  command: string,
  timeoutMs = 3000,
  opts: SocketOptions = {},
): Promise<string> {
  const spec = parseSocketSpec(socketSpec);
  if (spec.kind === 'ssh') return overSsh(spec, socketSpec, command, timeoutMs, opts.sshCommonArgs);
  return new Promise((resolve, reject) => {
    const socket = spec.kind === 'unix' ? net.connect(spec.path) : net.connect({ host: spec.host, port: spec.port });
    let text = '';
    const fail = (why: string, cause?: unknown): void => {
      socket.destroy();
      reject(new MeasureError(`HAProxy socket ${socketSpec}: "${command}" ${why}`, 'E_LB_UNREACHABLE', { cause }));
    };
    socket.setTimeout(timeoutMs, () => fail(`got no answer in ${timeoutMs} ms`));
    socket.on('connect', () => socket.write(`${command}\n`));
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', (err) => fail(`failed: ${err.message}`, err));
    socket.on('end', () => {
      socket.destroy();
      resolve(text);
    });
  });
}

export interface HaproxyStatRow {
  /** proxy (frontend/backend) name */
  pxname: string;
  /** server name, or FRONTEND / BACKEND for the proxy's own row */
  svname: string;
  /** UP, DOWN, MAINT, DRAIN, "UP 1/2", "no check", OPEN … */
  status: string;
  /** current sessions */
  scur: number;
  /** cumulative sessions (requests, in HTTP mode) */
  stot: number;
  /** 1 for a backup server */
  bck: number;
  /** every column as HAProxy printed it */
  raw: Record<string, string>;
}

/** `show stat` CSV: a "# pxname,svname,…" header, one row per frontend, server and backend. */
export function parseShowStat(csv: string): HaproxyStatRow[] {
  const lines = csv.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header)
    throw new MeasureError(`HAProxy "show stat" answered without a header: ${csv.slice(0, 200)}`, 'E_LB_BAD_ANSWER');
  const cols = header.slice(2).split(',');
  return lines
    .filter((l) => !l.startsWith('#'))
    .map((line) => {
      const cells = line.split(',');
      const raw: Record<string, string> = {};
      cols.forEach((c, i) => {
        if (c !== '') raw[c] = cells[i] ?? '';
      });
      const num = (k: string): number => Number(raw[k] || '0');
      return {
        pxname: raw.pxname ?? '',
        svname: raw.svname ?? '',
        status: raw.status ?? '',
        scur: num('scur'),
        stot: num('stot'),
        bck: num('bck'),
        raw,
      };
    });
}

export async function showStat(socketPath: string, opts: SocketOptions = {}): Promise<HaproxyStatRow[]> {
  return parseShowStat(await haproxyCommand(socketPath, 'show stat', undefined, opts));
}

/** The server rows of one backend (without its FRONTEND/BACKEND rows), by server name. */
export async function backendServers(
  socketPath: string,
  backend: string,
  opts: SocketOptions = {},
): Promise<Map<string, HaproxyStatRow>> {
  const rows = await showStat(socketPath, opts);
  if (!rows.some((r) => r.pxname === backend))
    throw new InputError(`HAProxy has no backend "${backend}"`, 'E_LB_NO_BACKEND');
  return new Map(
    rows
      .filter((r) => r.pxname === backend && r.svname !== 'FRONTEND' && r.svname !== 'BACKEND')
      .map((r) => [r.svname, r]),
  );
}

export type ServerAdminState = 'ready' | 'drain' | 'maint';

/** `set server <backend>/<server> state ready|drain|maint`; HAProxy answers nothing on success. */
export async function setServerState(
  socketPath: string,
  backend: string,
  server: string,
  state: ServerAdminState,
): Promise<void> {
  const answer = (await haproxyCommand(socketPath, `set server ${backend}/${server} state ${state}`)).trim();
  if (answer !== '') {
    throw new InputError(`HAProxy refused "set server ${backend}/${server} state ${state}": ${answer}`, 'E_LB_REFUSED');
  }
}

export interface ServerState {
  backend: string;
  server: string;
  address: string;
  port: number;
  /** 0 stopped, 1 starting, 2 running, 3 stopping */
  opState: number;
  /** set by `state maint` (or config/health-inherited maintenance) */
  maint: boolean;
  /** set by `state drain` */
  drain: boolean;
  raw: Record<string, string>;
}

// srv_admin_state bits (HAProxy's SRV_ADMF_*): FMAINT 0x01, IMAINT 0x02, CMAINT 0x04, FDRAIN 0x08,
// IDRAIN 0x10, RMAINT 0x20, HMAINT 0x40.
const MAINT_BITS = 0x01 | 0x02 | 0x04 | 0x20 | 0x40;
const DRAIN_BITS = 0x08 | 0x10;

/** `show servers state [backend]`: a version line, a "# be_id be_name …" header, one line per server. */
export function parseServersState(text: string): ServerState[] {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines.find((l) => l.startsWith('# '));
  if (!header)
    throw new MeasureError(
      `HAProxy "show servers state" answered without a header: ${text.slice(0, 200)}`,
      'E_LB_BAD_ANSWER',
    );
  const cols = header.slice(2).trim().split(/\s+/);
  return lines
    .filter((l) => !l.startsWith('#') && /\s/.test(l.trim()))
    .map((line) => {
      const cells = line.trim().split(/\s+/);
      const raw: Record<string, string> = {};
      cols.forEach((c, i) => (raw[c] = cells[i] ?? ''));
      const admin = Number(raw.srv_admin_state ?? '0');
      return {
        backend: raw.be_name ?? '',
        server: raw.srv_name ?? '',
        address: raw.srv_addr ?? '',
        port: Number(raw.srv_port ?? '0'),
        opState: Number(raw.srv_op_state ?? '0'),
        maint: (admin & MAINT_BITS) !== 0,
        drain: (admin & DRAIN_BITS) !== 0,
        raw,
      };
    });
}

export async function showServersState(socketPath: string, backend?: string): Promise<ServerState[]> {
  const text = await haproxyCommand(socketPath, backend ? `show servers state ${backend}` : 'show servers state');
  return parseServersState(text);
}
