import path from 'node:path';
import t from 'tap';
import { snapshotMoments } from '../../../scripts/lib/html-report/moments';
import { readRunEvidence } from '../../../scripts/lib/html-report/run-evidence';
import { buildCharts, cutChart } from '../../../scripts/lib/html-report/series';
import { symlogTicks } from '../../../scripts/lib/html-report/chart-spec';

const fixture = (name: string) => path.join(__dirname, '..', '..', 'fixtures', 'evidence-run', name);

t.test('a real successful run: every declared series of every chart has points, from the right evidence', async (t) => {
  const ev = readRunEvidence(fixture('success'));
  const charts = buildCharts(ev);
  t.same(
    charts.map((c) => c.id),
    ['latency', 'error_rate', 'pool_utilization', 'db_connections', 'acquire_wait'],
  );
  for (const c of charts) {
    const drawn = new Set(c.rows.map((r) => r.series));
    for (const s of c.series) t.ok(drawn.has(s), `${c.id}: ${s} has points`);
  }
  const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
  t.same(byId.pool_utilization!.series, ['standby-1', 'standby-2', 'primary-1', 'primary-2']);
  // The monitor's fleet p95, one point per sample that measured one.
  const monitorP95 = byId.latency!.rows.filter((r) => r.source === 'monitor' && r.series === 'p95');
  t.equal(monitorP95.length, ev.samples.filter((s) => s.fleet.p95_ms !== null).length);
  t.ok(monitorP95.length >= 10, 'the 60 s lab monitor sampled every 5 s');
  // The load test's p99 is a segment over its span, at the value it recorded.
  const lt = byId.latency!.rows.filter((r) => r.source === 'loadtest' && r.series === 'p99');
  t.same(
    lt.map((r) => r.t),
    [Date.parse(ev.loadtest!.started_at), Date.parse(ev.loadtest!.finished_at)],
  );
  t.equal(lt[0]!.value, Number(ev.loadtest!.latency_ms.from_intended.p99.toFixed(4)));
});

t.test('thresholds: the success criteria and the monitor rules in force, merged where they coincide', async (t) => {
  const charts = Object.fromEntries(buildCharts(readRunEvidence(fixture('success'))).map((c) => [c.id, c]));
  t.same(
    charts.latency!.rules.map((r) => [r.value, r.level]),
    [
      [500, 'success'],
      [1000, 'trigger'],
    ],
  );
  t.match(charts.latency!.rules[1]!.label, /critical > 1000 ms.*rollback > 1000 ms/);
  t.same(
    charts.pool_utilization!.rules.map((r) => [r.value, r.level]),
    [
      [70, 'warning'],
      [85, 'critical'],
    ],
  );
  t.match(charts.pool_utilization!.rules[0]!.label, /success < 70 %.*warning > 70 %/);
  t.same(
    charts.error_rate!.rules.map((r) => r.value),
    [0.1, 0.5, 1],
  );
  t.same(
    charts.acquire_wait!.rules.map((r) => r.value),
    [10],
  );
  t.same(
    charts.db_connections!.rules.map((r) => r.value),
    [80, 160],
    'the verify range',
  );
});

t.test('a rolled-back run draws what it measured and nothing else', async (t) => {
  const charts = buildCharts(readRunEvidence(fixture('rollback')));
  t.notOk(charts.some((c) => c.rows.some((r) => r.source === 'monitor' || r.source === 'loadtest')));
  t.ok(charts.find((c) => c.id === 'latency')!.rows.some((r) => r.source === 'verify'));
});

t.test('cutting a chart at a moment keeps only what was measured by then', async (t) => {
  const [latency] = buildCharts(readRunEvidence(fixture('success')));
  const mid = (latency!.rows[0]!.t + latency!.rows[latency!.rows.length - 1]!.t) / 2;
  const cut = cutChart(latency!, mid);
  t.ok(cut.rows.length > 0 && cut.rows.length < latency!.rows.length);
  t.ok(cut.rows.every((r) => r.t <= mid));
  t.same(cut.rules, latency!.rules);
});

t.test(
  'the runbook moments scale to the monitor duration; a stopped monitor does not reach the later ones',
  async (t) => {
    const ev = readRunEvidence(fixture('success'));
    const m = ev.monitor!;
    const start = Date.parse(m.started_at);
    const moments = snapshotMoments(m);
    t.same(
      moments.map((x) => [x.runbook, x.fraction, x.reached]),
      [
        ['15 min', 0.25, true],
        ['30 min', 0.5, true],
        ['60 min', 1, true],
      ],
    );
    t.equal(moments[0]!.at, start + 0.25 * m.config.duration_s * 1000);
    t.equal(moments[2]!.at, Math.max(start + m.config.duration_s * 1000, Date.parse(m.ended_at)));
    const stopped = {
      ...m,
      completed: false,
      ended_at: new Date(start + 0.4 * m.config.duration_s * 1000).toISOString(),
    };
    t.same(
      snapshotMoments(stopped).map((x) => x.reached),
      [true, false, false],
    );
    t.same(snapshotMoments(null), []);
  },
);

t.test('symlog ticks run 1-2-5 from the constant to past the top', async (t) => {
  t.same(symlogTicks(1, 1000), [0, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]);
  t.same(symlogTicks(0.1, 3), [0, 0.1, 0.2, 0.5, 1, 2, 5]);
});
