import t from 'tap';
import { describeRunLength, expectedRunLength } from '../../../scripts/lib/run-length';
import type { Plan } from '../../../scripts/types/plan';

const from = { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 };
const target = (name: string, i: number) => ({ name, url: `http://127.0.0.${i + 11}:3000` });
const targets: Plan['targets'] = [
  target('standby-1', 0),
  target('standby-2', 1),
  target('primary-1', 2),
  target('primary-2', 3),
];
const plan = (over: Partial<Plan> = {}): Plan => ({
  change: { from, to: { ...from, min: 20, max: 200 } },
  targets,
  ...over,
});

t.test(
  "the runbook's run: windows, 4 hosts, 10-min load test, 60-min monitoring, a 10-min rollback, its 15-min watch",
  async (t) => {
    const r = expectedRunLength(plan());
    t.same(
      r.parts.map((p) => [p.what, p.s]),
      [
        ['preflight', 60],
        ['4 targets × 2m', 480],
        ['verify', 130],
        ['load test', 610],
        ['monitoring', 3600],
        ['one rollback', 600],
        ['its watch', 900],
      ],
      'preflight counts its backup command timeout (60 s, pgbackrest by default), which runs beside its 10 s window; ' +
        'verify its 10 s window and the 120 s it may wait to judge a cold p95 again',
    );
    t.equal(r.total_s, 6380);
    t.equal(
      describeRunLength(r),
      '107m (preflight 1m + 4 targets × 2m 8m + verify 130s + load test 610s + monitoring 1h + one rollback 10m + its watch 15m)',
    );
  },
);

t.test('each configured figure moves the length: the lab-sized plan', async (t) => {
  const r = expectedRunLength(
    plan({
      preflight: { window_s: 5, backup: { source: 'file', file: '/x' }, change_window: { per_host_s: 30 } },
      verify: { window_s: 5, warm_latency: { max_wait_s: 20 } },
      loadtest: { requests: 100, duration: '5s', concurrency: 10 },
      monitor: { interval_s: 1, duration_s: 8, triggers: [] },
      rollback: { max_s: 120, watch: { duration_s: 20, interval_s: 1, settle_s: 5 } },
    }),
  );
  t.same(
    r.parts.map((p) => p.s),
    [5, 120, 25, 15, 8, 120, 20],
  );
  t.equal(r.total_s, 313);
});
