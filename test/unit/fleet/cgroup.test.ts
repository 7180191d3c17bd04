import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import {
  enterCgroupsAndExec,
  ensureMachineCgroups,
  machineCgroups,
  machineCgroupsLeft,
  machineFrozen,
  removeMachineCgroups,
  setMachineFrozen,
} from '../../../lab/fleet/cgroup';
import { fleetConfig, hostNamed } from '../../../lab/fleet/fleet-config';

const host = hostNamed(fleetConfig({ POOLGATE_FLEET_SLOT: '4' }), 'db-1');

t.test("a machine's groups: one per mounted hierarchy it needs, made, entered, removed deepest first", async (t) => {
  const root = t.testdir({
    systemd: { 'cgroup.procs': '' },
    unified: { 'cgroup.procs': '' },
    freezer: { 'cgroup.procs': '' },
    memory: { 'cgroup.procs': '' },
  });
  t.same(
    machineCgroups(host, root),
    ['systemd', 'unified', 'freezer'].map((h) => path.join(root, h, 'poolgate-fleet', 'poolgate-f4-db-1')),
  );
  const groups = ensureMachineCgroups(host, root);
  t.ok(groups.every((g) => fs.existsSync(g)));
  t.same(enterCgroupsAndExec(groups.slice(0, 1)), ['-c', `echo $$ > '${groups[0]}/cgroup.procs' && exec "$@"`, 'sh']);
  fs.mkdirSync(path.join(groups[0]!, 'payload', 'system.slice'), { recursive: true });
  t.same(removeMachineCgroups(host, root), []);
  t.same(machineCgroupsLeft(host, root), []);
});

t.test('freeze and thaw through the freezer group; a machine without one is an error', async (t) => {
  const root = t.testdir({ freezer: { 'cgroup.procs': '' } });
  t.throws(() => setMachineFrozen(host, true, root), /db-1 has no freezer group/);
  const [g] = ensureMachineCgroups(host, root);
  fs.writeFileSync(path.join(g!, 'freezer.state'), 'THAWED\n');
  t.equal(machineFrozen(host, root), false);
  setMachineFrozen(host, true, root);
  t.equal(fs.readFileSync(path.join(g!, 'freezer.state'), 'utf8'), 'FROZEN');
  t.equal(machineFrozen(host, root), true);
});
