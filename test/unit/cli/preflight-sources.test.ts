import t from 'tap';
import type { CommonInputs } from '../../../scripts/lib/command-inputs';
import { MeasureError } from '../../../scripts/lib/errors';
import type { LogSummary } from '../../../scripts/lib/log-scan';
import { sourceItems } from '../../../scripts/lib/preflight-sources';
import type { HostRunner } from '../../../scripts/lib/ssh';
import type { Plan } from '../../../scripts/types/plan';

const from = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const summary = (name: string): LogSummary => ({
  name,
  path: 'journalctl -u ledger.service',
  since: null,
  lines_read: 3,
  unparsed: 0,
  pool_lines: 0,
  error_lines: 0,
  last: [],
  last_errors: [],
  truncated: false,
});

/** What sourceItems reads of a command's inputs: the plan, the database, the logs, a runner for the hosts. */
function inputs(
  plan: Partial<Plan>,
  opts: { database?: boolean; runner?: HostRunner; logs?: string[] } = {},
): CommonInputs {
  const targets = [
    { name: 'standby-1', url: 'http://127.0.0.11:3000' },
    { name: 'primary-1', url: 'http://127.0.0.21:3000' },
  ];
  const logs = Object.fromEntries((opts.logs ?? []).map((n) => [n, { journal: 'ledger.service' }]));
  return {
    plan: { change: { from, to: { ...from, max: 200 } }, targets, ...plan },
    targets,
    database: opts.database === false ? null : { host: 'db', port: 5432, database: 'ledger', user: 'm' },
    logs,
    hosts: {},
    runner: opts.runner ?? { run: async () => '', close: async () => undefined },
    readLog: async (name: string) => {
      if (name === 'primary-1')
        throw new MeasureError(
          'reading the journal of ledger.service: could not reach primary-1 over SSH: Connection refused',
        );
      return summary(name);
    },
  } as unknown as CommonInputs;
}

void t.test('production with nothing configured: each missing source FAILs naming what to set', async (t) => {
  const items = await sourceItems(inputs({}, { database: false }), new Date());
  const failed = items.filter((i) => i.verdict === 'FAIL');
  t.same(failed.map((i) => i.id).sort(), [
    'source:database',
    'source:db_cpu',
    'source:log:primary-1',
    'source:log:standby-1',
    'source:p0',
  ]);
  t.match(items.find((i) => i.id === 'source:db_cpu')?.detail, /pool_scaling_monitor\.db_cpu/);
  t.match(items.find((i) => i.id === 'source:p0')?.detail, /pool_scaling_monitor\.p0/);
  t.match(items.find((i) => i.id === 'source:log:standby-1')?.detail, /pool_instance_journal_unit/);
});

void t.test('configured sources are read once: a host that does not answer is COULD_NOT_MEASURE', async (t) => {
  const runner: HostRunner = {
    run: async () => {
      throw new MeasureError(
        "reading the postmaster's CPU: could not reach db-1 (deploy@10.0.2.11) over SSH: timed out",
      );
    },
    close: async () => undefined,
  };
  const dir = t.testdir({});
  const items = await sourceItems(
    inputs(
      {
        monitor: {
          db_cpu: { host: 'db-1', pid_file: '/var/lib/postgresql/15/main/postmaster.pid' },
          p0: { file: `${dir}/P0` },
        },
      },
      { runner, logs: ['standby-1', 'primary-1'] },
    ),
    new Date(),
  );
  const by = Object.fromEntries(items.map((i) => [i.id, i]));
  t.match(by['source:db_cpu'], { verdict: 'COULD_NOT_MEASURE', detail: /could not reach db-1/ });
  t.match(by['source:p0'], { verdict: 'PASS', measured: /no P0/ });
  t.match(by['source:log:standby-1'], { verdict: 'PASS' });
  t.match(by['source:log:primary-1'], { verdict: 'COULD_NOT_MEASURE', detail: /could not reach primary-1/ });
});

void t.test('an open P0 refuses the change', async (t) => {
  const dir = t.testdir({ P0: 'incident 42\n' });
  const items = await sourceItems(
    inputs({ monitor: { p0: { file: `${dir}/P0` }, db_cpu: { command: 'echo 12' } } }),
    new Date(),
  );
  t.match(
    items.find((i) => i.id === 'source:p0'),
    { verdict: 'FAIL', measured: 'P0 open' },
  );
  t.match(
    items.find((i) => i.id === 'source:db_cpu'),
    { verdict: 'PASS' },
  );
});

void t.test('no plan (a standalone preflight): nothing to check here', async (t) => {
  t.same(await sourceItems({ ...inputs({}), plan: null } as CommonInputs, new Date()), []);
});
