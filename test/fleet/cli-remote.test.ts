import t from 'tap';
import { hostsOf } from '../../lab/fleet/fleet-config';
import { adminSocketAddress } from '../../lab/fleet/status';
import { useFleet } from '../helpers/fleet';
import { appHosts, fleetSshArgs, lbUnixSocket } from '../helpers/fleet-rollout';
import { runPoolgate } from '../helpers/poolgate-cli';

/**
 * The standalone CLI reaches HAProxy on the fleet's lb-1 from the bastion, as an operator would in production:
 * through its TCP admin socket, or through the unix socket on lb-1 over SSH (the system ssh and Python 3 there).
 */
t.test('poolgate lb wait on a remote HAProxy', async (t) => {
  const fleet = await useFleet(t);
  const servers = appHosts(fleet).flatMap((s) => ['--server', s]);
  const wait = (socket: string, extra: string[] = []) =>
    runPoolgate(
      ['lb', 'wait', '--socket', socket, '--backend', fleet.haproxy.backend, ...servers, '--until', 'up', ...extra],
      60_000,
    );

  await t.test('through the TCP admin socket (tcp://host:port and ipv4@host:port)', async (t) => {
    const tcp = adminSocketAddress(fleet);
    for (const socket of [tcp, tcp.replace('tcp://', 'ipv4@')]) {
      const r = await wait(socket, ['--json']);
      t.equal(r.code, 0, `${socket}: exit 0`, { stderr: r.stderr });
      const out = JSON.parse(r.stdout) as { servers: Array<{ server: string; status: string }> };
      t.same(
        out.servers.map((s) => [s.server, s.status]),
        appHosts(fleet).map((n) => [n, 'UP']),
        'every server UP',
      );
    }
  });

  await t.test("through lb-1's unix socket over SSH (ssh+sudo://)", async (t) => {
    // = joins the value: it starts with a dash, which would read as the next option.
    const r = await wait(lbUnixSocket(fleet), [`--ssh-common-args=${fleetSshArgs(fleet)}`, '--json']);
    t.equal(r.code, 0, 'exit 0', { stderr: r.stderr });
    t.match(JSON.parse(r.stdout), { ok: true, servers: appHosts(fleet).map((server) => ({ server, status: 'UP' })) });
  });

  await t.test('could not measure (exit 3), never passed, naming what failed', async (t) => {
    const lb = hostsOf(fleet, 'lb')[0]!;
    const noSudo = await wait(`ssh://${fleet.ssh.user}@${lb.address}${fleet.haproxy.socket}`, [
      `--ssh-common-args=${fleetSshArgs(fleet)}`,
    ]);
    t.equal(noSudo.code, 3, 'a socket the SSH user may not open: exit 3');
    t.match(noSudo.stderr, /E_LB_UNREACHABLE: .*Permission denied/, 'it says why');
    const closed = await wait(`tcp://${lb.address}:1`);
    t.equal(closed.code, 3, 'a closed port: exit 3');
    t.match(closed.stderr, /E_LB_UNREACHABLE/, 'it names the socket');
    const noKey = await wait(`ssh://nobody@${lb.address}${fleet.haproxy.socket}`, [
      `--ssh-common-args=-o UserKnownHostsFile=${fleet.ssh.knownHosts} -o IdentitiesOnly=yes -i /dev/null`,
    ]);
    t.equal(noKey.code, 3, 'SSH refused: exit 3');
    t.match(noKey.stderr, /could not reach lb .* over SSH: .*Permission denied \(publickey\)/, 'it says SSH refused');
  });
});
