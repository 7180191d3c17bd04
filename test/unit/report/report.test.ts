import t, { type Test } from 'tap';
import { resolveMonitorConfig } from '../../../scripts/lib/judge/monitor-defaults';
import { renderReport } from '../../../scripts/lib/judge/report-markdown';
import { buildReport, type ReportEvidence } from '../../../scripts/lib/judge/verification-report';
import { isValid, problemsOf } from '../../../scripts/lib/schema';
import type { AnalysisResult } from '../../../scripts/types/analysis-result';
import type { LoadtestResult } from '../../../scripts/types/loadtest-result';
import type { MonitorResult } from '../../../scripts/types/monitor-result';
import type { Plan } from '../../../scripts/types/plan';
import type { Snapshot } from '../../../scripts/types/snapshot';
import type { VerifyResult } from '../../../scripts/types/verify-result';

const stat = (max: number | null, mean = max) => ({ max, mean, last: max, measured_samples: max === null ? 0 : 13 });
const pool = (min: number, max: number) => ({
  min,
  max,
  idleTimeoutMillis: 30000,
  connectionTimeoutMillis: 2000,
  acquireTimeoutMillis: 10000,
});

/** A run where every criterion passes; each test breaks one thing. Only the fields the report reads are filled. */
function goodEvidence(): ReportEvidence {
  const plan = {
    operator: 'A. Engineer',
    change: { from: pool(10, 50), to: pool(20, 200) },
    targets: [{ name: 'p1', url: 'http://127.0.0.21:3000' }],
  } as Plan;
  const snapshot = {
    timestamp: '2026-02-01T02:00:00.000Z',
    operator: 'A. Engineer',
    instances: ['p1', 'p2'].map((name, k) => ({
      name,
      summary: {
        active_connections: 20,
        pool_utilization: 0.4 + k * 0.1,
        acquire_wait_p95_ms: 3,
        error_rate: 0.0005,
        error_rate_basis: 'window',
        latency_p95_ms: 120 + k,
        requests_per_s: 30,
      },
    })),
    database: { database: 'ledger', error: null, activity: { db_total: 44 } },
  } as unknown as Snapshot;
  const verify = {
    run: { started_at: '2026-02-01T02:20:00.000Z' },
    expected: { max: 200, min: 20 },
    instances: ['p1', 'p2'].map((name) => ({ name, pool_config: { pool: pool(20, 200) } })),
  } as unknown as VerifyResult;
  const loadtest = {
    requests: { sent: 500 },
    errors: { rate_pct: 0, by_kind: {} },
    latency_ms: { from_intended: { count: 500, p50: 12, p95: 40, p99: 80 } },
    pool: { instances: [{ acquire_timeouts_delta: 0 }] },
    load_level: { baseline: null, achieved_per_s: 60, ratio: null },
  } as unknown as LoadtestResult;
  const analysis = { verdict: 'PASS' } as AnalysisResult;
  const monitor: MonitorResult = {
    kind: 'monitor',
    started_at: '2026-02-01T02:30:00.000Z',
    ended_at: '2026-02-01T03:30:00.000Z',
    verdict: 'PASS',
    exit_code: 0,
    completed: true,
    message: 'PASS: no rollback trigger',
    config: { ...resolveMonitorConfig(), db_probe: true },
    targets: ['p1', 'p2'],
    samples: { total: 13, unmeasured: 0, dropped_intervals: 0 },
    alerts: { warning: 0, critical: 0, recent: [] },
    summary: {
      requests: 100000,
      errors: 20,
      error_rate: 0.0002,
      acquire_timeouts: 0,
      p95_ms: stat(180),
      pool_utilization: stat(0.35),
      acquire_wait_p95_ms: stat(2),
      active_connections: stat(60),
      db_backends: stat(70),
      new_backends_per_s: stat(0.2),
      db_cpu_pct: stat(35),
      pool_max: { p1: 200, p2: 200 },
    },
    files: { samples: 'monitor_samples.jsonl', alerts: 'alerts.log' },
  };
  return {
    plan,
    snapshot,
    verify,
    loadtest,
    analysis,
    monitor,
    inputs: [{ kind: 'monitor', file: 'monitor_20260201T023000Z.json', status: 'used', sha256: 'a'.repeat(64) }],
    operator: { name: 'A. Engineer', source: 'plan' },
    now: new Date('2026-02-01T03:31:00Z'),
    markdownFile: 'pool_scaling_verification_20260201T033100Z.md',
  };
}

/** Nothing of the runbook template may survive: no [VALUE], [NAME], [TIMESTAMP]; the only brackets are checkboxes. */
function assertNoPlaceholder(t: Test, md: string): void {
  t.notMatch(md, /VALUE|\[NAME\]|\[TIMESTAMP\]|\[RECORD/);
  t.same(md.match(/\[(?![ X]\])/g), null, 'every [ is a checkbox');
}

t.test('all eight criteria met: SUCCESS, exit 0, every template field filled', async (t) => {
  const r = buildReport(goodEvidence());
  t.ok(isValid('report', r), problemsOf('report', r).join('; '));
  t.equal(r.decision, 'SUCCESS');
  t.equal(r.exit_code, 0);
  t.equal(r.criteria.length, 8);
  t.same(
    r.criteria.map((c) => c.verdict),
    Array(8).fill('PASS'),
  );
  const md = renderReport(r);
  assertNoPlaceholder(t, md);
  t.match(md, /^# Database Pool Scaling Verification Report$/m);
  t.match(md, /\*\*Change\*\*: Database pool max 50 → 200 \(min 10 → 20\)/);
  t.match(
    md,
    /## Pre-Change Metrics\n- Pool utilization: 50%\n- Error rate: 0.05%\n- p95 latency: 121ms\n- Active connections: 44/,
  );
  t.match(
    md,
    /## Post-Change Metrics \(60 min sustained\)\n- Pool utilization: 35%\n- Error rate: 0.02%\n- p95 latency: 180ms\n- Active connections: 70/,
  );
  t.match(md, /- Requests: 500\n- p50 latency: 12ms\n- p95 latency: 40ms\n- p99 latency: 80ms\n- Error rate: 0%/);
  t.match(
    md,
    /- Load level: 60\.0 req\/s = 1\.00 × the baseline's 60\.0 req\/s \(pre-change snapshot 2026-02-01T02:00:00\.000Z\)/,
  );
  t.match(md, /- \[X\] SUCCESS - Proceed to Phase 2\n- \[ \] ROLLBACK - Investigate and retry/);
  t.match(md, /\*\*Signature\*\*: A. Engineer\n\*\*Timestamp\*\*: 2026-02-01T03:31:00.000Z/);
});

t.test("the report states the load test's level against the baseline's measured traffic", async (t) => {
  const low = goodEvidence();
  low.loadtest!.load_level.achieved_per_s = 0.833;
  const r = buildReport(low);
  t.ok(isValid('report', r), problemsOf('report', r).join('; '));
  t.match(r.loadtest, { rate_per_s: 0.833, baseline_rate_per_s: 60, load_vs_baseline: 0.014 });
  t.match(renderReport(r), /- Load level: 0\.8 req\/s = 0\.01 × the baseline's 60\.0 req\/s/);
  const given = goodEvidence();
  given.loadtest!.load_level = {
    baseline: { file: 'b.json', taken_at: '2026-02-01T01:59:00.000Z', requests_per_s: 120, instances: [] },
    achieved_per_s: 60,
    ratio: 0.5,
  };
  t.match(
    buildReport(given).loadtest,
    { baseline_rate_per_s: 120, load_vs_baseline: 0.5 },
    'the baseline the load test was given comes first',
  );
  const none = goodEvidence();
  none.snapshot = null;
  t.match(buildReport(none).loadtest, {
    baseline_rate_per_s: null,
    load_vs_baseline: null,
    load_level: /not compared with a baseline/,
  });
});

/** Break one criterion at a time: the decision is ROLLBACK and exactly that criterion fails. */
const breakers: [string, (e: ReportEvidence) => void][] = [
  ['pool_max', (e) => (e.verify!.instances[1]!.pool_config!.pool.max = 50)],
  ['pool_utilization', (e) => (e.monitor!.summary.pool_utilization = stat(0.7))],
  ['acquire_wait_p95', (e) => (e.monitor!.summary.acquire_wait_p95_ms = stat(10))],
  ['error_rate', (e) => (e.loadtest!.errors.rate_pct = 0.1)],
  ['p95_latency', (e) => (e.monitor!.summary.p95_ms = stat(500))],
  ['connection_timeouts', (e) => (e.monitor!.summary.acquire_timeouts = 1)],
  ['db_cpu', (e) => (e.monitor!.summary.db_cpu_pct = stat(90))],
  [
    'sustained',
    (e) =>
      Object.assign(e.monitor!, {
        verdict: 'FAIL',
        exit_code: 1,
        completed: false,
        trigger: {
          name: 'p95_latency_sustained',
          metric: 'p95_ms',
          subject: 'fleet',
          value: 1500,
          threshold: 1000,
          sustained_s: 300,
          run_samples: 2,
          run_span_s: 300,
          message: 'p95 over',
        },
      }),
  ],
];

for (const [id, breakIt] of breakers) {
  t.test(`criterion ${id} failing (at its limit: strict <) makes the decision ROLLBACK`, async (t) => {
    const e = goodEvidence();
    breakIt(e);
    const r = buildReport(e);
    t.ok(isValid('report', r), problemsOf('report', r).join('; '));
    t.equal(r.decision, 'ROLLBACK');
    t.equal(r.exit_code, 1);
    t.same(
      r.criteria.filter((c) => c.verdict !== 'PASS').map((c) => [c.id, c.verdict]),
      [[id, 'FAIL']],
    );
    const md = renderReport(r);
    assertNoPlaceholder(t, md);
    t.match(md, /- \[ \] SUCCESS - Proceed to Phase 2\n- \[X\] ROLLBACK - Investigate and retry/);
  });
}

t.test('missing evidence is COULD_NOT_MEASURE and the decision INCOMPLETE (exit 3), never SUCCESS', async (t) => {
  const e = goodEvidence();
  e.monitor = null;
  e.inputs = [{ kind: 'monitor', file: null, status: 'missing' }];
  const r = buildReport(e);
  t.equal(r.decision, 'INCOMPLETE');
  t.equal(r.exit_code, 3);
  const nm = r.criteria.filter((c) => c.verdict === 'COULD_NOT_MEASURE').map((c) => c.id);
  t.same(nm, ['pool_utilization', 'acquire_wait_p95', 'db_cpu', 'sustained']);
  const md = renderReport(r);
  assertNoPlaceholder(t, md);
  t.match(
    md,
    /Post-Change Metrics \(not monitored\) — COULD NOT MEASURE \(not measured: .*\)\n- Pool utilization: COULD NOT MEASURE/,
  );
  t.match(md, /INCOMPLETE \(treated as ROLLBACK/);
  t.match(md, /- \[X\] ROLLBACK/);
});

t.test('a monitor without a DB CPU source leaves "no DB CPU spike" unproven', async (t) => {
  const e = goodEvidence();
  e.monitor!.summary.db_cpu_pct = stat(null);
  const r = buildReport(e);
  t.equal(r.criteria.find((c) => c.id === 'db_cpu')!.verdict, 'COULD_NOT_MEASURE');
  t.equal(r.decision, 'INCOMPLETE');
});

t.test('a monitor that could not measure is not "sustained": INCOMPLETE, not SUCCESS', async (t) => {
  const e = goodEvidence();
  Object.assign(e.monitor!, {
    verdict: 'COULD_NOT_MEASURE',
    exit_code: 3,
    completed: false,
    message: 'could not measure p2',
  });
  const c = buildReport(e).criteria.find((x) => x.id === 'sustained')!;
  t.equal(c.verdict, 'COULD_NOT_MEASURE');
  t.match(c.shown, /could not measure p2/);
});

t.test('nothing at all: every value explicit, no placeholder', async (t) => {
  const r = buildReport({
    plan: null,
    snapshot: null,
    verify: null,
    loadtest: null,
    analysis: null,
    monitor: null,
    inputs: [],
    operator: { name: 'ops', source: 'os user' },
    now: new Date(0),
    markdownFile: 'x.md',
  });
  t.equal(r.decision, 'INCOMPLETE');
  t.ok(r.criteria.every((c) => c.verdict === 'COULD_NOT_MEASURE'));
  assertNoPlaceholder(t, renderReport(r));
  t.ok(isValid('report', r), problemsOf('report', r).join('; '));
});
