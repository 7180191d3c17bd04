import t from 'tap';
import {
  CommandCpuSource,
  parseCpuOutput,
  parseProcStat,
  PidFileCpuSource,
  type ProcIo,
} from '../../../scripts/lib/db-cpu';

/** A /proc/<pid>/stat line; the command name has a space and a parenthesis, like real ones can. */
const stat = (pid: number, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0): string =>
  `${pid} (postgres: ledger (x)) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 100 1000 100`;

function fakeProc(procs: () => Record<number, string>, pidFileText = '100\n/var/lib/pg\n'): ProcIo {
  return {
    readFile: (file) => {
      if (file === 'postmaster.pid') return pidFileText;
      const m = /^\/proc\/(\d+)\/stat$/.exec(file);
      const text = m ? procs()[Number(m[1])] : undefined;
      if (text === undefined) throw new Error(`ENOENT ${file}`);
      return text;
    },
    listPids: () => Object.keys(procs()).map(Number),
    clockTicks: 100,
    cores: 2,
  };
}

t.test('parseProcStat reads the fields after a command name with spaces and parentheses', async (t) => {
  t.same(parseProcStat(stat(7, 1, 11, 22, 33, 44)), { pid: 7, ppid: 1, utime: 11, stime: 22, cutime: 33, cstime: 44 });
});

t.test('postmaster + children CPU: Δticks / clock / Δt / cores, reaped children included via cutime', async (t) => {
  let procs: Record<number, string> = {
    100: stat(100, 1, 10, 10),
    101: stat(101, 100, 50, 50),
    999: stat(999, 1, 5000, 0),
  };
  const src = new PidFileCpuSource(
    'postmaster.pid',
    fakeProc(() => procs),
  );
  t.same(await src.read(0), { configured: true, pct: null, why: 'first' });
  // child 101 exited and was reaped (its 100 ticks + 20 more moved into cutime); child 102 started with 60 ticks.
  procs = { 100: stat(100, 1, 20, 10, 120, 0), 102: stat(102, 100, 30, 30), 999: stat(999, 1, 9000, 0) };
  const r = await src.read(1000);
  // before: 10+10+100 = 120; after: 20+10+120+60 = 210 → 90 ticks in 1 s = 0.9 core-s of 2 cores = 45 %.
  t.equal(r.pct, 45);
});

t.test("with the kernel's children list, only the postmaster's children are read, with the same figure", async (t) => {
  let procs: Record<number, string> = {
    100: stat(100, 1, 10, 10),
    101: stat(101, 100, 50, 50),
    999: stat(999, 1, 5000, 0),
  };
  const read: string[] = [];
  const io = fakeProc(() => procs);
  const src = new PidFileCpuSource('postmaster.pid', {
    ...io,
    readFile: (f) => (read.push(f), io.readFile(f)),
    listPids: () => t.fail('no /proc scan when the children are listed') as never,
    childPids: (pid) =>
      pid === 100
        ? Object.keys(procs)
            .map(Number)
            .filter((p) => p !== 100 && p !== 999)
        : null,
  });
  await src.read(0);
  procs = { 100: stat(100, 1, 20, 10, 120, 0), 102: stat(102, 100, 30, 30), 999: stat(999, 1, 9000, 0) };
  t.equal((await src.read(1000)).pct, 45);
  t.notOk(read.includes('/proc/999/stat'), 'an unrelated process is never read');
});

t.test('a new postmaster pid is a reset; a missing pid file is could-not-measure, not 0 %', async (t) => {
  let procs: Record<number, string> = { 100: stat(100, 1, 10, 10) };
  let pidText = '100\n';
  const io = fakeProc(() => procs);
  const src = new PidFileCpuSource('postmaster.pid', {
    ...io,
    readFile: (f) => (f === 'postmaster.pid' ? pidText : io.readFile(f)),
  });
  await src.read(0);
  pidText = '200\n';
  procs = { 200: stat(200, 1, 1, 1) };
  t.same(await src.read(1000), { configured: true, pct: null, why: 'reset' });
  pidText = '';
  const r = await src.read(2000);
  t.match(r.error, /no pid/);
  t.equal(r.pct, undefined);
});

t.test('the command source takes the first number as a percentage and rejects nonsense', async (t) => {
  t.equal(parseCpuOutput('cpu: 42.5%\n'), 42.5);
  t.throws(() => parseCpuOutput('n/a'));
  t.throws(() => parseCpuOutput('250'));
  t.same(await new CommandCpuSource('echo 37').read(), { configured: true, pct: 37 });
  t.match((await new CommandCpuSource('exit 4').read()).error, /DB CPU command failed/);
});
