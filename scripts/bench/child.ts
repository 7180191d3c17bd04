import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

/** Every child the bench is running, so an interrupted bench (SIGINT/SIGTERM) ends them, not only itself. */
const live = new Set<ChildProcess>();

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Sends SIGTERM to every child still running (the bench is being interrupted). */
export function stopChildren(): void {
  for (const child of live) child.kill('SIGTERM');
}

export interface ChildResult {
  code: number;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** Peak resident set (VmHWM) in KiB, read from /proc while the child runs; null if never read. */
  peakRssKb: number | null;
  /** [seconds since start, VmRSS KiB] every `rssEveryMs`. */
  rss: Array<[number, number]>;
}

function procStatus(pid: number): { rss: number; hwm: number } | null {
  try {
    const text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = /VmRSS:\s+(\d+)/.exec(text);
    const hwm = /VmHWM:\s+(\d+)/.exec(text);
    return rss && hwm ? { rss: Number(rss[1]), hwm: Number(hwm[1]) } : null;
  } catch {
    return null;
  }
}

export interface ChildOptions {
  timeoutMs: number;
  rssEveryMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** also copy the child's stderr to ours as it comes (progress of a long step) */
  echoStderr?: boolean;
  /**
   * A clean-up step that must finish even when the bench is interrupted: not ended by stopChildren() and,
   * in its own process group, not reached by a Ctrl-C meant for the bench.
   */
  shielded?: boolean;
}

/** Runs a command to completion (bounded by timeoutMs), optionally sampling its memory. */
export function runChild(cmd: string, args: string[], opts: ChildOptions): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: opts.shielded === true,
    });
    if (!opts.shielded) track(child);
    let stdout = '';
    let stderr = '';
    let peak: number | null = null;
    const rss: Array<[number, number]> = [];
    const sample = (): void => {
      const s = child.pid ? procStatus(child.pid) : null;
      if (!s) return;
      peak = Math.max(peak ?? 0, s.hwm);
      rss.push([Math.round((performance.now() - started) / 100) / 10, s.rss]);
    };
    const timer = opts.rssEveryMs ? setInterval(sample, opts.rssEveryMs) : null;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (opts.echoStderr) process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code: code ?? -1, stdout, stderr, elapsedMs: performance.now() - started, peakRssKb: peak, rss });
    });
  });
}

export type Role = 'server' | 'generator';

let pinning: boolean | null = null;

/**
 * Whether targets and generators run on separate cores: with two cores or more and taskset(1) present, the
 * server gets core 0 and every load generator core 1 (one core each, as in notes/loadgen-facts.md). Unpinned,
 * the scheduler lets a busy generator take the server's core and the ratios measure the mix, not the tool.
 */
export function pinningOn(): boolean {
  pinning ??= os.cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
  return pinning;
}

/** `cmd args` run on its role's core (taskset execs the command, so the pid is the command's own). */
export function onCore(role: Role, cmd: string, args: string[]): [string, string[]] {
  return pinningOn() ? ['taskset', ['-c', role === 'server' ? '0' : '1', cmd, ...args]] : [cmd, args];
}

/** A long-running server child: resolves once it prints "listening <port>"; stop() ends it. */
export async function startServer(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ port: number; pid: number; stop: () => Promise<void> }> {
  const [cmd, argv] = onCore('server', process.execPath, [script, ...args]);
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env });
  track(child);
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 10_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}`)));
  });
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { port, pid: child.pid!, stop };
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
