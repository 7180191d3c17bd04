import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { request } from 'undici';
import { fleetQuery, useFleet } from '../helpers/fleet';

/**
 * db-1 and db-2 are a real primary and its streaming replica on two hosts: a row written on the primary (through
 * HAProxy and the service, as clients write) appears on the replica; the replica refuses writes; the roles are
 * what production's inventory expects.
 */
t.test('the replica streams: a row written on the primary appears on the replica', async (t) => {
  const fleet = await useFleet(t);
  const repl = await fleetQuery<{ application_name: string; state: string }>(
    fleet,
    'db-1',
    'monitor',
    'SELECT application_name, state FROM pg_stat_replication',
  );
  t.same(repl, [{ application_name: 'db-2', state: 'streaming' }], "db-1's pg_stat_replication shows db-2 streaming");

  const accounts = await fleetQuery<{ id: string }>(
    fleet,
    'db-1',
    'app',
    'SELECT id FROM accounts ORDER BY id LIMIT 2',
  );
  t.equal(accounts.length, 2, 'two accounts to post between');
  const amount = '1.23';
  const res = await request(`${fleet.haproxy.url}/api/journal-entries`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      memo: 'fleet replication test',
      lines: [
        { account_id: Number(accounts[0]!.id), debit: amount, credit: '0' },
        { account_id: Number(accounts[1]!.id), debit: '0', credit: amount },
      ],
    }),
  });
  const body = (await res.body.json()) as { id?: number };
  t.equal(res.statusCode, 201, 'the write through HAProxy is acknowledged');
  const id = body.id!;
  const deadline = Date.now() + 10_000;
  let seen: unknown[] = [];
  while (Date.now() < deadline) {
    seen = await fleetQuery(fleet, 'db-2', 'app', 'SELECT id FROM journal_entries WHERE id = $1', [id]);
    if (seen.length === 1) break;
    await sleep(100);
  }
  t.equal(seen.length, 1, `journal entry ${id} is on db-2`);
});

t.test('the replica is a hot standby: reads work, writes are refused', async (t) => {
  const fleet = await useFleet(t);
  const [row] = await fleetQuery<{ recovery: boolean }>(
    fleet,
    'db-2',
    'monitor',
    'SELECT pg_is_in_recovery() AS recovery',
  );
  t.equal(row!.recovery, true, 'db-2 is in recovery');
  await t.rejects(
    fleetQuery(fleet, 'db-2', 'app', "INSERT INTO journal_entries (memo) VALUES ('never')"),
    /read-only transaction/,
    'a write on db-2 is refused',
  );
});

t.test("the primary: max_connections for 4 × 200 plus a pool swap's overlap, pg_monitor for the monitor", async (t) => {
  const fleet = await useFleet(t);
  const [row] = await fleetQuery<{ max: string; monitor: boolean; recovery: boolean }>(
    fleet,
    'db-1',
    'monitor',
    "SELECT current_setting('max_connections') AS max, pg_has_role('pg_monitor', 'MEMBER') AS monitor, pg_is_in_recovery() AS recovery",
  );
  t.same(row, { max: String(fleet.pg.maxConnections), monitor: true, recovery: false });
  t.ok(fleet.pg.maxConnections >= 4 * 200 + 4 * 50, 'room for every instance at max 200 while old pools drain');
});
