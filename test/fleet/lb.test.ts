import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { request } from 'undici';
import { hostsOf } from '../../lab/fleet/fleet-config';
import { adminSocketAddress } from '../../lab/fleet/status';
import { haproxyCommand, parseShowStat } from '../../scripts/lib/haproxy-socket';
import { fleetQuery, freezeHost, sshOn, useFleet } from '../helpers/fleet';

/**
 * lb-1 runs HAProxy as production's load balancer: its admin-level runtime API is a unix socket on the lb host
 * (nowhere else) and a TCP socket on lb-1's address, the backend's servers are the inventory names with the
 * standbys as backups, and every server is UP.
 */
const showInfo = (socket: string): string =>
  `sudo -n python3 -c 'import socket; s = socket.socket(socket.AF_UNIX); s.connect("${socket}"); ` +
  `s.sendall(b"show info\\n"); print(s.makefile().read())'`;

t.test("HAProxy's admin socket is on the lb host only", async (t) => {
  const fleet = await useFleet(t);
  for (const h of fleet.hosts) {
    const r = await sshOn(fleet, h.name, `test -S ${fleet.haproxy.socket}; echo $?`);
    t.equal(
      r.stdout.trim(),
      h.role === 'lb' ? '0' : '1',
      `${h.name}: ${fleet.haproxy.socket} ${h.role === 'lb' ? 'is there' : 'is not'}`,
    );
  }
  const info = await sshOn(fleet, 'lb-1', showInfo(fleet.haproxy.socket));
  t.match(info.stdout, /^Name: HAProxy$/m, 'on lb-1 it answers the runtime API');
  const level = await sshOn(fleet, 'lb-1', showInfo(fleet.haproxy.socket).replace('show info', 'show cli level'));
  t.match(level.stdout, /admin/, 'at admin level');
});

t.test('the TCP admin socket on lb-1 sees every app host, standbys as backups, all UP', async (t) => {
  const fleet = await useFleet(t);
  const socket = adminSocketAddress(fleet);
  t.match(socket, new RegExp(`^tcp://${fleet.host('lb-1').address.replace(/\./g, '\\.')}:`), "on lb-1's own address");
  t.match(await haproxyCommand(socket, 'show cli level'), /admin/, 'admin level');
  const rows = parseShowStat(await haproxyCommand(socket, 'show stat')).filter(
    (r) => r.pxname === fleet.haproxy.backend && !['FRONTEND', 'BACKEND'].includes(r.svname),
  );
  t.same(
    rows
      .map((r) => ({ name: r.svname, backup: r.bck === 1, status: r.status }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    hostsOf(fleet, 'standby', 'primary')
      .map((h) => ({ name: h.name, backup: h.role === 'standby', status: 'UP' }))
      .sort((a, b) => a.name.localeCompare(b.name)),
  );
});

t.test('a POST that reached a hung server is not sent again; a GET is retried on another server', async (t) => {
  const fleet = await useFleet(t);
  const hung = 'primary-1';
  const accounts = await fleetQuery<{ id: string }>(
    fleet,
    'db-1',
    'app',
    'SELECT id FROM accounts ORDER BY id LIMIT 2',
  );
  const tag = `fleet-l7-retry-${Date.now()}`;
  const post = (i: number): Promise<number> =>
    request(`${fleet.haproxy.url}/api/journal-entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({
        memo: `${tag} #${i}`,
        lines: [
          { account_id: Number(accounts[0]!.id), debit: '1.00', credit: '0' },
          { account_id: Number(accounts[1]!.id), debit: '0', credit: '1.00' },
        ],
      }),
      headersTimeout: 60_000,
    }).then(async (r) => (await r.body.dump(), r.statusCode));
  const get = (): Promise<number> =>
    request(`${fleet.haproxy.url}/api/accounts`, { headers: { connection: 'close' }, headersTimeout: 60_000 }).then(
      async (r) => (await r.body.dump(), r.statusCode),
    );
  // Every process of primary-1 stops: its kernel still accepts connections, nothing answers (HAProxy's health
  // check takes it out within a second; the requests sent before that wait for `timeout server`).
  freezeHost(fleet, hung, true);
  t.teardown(() => freezeHost(fleet, hung, false));
  const answers = await Promise.all([...[0, 1, 2, 3].map(post), ...[0, 1, 2, 3].map(get)]);
  freezeHost(fleet, hung, false);
  const posts = answers.slice(0, 4);
  t.same(answers.slice(4), [200, 200, 200, 200], 'every GET answered 200 (the ones on the hung server retried)');
  t.ok(posts.includes(504), `a POST sent to the hung server failed instead of being sent again (${posts.join(', ')})`);
  t.ok(
    posts.every((s) => s === 201 || s === 504),
    'every POST was either acknowledged or failed at the timeout',
  );
  // Thawed, primary-1 may still commit the POST it held: at most once, never twice.
  await sleep(2000);
  const rows = await fleetQuery<{ memo: string; n: string }>(
    fleet,
    'db-1',
    'app',
    'SELECT memo, count(*) AS n FROM journal_entries WHERE memo LIKE $1 GROUP BY memo',
    [`${tag} %`],
  );
  t.same(
    rows.filter((r) => r.n !== '1'),
    [],
    'no journal entry was written twice',
  );
  const acknowledged = posts.map((s, i) => (s === 201 ? `${tag} #${i}` : null)).filter(Boolean);
  t.same(
    acknowledged.filter((m) => !rows.some((r) => r.memo === m)),
    [],
    'every acknowledged POST is in the database',
  );
});
