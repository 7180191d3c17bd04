import t from 'tap';
import {
  capacityFacts,
  isIdleInTransaction,
  serverFacts,
  summariseActivity,
  type Queryable,
} from '../../../scripts/lib/pg-probes';

/** A fake connection: answers each query by the first pattern it matches, and records the parameters. */
function fake(
  answers: [RegExp, Record<string, unknown>[]][],
): Queryable & { calls: { sql: string; params?: unknown[] }[] } {
  const calls: { sql: string; params?: unknown[] }[] = [];
  return {
    calls,
    async query<R>(sql: string, params?: unknown[]) {
      calls.push({ sql, params });
      const hit = answers.find(([re]) => re.test(sql));
      if (!hit) throw new Error(`unexpected query: ${sql}`);
      return { rows: hit[1] as R[] };
    },
  };
}

const groups = [
  { datname: 'ledger', state: 'idle', application_name: 'primary-1', count: 10 },
  { datname: 'ledger', state: 'active', application_name: 'primary-1', count: 2 },
  { datname: 'ledger', state: 'idle', application_name: 'cron', count: 3 },
  { datname: 'ledger', state: 'idle in transaction', application_name: '', count: 1 },
  { datname: 'other', state: 'idle', application_name: 'bi', count: 4 },
];

t.test('activity for the database: by state and by application, the server total apart', async (t) => {
  const a = summariseActivity(groups, 'ledger');
  t.equal(a.db_total, 16);
  t.equal(a.server_total, 20);
  t.same(a.db_by_state, { idle: 13, active: 2, 'idle in transaction': 1 });
  t.same(a.db_by_application, { 'primary-1': 12, cron: 3, '(none)': 1 });
});

t.test('PostgreSQL 15 has no reserved_connections: it counts as 0', async (t) => {
  const c = fake([
    [
      /server_version_num/,
      [
        {
          version_num: 150018,
          in_recovery: false,
          now: new Date(),
          max_connections: 100,
          superuser_reserved: 3,
          reserved: null,
        },
      ],
    ],
  ]);
  const s = await serverFacts(c);
  t.equal(s.reserved_connections, 0);
  t.equal(s.max_connections, 100);
});

t.test('capacity facts: other clients are everyone but the instances, plus this probe', async (t) => {
  const c = fake([
    [/FROM pg_roles/, [{ rolconnlimit: 500 }]],
    [/FROM pg_database/, [{ datconnlimit: -1 }]],
  ]);
  const server = {
    version_num: 160000,
    in_recovery: false,
    now: '',
    max_connections: 200,
    superuser_reserved_connections: 3,
    reserved_connections: 2,
  };
  const f = await capacityFacts(c, server, summariseActivity(groups, 'ledger'), {
    database: 'ledger',
    appUser: 'ledger_app',
    instanceNames: ['primary-1'],
  });
  t.equal(f.other_clients_now, 3 + 1 + 4 + 1, 'cron, the unnamed session, bi, and the probe itself');
  t.equal(f.other_clients_in_db_now, 3 + 1 + 1);
  t.equal(f.role_conn_limit, 500);
  t.equal(f.db_conn_limit, -1);
  t.equal(f.reserved_connections, 2);
  t.same(c.calls[0]!.params, ['ledger_app']);
});

t.test('idle in transaction includes "(aborted)", with the parentheses', async (t) => {
  t.ok(isIdleInTransaction('idle in transaction'));
  t.ok(isIdleInTransaction('idle in transaction (aborted)'));
  t.notOk(isIdleInTransaction('idle'));
  t.notOk(isIdleInTransaction('active'));
});
