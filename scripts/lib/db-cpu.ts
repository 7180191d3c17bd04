import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { CpuObservation } from './judge/sample';
import { shellQuote, type HostRunner } from './ssh';

/**
 * Where "Database CPU > 90 % sustained" comes from (the node exporter, through Prometheus, is a third source):
 *  - a command printing a percentage (0..100 of all the database host's cores), e.g. a cloud CLI; its first
 *    number is the reading;
 *  - the postmaster.pid, on the database host over its connection (`host`) or on this host: CPU of the
 *    postmaster and its children from /proc —
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

/** One reading of the postmaster's tree: its clock ticks so far, and how to turn ticks into a share of the host. */
export interface TickReading {
  pid: number;
  ticks: number;
  clockTicks: number;
  cores: number;
}

/**
 * The postmaster's CPU between two readings, ÷ Δt ÷ cores. Where the readings come from is the caller's: this
 * host's /proc (PidFileCpuSource) or the database host's, over its connection (remotePostmasterCpu).
 */
export class PostmasterCpuSource implements CpuSource {
  private prev?: { pid: number; ticks: number; at_ms: number };
  constructor(
    private readonly where: string,
    private readonly readTicks: () => Promise<TickReading>,
  ) {}

  async read(nowMs: number): Promise<CpuObservation> {
    let r: TickReading;
    try {
      r = await this.readTicks();
    } catch (err) {
      this.prev = undefined;
      return { configured: true, error: `DB CPU from ${this.where}: ${(err as Error).message}` };
    }
    const prev = this.prev;
    this.prev = { pid: r.pid, ticks: r.ticks, at_ms: nowMs };
    if (!prev) return { configured: true, pct: null, why: 'first' };
    const dt = (nowMs - prev.at_ms) / 1000;
    if (prev.pid !== r.pid || r.ticks < prev.ticks || !(dt > 0)) return { configured: true, pct: null, why: 'reset' };
    return { configured: true, pct: ((r.ticks - prev.ticks) / r.clockTicks / dt / r.cores) * 100 };
  }
}

const pidOf = (pidFileText: string, pidFile: string): number => {
  const pid = Number(pidFileText.split('\n')[0]!.trim());
  if (!Number.isInteger(pid) || pid < 1) throw new Error(`no pid on the first line of ${pidFile}`);
  return pid;
};

/** A database on this host: its postmaster.pid and /proc read directly. */
export class PidFileCpuSource extends PostmasterCpuSource {
  constructor(pidFile: string, io: ProcIo = realProcIo()) {
    super(pidFile, async () => {
      const pid = pidOf(io.readFile(pidFile), pidFile);
      const postmaster = parseProcStat(io.readFile(`/proc/${pid}/stat`));
      const all: ProcStat[] = [];
      for (const p of io.childPids?.(pid) ?? io.listPids()) {
        try {
          all.push(parseProcStat(io.readFile(`/proc/${p}/stat`)));
        } catch {
          // a process that exited while we listed /proc: its ticks are in the postmaster's cutime now
        }
      }
      return { pid, ticks: postmasterTicks(postmaster, all), clockTicks: io.clockTicks, cores: io.cores };
    });
  }
}

/**
 * The script run on the database host for one reading: "<CLK_TCK> <cores>", the postmaster's stat line, then its
 * children's (every process's where the kernel does not list children). Reading another user's postmaster.pid
 * needs `become` on that host; /proc/<pid>/stat is world-readable.
 */
export function postmasterScript(pidFile: string): string {
  const f = shellQuote(pidFile);
  return `pid=$(head -n 1 ${f}) || exit 2
case $pid in ''|*[!0-9]*) echo no pid on the first line of ${f} >&2; exit 2;; esac
echo "$(getconf CLK_TCK) $(nproc)"
cat /proc/$pid/stat || exit 3
if [ -r /proc/$pid/task/$pid/children ]; then
  for c in $(cat /proc/$pid/task/$pid/children); do cat /proc/$c/stat 2>/dev/null; done
else
  cat /proc/[0-9]*/stat 2>/dev/null
fi
exit 0`;
}

/** Parses what postmasterScript printed (pure). */
export function parsePostmasterReading(out: string): TickReading {
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const [clk, cores] = (lines[0] ?? '').trim().split(/\s+/).map(Number);
  if (!(clk! > 0) || !(cores! > 0)) throw new Error(`unreadable CLK_TCK and cores: "${lines[0] ?? ''}"`);
  const postmaster = parseProcStat(lines[1] ?? '');
  const all: ProcStat[] = [];
  for (const line of lines.slice(2)) {
    try {
      all.push(parseProcStat(line));
    } catch {
      // a line cut by a process exiting mid-read
    }
  }
  return { pid: postmaster.pid, ticks: postmasterTicks(postmaster, all), clockTicks: clk!, cores: cores! };
}

/** The database host's postmaster, read over that host's connection: one short script per sample. */
export function remotePostmasterCpu(runner: HostRunner, host: string, pidFile: string): PostmasterCpuSource {
  return new PostmasterCpuSource(`${pidFile} on ${host}`, async () =>
    parsePostmasterReading(
      await runner.run(host, postmasterScript(pidFile), { what: `reading the postmaster's CPU`, timeoutMs: 5000 }),
    ),
  );
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

/** The configured source: a command, a pid file on the database host (`host`), or one on this host. */
export function cpuSourceFor(
  cfg: { command?: string; pid_file?: string; host?: string },
  runner: HostRunner,
): CpuSource | undefined {
  if (cfg.command) return new CommandCpuSource(cfg.command);
  if (cfg.pid_file && cfg.host) return remotePostmasterCpu(runner, cfg.host, cfg.pid_file);
  if (cfg.pid_file) return new PidFileCpuSource(cfg.pid_file);
  return undefined;
}
