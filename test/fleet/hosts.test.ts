import crypto from 'node:crypto';
import fs from 'node:fs';
import t from 'tap';
import { CLI_FILES } from '../../lab/fleet/artefact';
import { isApp } from '../../lab/fleet/fleet-config';
import { sshOn, useFleet } from '../helpers/fleet';

/**
 * The fleet's machines are hosts of their own, as production's are: each answers SSH as `deploy` at its own address
 * with its own name, has its own file system, refuses root, and carries nothing of poolgate but (on app hosts) the
 * service's artefact.
 */
t.test('every host answers SSH as deploy at its own address, with its own name and passwordless sudo', async (t) => {
  const fleet = await useFleet(t);
  for (const h of fleet.hosts) {
    const r = await sshOn(fleet, h.name, 'hostname; id -un; sudo -n id -un; cat /etc/hostname');
    t.equal(r.code, 0, `${h.name}: ssh ${fleet.ssh.user}@${h.address} (${r.stderr.trim()})`);
    t.same(r.stdout.trim().split('\n'), [h.name, 'deploy', 'root', h.name], `${h.name}: name, user, sudo`);
  }
});

t.test('root cannot log in over SSH', async (t) => {
  const fleet = await useFleet(t);
  const lb = fleet.host('lb-1');
  const { run } = await import('../../lab/control/proc');
  const r = await run('ssh', [
    '-i',
    fleet.ssh.keyFile,
    '-o',
    `UserKnownHostsFile=${fleet.ssh.knownHosts}`,
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    `root@${lb.address}`,
    'true',
  ]);
  t.not(r.code, 0, 'root@lb-1 is refused');
  t.match(r.stderr, /Permission denied/);
});

t.test('a file written on one host is absent on every other host and on the control node', async (t) => {
  const fleet = await useFleet(t);
  const file = `/var/tmp/poolgate-fleet-test-${crypto.randomBytes(6).toString('hex')}`;
  const writer = 'standby-1';
  t.equal((await sshOn(fleet, writer, `echo ${writer} > ${file}`)).code, 0, `written on ${writer}`);
  t.teardown(() => sshOn(fleet, writer, `rm -f ${file}`).then(() => undefined));
  t.equal((await sshOn(fleet, writer, `cat ${file}`)).stdout.trim(), writer, `${writer} reads it back`);
  for (const h of fleet.hosts.filter((h) => h.name !== writer)) {
    const r = await sshOn(fleet, h.name, `test -e ${file}; echo $?`);
    t.equal(r.stdout.trim(), '1', `absent on ${h.name}`);
  }
  t.notOk(fs.existsSync(file), 'absent on the control node');
});

t.test("nothing of poolgate's CLI on any managed host; app hosts hold the service's artefact only", async (t) => {
  const fleet = await useFleet(t);
  for (const h of fleet.hosts) {
    // Every local file system of the host (not /proc, /sys): a file named like the CLI's entry points anywhere.
    const found = await sshOn(
      fleet,
      h.name,
      "sudo -n find / -xdev \\( -name poolgate.js -o -name cli.js -o -name 'poolgate' \\) -print; command -v poolgate || true",
    );
    t.equal(found.code, 0, `${h.name}: find ran`);
    t.same(found.stdout.trim().split('\n').filter(Boolean), [], `${h.name}: no poolgate CLI file, no poolgate command`);
    const opt = await sshOn(fleet, h.name, `ls ${fleet.app.installDir} 2>/dev/null; true`);
    if (!isApp(h)) {
      t.equal(opt.stdout.trim(), '', `${h.name}: no service artefact`);
      continue;
    }
    t.same(opt.stdout.trim().split('\n').sort(), ['dist', 'node_modules', 'schemas'], `${h.name}: artefact layout`);
    for (const f of CLI_FILES) {
      const r = await sshOn(fleet, h.name, `test -e ${fleet.app.installDir}/${f}; echo $?`);
      t.equal(r.stdout.trim(), '1', `${h.name}: no ${f} in the artefact`);
    }
  }
});
