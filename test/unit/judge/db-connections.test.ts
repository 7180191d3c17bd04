import t from 'tap';
import { alertLine, alertsFor } from '../../../scripts/lib/judge/alerts';
import {
  dbConnectionsAlerts,
  dbConnectionsRange,
  resolveMonitorConfig,
} from '../../../scripts/lib/judge/monitor-defaults';
import { dbConnectionsLine, dbConnectionsSummary } from '../../../scripts/lib/judge/monitor-summary';
import { buildSample, initialState } from '../../../scripts/lib/judge/sample';
import { runMonitor, type MonitorIo } from '../../../scripts/lib/monitor-run';
import { renderReport } from '../../../scripts/lib/judge/report-markdown';
import { buildReport } from '../../../scripts/lib/judge/verification-report';
import { InputError } from '../../../scripts/lib/errors';
import { isValid, problemsOf } from '../../../scripts/lib/schema';
import type { MonitorResult } from '../../../scripts/types/monitor-result';
import type { MonitorSample } from '../../../scripts/types/monitor-sample';
import { metrics, T0 } from './fixtures';

/** One monitor sample whose database probe counted `backends` client backends (null: the probe failed). */
function sampleWith(backends: number | null, at = 0): MonitorSample {
  const { sample } = buildSample(initialState(T0), {
    at_ms: T0 + at * 1000,
    instances: [{ name: 'a', metrics: metrics('a', { at }) }],
    db:
      backends === null
        ? { configured: true, error: 'connection refused' }
        : { configured: true, backends, sessions: 1000 + at },
    cpu: { configured: false },
    p0: { signalled: false },
  });
  return sample;
}

t.test("the runbook's 20-60 is four instances' range, scaled linearly; a plan's range wins", async (t) => {
  t.same(dbConnectionsRange(undefined, 4), {
    min: 20,
    max: 60,
    basis: 'runbook 20-60 for 4 instances, scaled to 4 (5-15 each)',
  });
  t.same([dbConnectionsRange(undefined, 8).min, dbConnectionsRange(undefined, 8).max], [40, 120]);
  t.same([dbConnectionsRange(undefined, 2).min, dbConnectionsRange(undefined, 2).max], [10, 30]);
  t.same([dbConnectionsRange(undefined, 1).min, dbConnectionsRange(undefined, 1).max], [5, 15]);
  t.same(dbConnectionsRange({ min: 40, max: 240 }, 4), { min: 40, max: 240, basis: 'plan monitor.db_connections' });
  t.throws(() => dbConnectionsRange({ min: 70, max: 60 }, 4), InputError, 'min above max is bad input');
  const cfg = resolveMonitorConfig({}, { instances: 8 });
  t.same(
    cfg.alerts.filter((a) => a.metric === 'db_backends'),
    dbConnectionsAlerts({ min: 40, max: 120, basis: '' }),
    'the resolved config carries the range as two warning-level alert rules',
  );
  t.notOk(
    cfg.triggers.some((tr) => tr.metric === 'db_backends'),
    'never a rollback trigger',
  );
});

t.test('a count strictly outside the range is one WARNING; the edges are inside', async (t) => {
  const rules = dbConnectionsAlerts(dbConnectionsRange(undefined, 4));
  const at = (n: number | null) => alertsFor(sampleWith(n), rules);
  t.same(at(20), [], 'exactly 20: inside');
  t.same(at(60), [], 'exactly 60: inside');
  const high = at(61);
  t.same(
    high.map((a) => [a.level, a.metric, a.subject, a.value, a.threshold, a.direction]),
    [['warning', 'db_backends', 'fleet', 61, 60, undefined]],
  );
  t.match(alertLine(high[0]!), / WARNING  metric=db_backends value=61 threshold=60 instance=fleet$/);
  const low = at(19);
  t.same(
    low.map((a) => [a.level, a.value, a.threshold, a.direction]),
    [['warning', 19, 20, 'below']],
  );
  t.match(alertLine(low[0]!), / metric=db_backends value=19 threshold=<20 instance=fleet$/);
  t.same(at(null), [], 'a failed probe raises no alert (it is an unmeasured sample, handled by the outage policy)');
});

t.test('the run-wide verdict: PASS, WARN with the samples outside, COULD_NOT_MEASURE without a probe', async (t) => {
  const range = dbConnectionsRange(undefined, 4);
  const ok = dbConnectionsSummary([sampleWith(22), sampleWith(58, 5)], range);
  t.same([ok.verdict, ok.lowest, ok.highest, ok.outside_samples, ok.measured_samples], ['PASS', 22, 58, 0, 2]);
  t.equal(dbConnectionsLine(ok), '22–58 (range 20–60, runbook 20-60 for 4 instances, scaled to 4 (5-15 each)): PASS');
  const warn = dbConnectionsSummary(
    [sampleWith(81), sampleWith(84, 5), sampleWith(50, 10), sampleWith(null, 15)],
    range,
  );
  t.same(
    [warn.verdict, warn.lowest, warn.highest, warn.outside_samples, warn.measured_samples],
    ['WARN', 50, 84, 2, 3],
  );
  t.match(dbConnectionsLine(warn), /^50–84 \(range 20–60, .*\): WARN, 2\/3 samples outside$/);
  const none = dbConnectionsSummary([sampleWith(null)], range);
  t.equal(none.verdict, 'COULD_NOT_MEASURE', 'no count is never PASS');
});

t.test('monitoring judges the range on every sample, records it, and never rolls back for it', async (t) => {
  let now = T0;
  const io: MonitorIo = {
    fetchMetrics: async (target) => metrics(target.name, { at: (now - T0) / 1000, total: (now - T0) / 100 }),
    probeDb: async () => ({ backends: 84, sessions: 5000 }),
    p0: async () => ({ signalled: false }),
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    onSample: () => undefined,
  };
  const targets = ['s1', 's2', 'p1', 'p2'].map((name) => ({ name, url: 'http://127.0.0.1:1' }));
  const cfg = resolveMonitorConfig({ interval_s: 1, duration_s: 4 }, { instances: targets.length, sustained_s: 3 });
  const r = await runMonitor(cfg, targets, io, new AbortController().signal, true);
  t.equal(r.verdict, 'PASS', 'a warning is not a trigger');
  t.equal(r.alerts.warning, 5, 'one warning per sample');
  t.same(r.summary.db_connections, {
    min: 20,
    max: 60,
    basis: 'runbook 20-60 for 4 instances, scaled to 4 (5-15 each)',
    lowest: 84,
    highest: 84,
    measured_samples: 5,
    outside_samples: 5,
    verdict: 'WARN',
  });
  const full: MonitorResult = { ...r, files: { samples: 's', alerts: 'a' } };
  t.ok(isValid('monitor-result', full), problemsOf('monitor-result', full).join('; '));

  const report = buildReport({
    plan: null,
    snapshot: null,
    verify: null,
    loadtest: null,
    analysis: null,
    monitor: full,
    inputs: [],
    operator: { name: 'unit', source: 'test' },
    now: new Date(T0),
    markdownFile: 'pool_scaling_verification_x.md',
  });
  t.equal(report.db_connections?.verdict, 'WARN', 'the report carries the judged range');
  t.ok(isValid('report', report), problemsOf('report', report).join('; '));
  t.match(
    renderReport(report),
    /## Warnings \(alert levels: they never decide\)\n- Active DB connections \(runbook: 20-60 under normal load\) — 84 \(range 20–60, .*\): WARN, 5\/5 samples outside \(source: monitor\)/,
    'its own line in the Markdown report',
  );
});
