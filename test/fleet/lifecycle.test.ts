import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { listeningOn } from '../../lab/control/net';
import { readPids } from '../../lab/fleet/nspawn';
import { runFleetScript, useFleet } from '../helpers/fleet';

/**
 * fleet:up is idempotent (what runs stays: same pids), fleet:status says healthy, and fleet:down leaves nothing of
 * the fleet on this machine: no process, no mount, no cgroup, nothing of nspawn's under /run/systemd/nspawn,
 * nothing listening on the fleet's addresses. Checked here from /proc and /sys directly, not through fleet-down's
 * own leftover check. The fleet is brought back up afterwards when it was up before (other fleet files use it).
 */
function livePids(): Array<{ pid: number; argv: string[]; pidns: string }> {
  const out: Array<{ pid: number; argv: string[]; pidns: string }> = [];
  for (const e of fs.readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (/^\S+ \(.*\) [ZX] /.test(stat)) continue;
      out.push({
        pid,
        argv: fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
        pidns: fs.readlinkSync(`/proc/${pid}/ns/pid`),
      });
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

t.test('fleet:up twice keeps what runs; fleet:down leaves nothing; fleet:up brings it back', async (t) => {
  const fleet = await useFleet(t);
  const before = new Map(fleet.hosts.map((h) => [h.name, readPids(h)!]));
  const again = await runFleetScript('fleet-up');
  t.equal(again.code, 0, `a second fleet:up succeeds (${again.stderr.trim().split('\n').pop()})`);
  for (const h of fleet.hosts) t.same(readPids(h), before.get(h.name), `${h.name}: the same machine (same pids)`);
  t.equal((await runFleetScript('fleet-status', ['--json'])).code, 0, 'fleet:status: healthy (exit 0)');

  const down = await runFleetScript('fleet-down');
  t.equal(down.code, 0, `fleet:down (${down.stdout.trim()})`);
  const machinesDir = `${path.join(fleet.stateDir, 'machines')}/`;
  const namespaces = new Set([...before.values()].map((p) => `pid:[${p.pidns}]`));
  const procs = livePids();
  t.same(
    procs.filter((p) => p.argv.some((a) => a.startsWith(machinesDir))).map((p) => p.argv.join(' ')),
    [],
    'no process names a machine of the fleet',
  );
  t.same(
    procs.filter((p) => namespaces.has(p.pidns)).map((p) => `${p.pid} ${p.argv.join(' ')}`),
    [],
    "no process left in any machine's pid namespace",
  );
  t.same(
    fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .filter((l) => l.includes(fleet.stateDir)),
    [],
    'no mount under the fleet state folder',
  );
  for (const h of fleet.hosts) {
    t.notOk(
      fs.existsSync(`/run/systemd/nspawn/propagate/${h.machine}`),
      `${h.name}: nothing under /run/systemd/nspawn`,
    );
    for (const hierarchy of ['systemd', 'unified', 'freezer'])
      t.notOk(
        fs.existsSync(`/sys/fs/cgroup/${hierarchy}/poolgate-fleet/${h.machine}`),
        `${h.name}: no ${hierarchy} cgroup`,
      );
  }
  t.same(listeningOn(fleet.net), [], `nothing listens on ${fleet.net}.0/24`);
  t.equal((await runFleetScript('fleet-status')).code, 3, 'fleet:status: not healthy (exit 3)');

  if (fleet.startedHere) return;
  const up = await runFleetScript('fleet-up');
  t.equal(up.code, 0, `fleet:up again (${up.stderr.trim().split('\n').pop()})`);
});
