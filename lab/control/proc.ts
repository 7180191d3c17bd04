import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** written to stdin (how SQL and secrets reach child processes: never through argv) */
  input?: string;
  timeoutMs?: number;
}

/** Run a program to completion and capture its output. Never throws on a non-zero exit: callers judge `code`. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? '/',
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: opts.timeoutMs ?? 60_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/** A pid from a pid file's first line (postmaster.pid, haproxy.pid, supervisord.pid), or undefined. */
export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(file, 'utf8').split('\n')[0]!.trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Is `pid` a live process whose command line mentions `needle`? A zombie counts as gone (in a container
 * nobody may reap a daemon's remains), and the needle guards against a stale pid file naming a reused pid.
 */
export function isAlive(pid: number | undefined, needle?: string): boolean {
  if (pid === undefined) return false;
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  if (state === 'Z' || state === 'X') return false;
  if (needle === undefined) return true;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
  } catch {
    return false;
  }
}

/** Send `signal`, wait for the process to go; SIGKILL it after `timeoutMs`. Returns how it ended. */
export async function stopPid(
  pid: number,
  signal: NodeJS.Signals,
  timeoutMs: number,
  needle?: string,
): Promise<'not-running' | 'stopped' | 'killed'> {
  if (!isAlive(pid, needle)) return 'not-running';
  try {
    process.kill(pid, signal);
  } catch {
    return 'not-running';
  }
  if (await waitGone(pid, timeoutMs)) return 'stopped';
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* it went between the check and the kill */
  }
  await waitGone(pid, 5000);
  return 'killed';
}

async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(100);
  }
  return !isAlive(pid);
}

/**
 * PostgreSQL refuses to run as root, and CI and sessions run as root: run its programs as the unprivileged
 * `postgres` user Debian's package creates. As any other user, run them as that user.
 */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export const PG_OS_USER = 'postgres';

export function asPgUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot() ? ['runuser', ['-u', PG_OS_USER, '--', cmd, ...args]] : [cmd, args];
}

/**
 * Processes whose command line names `dir` (the slot's state folder: `-D …/pg/data`, `-f …/haproxy.cfg`,
 * `-c …/supervisord.conf`, `--config …/pool.json`): how lab-down finds what is left of *this* slot, by pid,
 * without touching another slot's lab or anything else on the machine (only the lab's own programs: a
 * `tail -f` on a lab log is not ours to stop).
 */
const LAB_PROGRAMS = new Set(['node', 'postgres', 'haproxy', 'supervisord', 'prometheus', 'prometheus-node-exporter']);

export function processesUsing(dir: string): Array<{ pid: number; cmd: string }> {
  const needle = dir.endsWith('/') ? dir : `${dir}/`;
  const found: Array<{ pid: number; cmd: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    } catch {
      continue;
    }
    const argv = cmd
      .split(' ')
      .slice(0, 2)
      .map((a) => path.basename(a));
    if (cmd.includes(needle) && argv.some((a) => LAB_PROGRAMS.has(a)) && isAlive(pid)) found.push({ pid, cmd });
  }
  return found;
}
