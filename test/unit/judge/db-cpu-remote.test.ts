import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parsePostmasterReading, postmasterScript, remotePostmasterCpu } from '../../../scripts/lib/db-cpu';
import { hostRunner } from '../../../scripts/lib/ssh';

const stat = (pid: number, ppid: number, utime: number, stime: number, cutime = 0, cstime = 0): string =>
  `${pid} (postgres: ledger (x)) S ${ppid} 1 1 0 -1 4194560 100 0 0 0 ${utime} ${stime} ${cutime} ${cstime} 20 0 1 0 100 1000 100`;

void t.test("the database host's reading: clock, cores, the postmaster and its children", async (t) => {
  const out = ['100 4', stat(100, 1, 10, 10, 5, 5), stat(101, 100, 50, 50), stat(999, 1, 7, 7), '102 (cut'].join('\n');
  t.same(parsePostmasterReading(out), { pid: 100, ticks: 130, clockTicks: 100, cores: 4 });
  t.throws(() => parsePostmasterReading('x\n'), /CLK_TCK/);
});

void t.test('the script reads a real process tree (this test process as the postmaster)', async (t) => {
  const dir = t.testdir({ 'postmaster.pid': `${process.pid}\n/data\n` });
  const runner = hostRunner({ 'db-1': { connection: 'local', address: 'localhost' } });
  const src = remotePostmasterCpu(runner, 'db-1', path.join(dir, 'postmaster.pid'));
  t.same(await src.read(0), { configured: true, pct: null, why: 'first' });
  const until = Date.now() + 200;
  while (Date.now() < until); // burn CPU so the second reading moves
  const r = await src.read(Date.now());
  t.ok(typeof r.pct === 'number' && r.pct >= 0, `a percentage: ${r.pct}`);
  fs.rmSync(path.join(dir, 'postmaster.pid'));
  const gone = await src.read(Date.now() + 1000);
  t.match(gone, {
    configured: true,
    error: /DB CPU from .*postmaster\.pid on db-1: reading the postmaster's CPU on db-1/,
  });
  t.match(postmasterScript('/x y/postmaster.pid'), /head -n 1 '\/x y\/postmaster\.pid'/);
  await runner.close();
});
