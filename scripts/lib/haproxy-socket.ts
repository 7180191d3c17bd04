import net from 'node:net';
import { InputError, MeasureError } from './errors';

/**
 * A client for HAProxy's runtime API on its admin socket (`stats socket … level admin`): a unix socket's path, or
 * `tcp://<host>:<port>` for one HAProxy serves on TCP (`stats socket ipv4@<addr>:<port>`). One command per
 * connection (non-interactive mode: HAProxy answers and closes). Used by the lab, the CLI and the roles.
 * A socket that cannot be reached is "could not measure" (MeasureError), never an empty answer.
 */
export async function haproxyCommand(socketPath: string, command: string, timeoutMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const tcp = /^tcp:\/\/(.+):(\d+)$/.exec(socketPath);
    const socket = tcp ? net.connect({ host: tcp[1]!, port: Number(tcp[2]) }) : net.connect(socketPath);
    let text = '';
    const fail = (why: string, cause?: unknown): void => {
      socket.destroy();
      reject(new MeasureError(`HAProxy socket ${socketPath}: "${command}" ${why}`, 'E_LB_UNREACHABLE', { cause }));
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

export async function showStat(socketPath: string): Promise<HaproxyStatRow[]> {
  return parseShowStat(await haproxyCommand(socketPath, 'show stat'));
}

/** The server rows of one backend (without its FRONTEND/BACKEND rows), by server name. */
export async function backendServers(socketPath: string, backend: string): Promise<Map<string, HaproxyStatRow>> {
  const rows = await showStat(socketPath);
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
