import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { EvidenceDir } from '../../../scripts/lib/evidence';
import { latestTrigger, timelineFrom, writeIncident } from '../../../scripts/lib/incident';
import { severityFor } from '../../../scripts/lib/trigger';
import { resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';

t.test('severity from the trigger', async (t) => {
  t.equal(severityFor('p0_incident'), 'P0');
  t.equal(severityFor('error_rate_sustained'), 'P1');
  t.equal(severityFor('p95_latency_sustained'), 'P1');
  t.equal(severityFor('verify_failed'), 'P1');
  t.equal(severityFor('monitoring_outage'), 'P2');
  t.equal(severityFor('preflight_failed'), 'P2');
});

t.test('the incident file and the rollback log line', async (t) => {
  const dir = t.testdir({
    'alerts.log':
      '2026-02-01T02:40:00.000Z CRITICAL metric=p95_ms value=1500ms threshold=1000ms instance=p1\n2026-02-01T02:40:00.000Z WARNING  metric=pool_utilization value=75% threshold=70% instance=p1\n',
  });
  const ev = new EvidenceDir(dir);
  const now = new Date('2026-02-01T02:45:00Z');
  const r = writeIncident(
    ev,
    {
      reason: 'p95 over 1 s\nfor 5 min',
      trigger: 'p95_latency_sustained',
      decision: 'ROLLBACK',
      actions: ['rolled back p1, p2'],
      notified: ['on-call'],
      operator: 'A. Engineer',
      now,
    },
    null,
  );
  t.equal(r.severity, 'P1');
  t.equal(path.relative(dir, r.file), 'incidents/20260201T024500Z_pool_scaling_incident.md');
  const md = fs.readFileSync(r.file, 'utf8');
  t.match(md, /\*\*Severity\*\*: P1/);
  t.match(md, /2026-02-01T02:40:00.000Z — CRITICAL alert: metric=p95_ms value=1500ms/);
  t.notMatch(md, /WARNING/, 'the timeline keeps critical alerts only');
  t.match(md, /## Actions taken\n- 2026-02-01T02:45:00.000Z — rolled back p1, p2/);
  t.match(md, /## Notified\n- on-call/);
  const log = fs.readFileSync(path.join(dir, 'rollback_log.txt'), 'utf8');
  t.equal(
    log,
    '2026-02-01T02:45:00.000Z Rollback reason: p95 over 1 s for 5 min (trigger: p95_latency_sustained, severity: P1, incident: incidents/20260201T024500Z_pool_scaling_incident.md)\n',
  );
  t.match(
    timelineFrom(dir)
      .map((e) => e.what)
      .join('\n'),
    /Rollback reason: p95 over 1 s/,
    'the log line joins the next timeline',
  );
});

t.test('the trigger a rescue omits comes from how the latest monitor run ended', async (t) => {
  const base = {
    kind: 'monitor',
    started_at: '2026-02-01T02:30:00.000Z',
    ended_at: '2026-02-01T02:31:00.000Z',
    completed: false,
  };
  const dir = t.testdir({});
  t.equal(latestTrigger(dir), null);
  const cfg = { ...resolveMonitorConfig(), db_probe: false };
  const stat = { max: null, mean: null, last: null, measured_samples: 0 };
  const common = {
    ...base,
    config: cfg,
    targets: ['p1'],
    samples: { total: 3, unmeasured: 3, dropped_intervals: 0 },
    alerts: { warning: 0, critical: 0, recent: [] },
    summary: {
      requests: 0,
      errors: 0,
      error_rate: null,
      acquire_timeouts: 0,
      p95_ms: stat,
      pool_utilization: stat,
      acquire_wait_p95_ms: stat,
      active_connections: stat,
      db_backends: stat,
      new_backends_per_s: stat,
      db_cpu_pct: stat,
      pool_max: {},
    },
    files: { samples: 'monitor_samples.jsonl', alerts: 'alerts.log' },
  };
  fs.writeFileSync(
    path.join(dir, 'monitor_20260201T023000Z.json'),
    JSON.stringify({
      ...common,
      verdict: 'COULD_NOT_MEASURE',
      exit_code: 3,
      message: 'could not measure p1 for 3 sample(s)',
      stop: { name: 'monitor_could_not_measure', severity: 'P2' },
    }),
  );
  t.same(latestTrigger(dir), { name: 'monitor_could_not_measure', message: 'could not measure p1 for 3 sample(s)' });
  const trigger = {
    name: 'p95_latency_sustained',
    metric: 'p95_ms',
    subject: 'fleet',
    value: 1500,
    threshold: 1000,
    sustained_s: 15,
    run_samples: 4,
    run_span_s: 15,
    message: 'p95 over',
  };
  fs.writeFileSync(
    path.join(dir, 'monitor_20260201T024000Z.json'),
    JSON.stringify({
      ...common,
      verdict: 'FAIL',
      message: 'FAIL: p95 over',
      stop: { name: 'p95_latency_sustained', severity: 'P1' },
      exit_code: 1,
      trigger,
    }),
  );
  t.same(latestTrigger(dir), { name: 'p95_latency_sustained', message: 'p95 over' }, 'the newest run wins');
});
