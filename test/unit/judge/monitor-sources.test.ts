import t from 'tap';
import { resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';
import { describeMissing, missingSources } from '../../../scripts/lib/monitor-sources';

void t.test("the runbook's triggers need a DB CPU source, the database and a P0 signal", async (t) => {
  const missing = missingSources(resolveMonitorConfig({}), { database: false, cpu: false });
  t.same(missing.map((m) => `${m.source} for ${m.needed_by}`).sort(), [
    'database for db_connection_thrashing',
    'db_cpu for db_cpu_sustained',
    'p0 for p0_incident',
  ]);
  t.match(describeMissing(missing.find((m) => m.source === 'db_cpu')!), /pool_scaling_monitor\.db_cpu/);
  t.match(describeMissing(missing.find((m) => m.source === 'p0')!), /pool_scaling_monitor\.p0/);
});

void t.test('every source there: nothing missing; a trigger list without db_cpu needs no CPU source', async (t) => {
  t.same(missingSources(resolveMonitorConfig({ p0: { file: '/run/P0' } }), { database: true, cpu: true }), []);
  const noCpu = resolveMonitorConfig({
    p0: { url: 'http://127.0.0.1:1/p0' },
    triggers: [{ name: 'e', metric: 'error_rate', above: 0.01, sustained_s: 0 }],
  });
  t.same(missingSources(noCpu, { database: false, cpu: false }), []);
});

void t.test('db_cpu.host comes with a pid file; a command line source replaces the configured one', async (t) => {
  t.throws(() => resolveMonitorConfig({ db_cpu: { host: 'db-1' } }), /give pid_file too/);
  const cfg = resolveMonitorConfig({ db_cpu: { host: 'db-1', pid_file: '/p' } }, { db_cpu_pid_file: '/here' });
  t.same(cfg.db_cpu, { pid_file: '/here' });
});
