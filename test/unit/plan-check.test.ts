import path from 'node:path';
import t from 'tap';
import { errorsOf, planProblems, poolConfigProblems, warningsOf } from '../../scripts/lib/plan-check';
import { packageRoot } from '../../scripts/lib/paths';
import type { Plan } from '../../scripts/types/plan';

const from = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const to = { ...from, min: 20, max: 200 };
const plan = (over: Partial<Plan> = {}): Plan => ({
  change: { from, to },
  targets: [
    { name: 'standby-1', url: 'http://127.0.0.11:3000', role: 'standby' },
    { name: 'primary-1', url: 'http://127.0.0.21:3000', role: 'primary' },
  ],
  ...over,
});

void t.test('the runbook change passes', async (t) => {
  t.same(errorsOf(planProblems(plan())), []);
  t.same(warningsOf(planProblems(plan())), []);
});

void t.test('min > max is refused, naming the field', async (t) => {
  const errors = errorsOf(planProblems(plan({ change: { from, to: { ...to, min: 300 } } })));
  t.equal(errors.length, 1);
  t.match(errors[0]!.message, /change\.to\.min 300 is greater than to\.max 200/);
});

void t.test('a target named twice is refused', async (t) => {
  const twice = plan({
    targets: [
      { name: 'p', url: 'http://127.0.0.1:1' },
      { name: 'p', url: 'http://127.0.0.1:2' },
    ],
  });
  t.match(
    errorsOf(planProblems(twice)).map((e) => e.message),
    [/"p" appears twice/],
  );
});

void t.test('a pool config file: min <= max and acquire >= connection timeout', async (t) => {
  t.same(errorsOf(poolConfigProblems(to)), []);
  t.match(
    errorsOf(poolConfigProblems({ ...to, min: 201 })).map((e) => e.rule),
    ['min<=max'],
  );
  t.match(
    errorsOf(poolConfigProblems({ ...to, acquireTimeoutMillis: 1000 })).map((e) => e.rule),
    ['acquire>=connection timeout'],
  );
});

void t.test('the database CPU is read on a host the plan knows how to reach', async (t) => {
  const monitor = { db_cpu: { host: 'db-1', pid_file: '/var/lib/postgresql/15/main/postmaster.pid' } };
  t.match(
    errorsOf(planProblems(plan({ monitor }))).map((e) => e.message),
    [/monitor\.db_cpu\.host "db-1" is not in hosts/],
  );
  t.same(errorsOf(planProblems(plan({ monitor, hosts: { 'db-1': { connection: 'ssh', address: '10.0.0.5' } } }))), []);
});

void t.test(
  "the backup tool's listing runs on a host the plan knows how to reach, for a source that has one",
  async (t) => {
    const onDb = { source: 'pgbackrest' as const, host: 'db-1' };
    const messages = (p: Plan): string[] => errorsOf(planProblems(p)).map((e) => e.message);
    t.match(messages(plan({ preflight: { backup: onDb } })), [
      /^preflight\.backup\.host is db-1, which the plan's hosts do not name/,
    ]);
    t.same(
      messages(plan({ preflight: { backup: onDb }, hosts: { 'db-1': { connection: 'ssh', address: '10.0.0.5' } } })),
      [],
    );
    t.match(messages(plan({ preflight: { backup: { source: 'file', file: '/x', host: 'db-1' } } })), [
      /backup\.host runs the backup tool's listing on that host: it applies to pgbackrest, wal_g, barman and command, not to file/,
    ]);
    t.match(messages(plan({ preflight: { backup: { source: 'command' } } })), [
      /source is "command" but .*command is not set/,
    ]);
  },
);

void t.test("the load test's scenario is checked before any host is touched", async (t) => {
  const ledger = path.join(packageRoot, 'lab', 'scenarios', 'ledger.yml');
  const messages = (p: Plan): string[] => errorsOf(planProblems(p)).map((e) => e.message);
  t.same(
    messages(plan({ loadtest: { scenario: ledger, allow_writes: true } })),
    [],
    'the lab scenario, writes allowed',
  );
  t.match(messages(plan({ loadtest: { requests: 500 } })), [/^loadtest\.scenario: missing/]);
  t.match(messages(plan({ loadtest: { scenario: '/nonexistent.yml' } })), [/cannot read scenario \/nonexistent\.yml/]);
  t.match(
    messages(plan({ loadtest: { scenario: ledger }, lb: { socket: 's', backend: 'b', url: 'http://lb:80' } })),
    [/journal-entry \(POST \/api\/journal-entries\) — and the target http:\/\/lb:80 is not marked as allowing writes/],
    'writes without allow_writes',
  );
  t.same(
    messages(plan({ loadtest: { scenario: ledger, mix: { balance: 1, accounts: 1 } } })),
    [],
    'a mix that leaves the writes out',
  );
  t.same(messages(plan()), [], 'a plan without a load test needs no scenario');
});
