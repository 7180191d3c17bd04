import t from 'tap';
import { fleetConfig, hostsOf } from '../../../lab/fleet/fleet-config';
import { labConfig } from '../../../lab/lab-config';
import { InputError } from '../../../scripts/lib/errors';

t.test('slot 0 by default; a slot moves every address, the state folder and the machine names', async (t) => {
  const zero = fleetConfig({});
  t.equal(zero.slot, 0);
  t.equal(zero.net, '127.1.0');
  t.equal(zero.stateDir, '/var/lib/poolgate/fleet/0');
  t.equal(zero.imageCacheDir, '/var/cache/poolgate/fleet');
  const seven = fleetConfig({
    POOLGATE_FLEET_SLOT: '7',
    POOLGATE_FLEET_STATE_ROOT: '/srv/f',
    POOLGATE_FLEET_IMAGE_CACHE: '/c',
  });
  t.same(
    seven.hosts.map((h) => [h.name, h.role, h.address, h.machine]),
    [
      ['lb-1', 'lb', '127.1.7.1', 'poolgate-f7-lb-1'],
      ['standby-1', 'standby', '127.1.7.11', 'poolgate-f7-standby-1'],
      ['standby-2', 'standby', '127.1.7.12', 'poolgate-f7-standby-2'],
      ['primary-1', 'primary', '127.1.7.21', 'poolgate-f7-primary-1'],
      ['primary-2', 'primary', '127.1.7.22', 'poolgate-f7-primary-2'],
      ['db-1', 'db_primary', '127.1.7.31', 'poolgate-f7-db-1'],
      ['db-2', 'db_replica', '127.1.7.32', 'poolgate-f7-db-2'],
    ],
  );
  t.equal(seven.stateDir, '/srv/f/7');
  t.equal(seven.imageCacheDir, '/c');
  t.equal(seven.ssh.keyFile, '/srv/f/7/ssh/id_ed25519');
  t.equal(seven.haproxy.url, 'http://127.1.7.1');
  t.ok(
    seven.hosts.every((h) => h.root.startsWith('/srv/f/7/machines/')),
    'every machine under the state folder',
  );
  t.same(
    hostsOf(seven, 'db_primary', 'db_replica').map((h) => h.name),
    ['db-1', 'db-2'],
  );
});

t.test("no fleet address is ever one of the loopback lab's, on any pair of slots", async (t) => {
  const lab = new Set([0, 7, 250].flatMap((s) => [labConfig({ POOLGATE_LAB_SLOT: String(s) }).net]));
  for (const s of [0, 7, 250]) {
    const f = fleetConfig({ POOLGATE_FLEET_SLOT: String(s) });
    t.notOk(lab.has(f.net), `fleet slot ${s}: ${f.net}`);
    t.ok(f.hosts.every((h) => h.address.startsWith('127.1.')));
  }
});

t.test('a bad slot is bad input, named', async (t) => {
  for (const bad of ['x', '-1', '251', '1.5']) {
    t.throws(() => fleetConfig({ POOLGATE_FLEET_SLOT: bad }), InputError);
    t.throws(() => fleetConfig({ POOLGATE_FLEET_SLOT: bad }), /POOLGATE_FLEET_SLOT must be an integer from 0 to 250/);
  }
});
