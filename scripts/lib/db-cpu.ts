import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { CpuObservation } from './judge/sample';

/**
 * Where "Database CPU > 90 % sustained" comes from. Two sources (node-exporter is a later addition):
 *  - a command printing a percentage (0..100 of all the database host's cores), e.g. a cloud CLI or an SSH
 *    one-liner; its first number is the reading;
 *  - for a database on this host, its postmaster.pid: CPU of the postmaster and its children from /proc —
 *    Σ(utime+stime) of the postmaster and every live child, plus the postmaster's cutime+cstime (which holds
 *    the children it has reaped, so backends that came and went between samples still count), differenced
 *    between samples, ÷ Δt ÷ cores.
 * A source that fails is "could not measure", never 0 %.
 */
export interface CpuSource {
  read(nowMs: number): Promise<CpuObservation>;
}

export interface ProcStat {
  pid: number;
  ppid: number;
  utime: number;
  stime: number;
  cutime: number;
  cstime: number;
}

/** /proc/<pid>/stat: fields after the command name (which may hold spaces and parentheses). */
export function parseProcStat(text: string): ProcStat {
  const close = text.lastIndexOf(')');
  const pid = Number(text.slice(0, text.indexOf('(')).trim());
  const f = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // f[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
  const n = (field: number): number => Number(f[field - 3]);
  const stat = { pid, ppid: n(4), utime: n(14), stime: n(15), cutime: n(16), cstime: n(17) };
  if (Object.values(stat).some((v) => !Number.isFinite(v)))
    throw new Error(`unreadable /proc stat line: ${text.slice(0, 80)}`);
  return stat;
}

/** Clock ticks of the postmaster and its children (see CpuSource). */
export function postmasterTicks(postmaster: ProcStat, all: readonly ProcStat[]): number {
  const children = all.filter((p) => p.ppid === postmaster.pid);
  return (
    postmaster.utime +
    postmaster.stime +
    postmaster.cutime +
    postmaster.cstime +
    children.reduce((s, c) => s + c.utime + c.stime, 0)
  );
}

export interface ProcIo {
  readFile(file: string): string;
  listPids(): number[];
  /** The pids of one process's children, or null where the kernel does not list them (then every pid is read). */
  childPids?(pid: number): number[] | null;
  clockTicks: number;
  cores: number;
}

export const realProcIo = (): ProcIo => ({
  readFile: (file) => fs.readFileSync(file, 'utf8'),
  listPids: () =>
    fs
      .readdirSync('/proc')
      .filter((d) => /^\d+$/.test(d))
      .map(Number),
  childPids: (pid) => {
    // One small file instead of one stat per process on the host (hundreds on a busy box): this read is in every
    // monitor sample. The postmaster is single-threaded, so its main thread's children are all of them.
    try {
      return fs
        .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
        .split(' ')
        .filter((p) => p.trim() !== '')
        .map(Number);
    } catch {
      return null;
    }
  },
  clockTicks: clockTicks(),
  cores: os.availableParallelism(),
});

function clockTicks(): number {
  try {
    const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 2000 }).trim());
    return n > 0 ? n : 100;
  } catch {
    return 100;
  }
}

export class PidFileCpuSource implements CpuSource {
  private prev?: { pid: number; ticks: number; at_ms: number };
  constructor(
    private readonly pidFile: string,
    private readonly io: ProcIo = realProcIo(),
  ) {}

  async read(nowMs: number): Promise<CpuObservation> {
    let pid: number;
    let ticks: number;
    try {
      pid = Number(this.io.readFile(this.pidFile).split('\n')[0]!.trim());
      if (!Number.isInteger(pid) || pid < 1) throw new Error(`no pid on the first line of ${this.pidFile}`);
      const postmaster = parseProcStat(this.io.readFile(`/proc/${pid}/stat`));
      const all: ProcStat[] = [];
      for (const p of this.io.childPids?.(pid) ?? this.io.listPids()) {
        try {
          all.push(parseProcStat(this.io.readFile(`/proc/${p}/stat`)));
        } catch {
          // a process that exited while we listed /proc: its ticks are in the postmaster's cutime now
        }
      }
      ticks = postmasterTicks(postmaster, all);
    } catch (err) {
      this.prev = undefined;
      return { configured: true, error: `DB CPU from ${this.pidFile}: ${(err as Error).message}` };
    }
    const prev = this.prev;
    this.prev = { pid, ticks, at_ms: nowMs };
    if (!prev) return { configured: true, pct: null, why: 'first' };
    const dt = (nowMs - prev.at_ms) / 1000;
    if (prev.pid !== pid || ticks < prev.ticks || !(dt > 0)) return { configured: true, pct: null, why: 'reset' };
    return { configured: true, pct: ((ticks - prev.ticks) / this.io.clockTicks / dt / this.io.cores) * 100 };
  }
}

/** The first number a command prints, as a percentage 0..100. */
export function parseCpuOutput(stdout: string): number {
  const m = /-?\d+(?:\.\d+)?/.exec(stdout);
  const pct = m ? Number(m[0]) : NaN;
  if (!Number.isFinite(pct) || pct < 0 || pct > 100)
    throw new Error(`expected a percentage 0..100, got "${stdout.trim().slice(0, 60)}"`);
  return pct;
}

export class CommandCpuSource implements CpuSource {
  constructor(
    private readonly command: string,
    private readonly timeoutMs = 5000,
  ) {}

  read(): Promise<CpuObservation> {
    return new Promise((resolve) => {
      execFile('/bin/sh', ['-c', this.command], { timeout: this.timeoutMs, encoding: 'utf8' }, (err, stdout) => {
        if (err) return resolve({ configured: true, error: `DB CPU command failed: ${err.message.split('\n')[0]}` });
        try {
          resolve({ configured: true, pct: parseCpuOutput(stdout) });
        } catch (e) {
          resolve({ configured: true, error: `DB CPU command: ${(e as Error).message}` });
        }
      });
    });
  }
}

export function cpuSourceFor(cfg: { command?: string; pid_file?: string }): CpuSource | undefined {
  if (cfg.command) return new CommandCpuSource(cfg.command);
  if (cfg.pid_file) return new PidFileCpuSource(cfg.pid_file);
  return undefined;
}
