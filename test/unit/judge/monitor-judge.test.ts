import t from 'tap';
import { alertLine, alertsFor } from '../../../scripts/lib/judge/alerts';
import { RUNBOOK_ALERTS, resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';
import { judgeMonitor } from '../../../scripts/lib/judge/monitor-judge';
import { buildSample, initialState, type Observation, type SamplerState } from '../../../scripts/lib/judge/sample';
import { summarise } from '../../../scripts/lib/judge/monitor-summary';
import { InputError } from '../../../scripts/lib/errors';
import type { MonitorSample } from '../../../scripts/types/monitor-sample';
import { metrics, T0, type MetricsOverrides } from './fixtures';

const off = { db: { configured: false }, cpu: { configured: false }, p0: { signalled: false } };

/** Samples every 60 s for one instance "a"; undefined = unreachable. */
function samplesOf(rounds: (MetricsOverrides | undefined)[], p0At?: number): MonitorSample[] {
  let state: SamplerState = initialState(T0);
  return rounds.map((o, k) => {
    const at = k * 60;
    const obs: Observation = {
      at_ms: T0 + at * 1000,
      instances: [o ? { name: 'a', metrics: metrics('a', { at, ...o }) } : { name: 'a', error: 'ECONNREFUSED' }],
      ...off,
      ...(p0At === k ? { p0: { signalled: true, source: 'file /tmp/p0' } } : {}),
    };
    const r = buildSample(state, obs);
    state = r.state;
    return r.sample;
  });
}

/** Judge after every sample, as the monitor does; the first non-continue judgement, with its sample index. */
function firstVerdict(samples: MonitorSample[], cfg = resolveMonitorConfig()) {
  for (let i = 0; i < samples.length; i++) {
    const j = judgeMonitor(samples.slice(0, i + 1), cfg);
    if (j.state !== 'continue') return { at: i, j };
  }
  return { at: -1, j: judgeMonitor(samples, cfg) };
}

const steady = (n: number, o: (k: number) => MetricsOverrides) => Array.from({ length: n }, (_, k) => o(k));

t.test('p95 > 1 s on every sample for 5 minutes fires p95_latency_sustained, not before', async (t) => {
  const s = samplesOf(steady(8, (k) => ({ total: k * 100, p95: k >= 1 ? 1500 : 100 })));
  const v = firstVerdict(s);
  t.equal(v.at, 6, 'breaches at 1..6 min: the run spans 300 s at the sample of minute 6');
  t.equal(v.j.state, 'triggered');
  if (v.j.state === 'triggered') {
    t.equal(v.j.trigger.name, 'p95_latency_sustained');
    t.equal(v.j.trigger.run_span_s, 300);
    t.match(v.j.trigger.message, /p95_ms on fleet is 1500ms > 1000ms, sustained 5m/);
  }
});

t.test('p95 exactly 1000 ms for an hour never fires', async (t) => {
  t.equal(firstVerdict(samplesOf(steady(61, (k) => ({ total: k * 100, p95: 1000 })))).j.state, 'continue');
});

t.test('error rate 1.2 % sustained fires error_rate_sustained; 1 % exactly does not', async (t) => {
  const over = firstVerdict(samplesOf(steady(10, (k) => ({ total: k * 1000, errors: k * 12 }))));
  t.equal(over.j.state === 'triggered' && over.j.trigger.name, 'error_rate_sustained');
  t.equal(over.at, 6, 'the first sample has no rate; breaches from minute 1 span 5 min at minute 6');
  t.equal(firstVerdict(samplesOf(steady(10, (k) => ({ total: k * 1000, errors: k * 10 })))).j.state, 'continue');
});

t.test('a restart in the middle of a breach run drops that interval and restarts the run', async (t) => {
  const rounds = steady(9, (k) => ({ total: k * 1000, errors: k * 20 }));
  rounds[4] = { pid: 2, uptime: 1, total: 10, errors: 0 };
  for (let k = 5; k < 9; k++)
    rounds[k] = { pid: 2, uptime: (k - 4) * 60, total: 10 + (k - 4) * 1000, errors: (k - 4) * 20 };
  const s = samplesOf(rounds);
  t.equal(s[4]!.instances[0]!.rate_why, 'reset');
  t.equal(firstVerdict(s).j.state, 'continue', 'breaches at 1-3 and 5-8 min: neither run spans 5 min');
});

t.test('connection thrashing per instance fires connection_thrashing', async (t) => {
  const s = samplesOf(steady(8, (k) => ({ total: k * 100, connects: 20 + k * 600, disconnects: k * 600 })));
  const v = firstVerdict(s);
  t.equal(v.j.state === 'triggered' && v.j.trigger.name, 'connection_thrashing');
  t.equal(v.j.state === 'triggered' && v.j.trigger.subject, 'a');
});

t.test('a P0 signal fires at once, whatever the metrics', async (t) => {
  const v = firstVerdict(
    samplesOf(
      steady(5, (k) => ({ total: k * 100 })),
      2,
    ),
  );
  t.equal(v.at, 2);
  t.equal(v.j.state === 'triggered' && v.j.trigger.name, 'p0_incident');
});

t.test('outage policy fail: the first unmeasured sample is could-not-measure, never passed', async (t) => {
  const cfg = resolveMonitorConfig({ outage: { policy: 'fail' } });
  const v = firstVerdict(samplesOf([{ total: 0 }, { total: 100 }, undefined, { total: 300 }]), cfg);
  t.equal(v.at, 2);
  t.equal(v.j.state, 'could_not_measure');
  if (v.j.state === 'could_not_measure') t.same(v.j.outage.what, ['a']);
});

t.test('outage policy ignore_until: gaps below the limit pass, the limit is could-not-measure', async (t) => {
  const cfg = resolveMonitorConfig({ outage: { policy: 'ignore_until', max_consecutive_unmeasured: 3 } });
  const brief = samplesOf([{ total: 0 }, undefined, undefined, { total: 300 }, { total: 400 }]);
  t.equal(firstVerdict(brief, cfg).j.state, 'continue', 'two gaps in a row are tolerated');
  const long = samplesOf([{ total: 0 }, undefined, undefined, undefined, { total: 400 }]);
  const v = firstVerdict(long, cfg);
  t.equal(v.at, 3);
  t.equal(v.j.state, 'could_not_measure');
});

t.test('outage policy rollback: the limit fires monitoring_outage (exit 1), explicitly', async (t) => {
  const cfg = resolveMonitorConfig({ outage: { policy: 'rollback', max_consecutive_unmeasured: 2 } });
  const v = firstVerdict(samplesOf([{ total: 0 }, undefined, undefined]), cfg);
  t.equal(v.j.state === 'triggered' && v.j.trigger.name, 'monitoring_outage');
});

t.test('alerts: runbook levels, strict >, one alert per metric and subject at its worst level', async (t) => {
  const [s] = samplesOf([{ utilization: 0.9, p95: 1000.5 }]);
  const alerts = alertsFor(s!, RUNBOOK_ALERTS);
  t.same(
    alerts.map((a) => [a.level, a.metric, a.subject, a.threshold]),
    [
      ['critical', 'pool_utilization', 'a', 0.85],
      ['critical', 'p95_ms', 'a', 1000],
    ],
  );
  t.match(
    alertLine(alerts[0]!),
    /^2026-02-01T02:00:00.000Z CRITICAL metric=pool_utilization value=90% threshold=85% instance=a$/,
  );
  t.same(
    alertsFor(samplesOf([{ utilization: 0.7, p95: 1000 }])[0]!, RUNBOOK_ALERTS),
    [],
    'exactly at 70 % and 1 s: no alert',
  );
  t.same(
    alertsFor(samplesOf([{ utilization: 0.71 }])[0]!, RUNBOOK_ALERTS).map((a) => a.level),
    ['warning'],
  );
});

t.test('config: defaults are the runbook, flags override, contradictions are bad input', async (t) => {
  const d = resolveMonitorConfig();
  t.equal(d.interval_s, 300);
  t.equal(d.duration_s, 3600);
  t.equal(d.triggers.find((x) => x.name === 'error_rate_sustained')!.above, 0.01);
  const lab = resolveMonitorConfig({}, { interval_s: 1, duration_s: 20, sustained_s: 3 });
  t.ok(lab.triggers.every((x) => x.sustained_s === 3));
  t.throws(() => resolveMonitorConfig({}, { interval_s: 10, duration_s: 5 }), InputError);
  t.throws(
    () => resolveMonitorConfig({}, { interval_s: 1, duration_s: 60 }),
    /p95_latency_sustained \(sustained 300s\).*can never fire within duration 60s/,
  );
  t.throws(() => resolveMonitorConfig({}, { db_cpu_command: 'x', db_cpu_pid_file: 'y' }), InputError);
  t.throws(
    () =>
      resolveMonitorConfig({
        triggers: [{ name: 'x', metric: 'db_cpu_pct', scope: 'each_instance', above: 1, sustained_s: 1 }],
      }),
    InputError,
  );
});

t.test('summary: run-wide error rate is Σerrors/Σrequests; pool max per instance', async (t) => {
  const sum = summarise(samplesOf(steady(4, (k) => ({ total: k * 1000, errors: k, utilization: 0.1 * k }))));
  t.equal(sum.requests, 3000);
  t.equal(sum.error_rate, 3 / 3000);
  t.equal(sum.pool_utilization.max, 0.30000000000000004);
  t.same(sum.pool_max, { a: 200 });
});
