import t from 'tap';
import { judge } from '../../../scripts/lib/criteria';
import { loadCriteria, runbookCriteria } from '../../../scripts/lib/criteria-load';
import { isValid } from '../../../scripts/lib/schema';
import { SchemaError } from '../../../scripts/lib/errors';
import { poolSample, sampleResult } from './sample-result';

const byId = (results: Array<{ id: string; verdict: string; value: number | null }>, id: string) =>
  results.find((r) => r.id === id)!;

t.test("the defaults are the runbook's Step 5", async (t) => {
  const c = runbookCriteria();
  t.match(c, {
    max_p50_ms: 200,
    max_p95_ms: 500,
    max_p99_ms: 1000,
    max_error_rate_pct: 0.1,
    max_pool_utilization_pct: 70,
    latency_view: 'intended',
  });
});

t.test('a healthy result passes every criterion', async (t) => {
  const result = sampleResult();
  t.ok(isValid('loadtest-result', result), 'the sample result is schema-valid');
  const j = judge(result, runbookCriteria());
  t.equal(j.verdict, 'PASS');
  t.same(
    j.results.map((r) => r.id),
    [
      'p50_latency',
      'p95_latency',
      'p99_latency',
      'error_rate',
      'dropped_sends',
      'load_level',
      'pool_utilization',
      'acquire_timeouts',
      'pool_exhaustion',
    ],
  );
  t.equal(byId(j.results, 'pool_utilization').value, 20);
});

const baseline = (rps: number) => ({
  file: 'pre_change_snapshot_20260201T020000Z.json',
  taken_at: '2026-02-01T02:00:00.000Z',
  requests_per_s: rps,
  instances: [
    { name: 'primary-1', requests_per_s: rps },
    { name: 'standby-1', requests_per_s: null },
  ],
});

t.test('load level: at or above the stated share of the baseline passes; below it warns, or fails', async (t) => {
  // The sample result sends 100 req/s.
  const at = judge(sampleResult({ baseline: baseline(100) }), runbookCriteria());
  t.match(byId(at.results, 'load_level'), { verdict: 'PASS', value: 100, threshold: 90, comparison: '>=' });
  t.match(byId(at.results, 'load_level'), { detail: /100\.0 req\/s = 1\.00 × the baseline's 100\.0 req\/s/ });
  const low = sampleResult({ baseline: baseline(1000) });
  const warned = judge(low, runbookCriteria());
  t.match(byId(warned.results, 'load_level'), { verdict: 'WARN', value: 10 });
  t.equal(warned.verdict, 'PASS', 'a warning alone does not fail the analysis');
  const failed = judge(low, loadCriteria({ flags: { load_below_baseline: 'fail' } }));
  t.equal(byId(failed.results, 'load_level').verdict, 'FAIL');
  t.equal(failed.verdict, 'FAIL', 'a load test at a tenth of normal traffic cannot pass as a test of the pool');
  const stricter = judge(
    sampleResult({ baseline: baseline(100) }),
    loadCriteria({ flags: { min_load_vs_baseline_pct: 150 } }),
  );
  t.equal(byId(stricter.results, 'load_level').verdict, 'WARN', 'the share is configurable');
});

t.test('load level without a baseline: a warning, or could not measure when a low load must fail', async (t) => {
  const none = judge(sampleResult(), runbookCriteria());
  t.match(byId(none.results, 'load_level'), { verdict: 'WARN', value: null, detail: /not compared with a baseline/ });
  const strict = judge(sampleResult(), loadCriteria({ flags: { load_below_baseline: 'fail' } }));
  t.equal(byId(strict.results, 'load_level').verdict, 'COULD_NOT_MEASURE');
  t.equal(strict.verdict, 'COULD_NOT_MEASURE', 'never passed');
  const quiet = judge(
    sampleResult({ baseline: baseline(0) }),
    loadCriteria({ flags: { load_below_baseline: 'fail' } }),
  );
  t.match(byId(quiet.results, 'load_level'), { verdict: 'PASS', detail: /no traffic to compare with/ });
});

t.test('limits are strict ("p95 < 500ms"): exactly at the limit fails, just under passes', async (t) => {
  // The histogram reports the top of a value's bucket (0.1 % resolution: 500 ms reads 500.223 ms), so a
  // limit is compared with what the result file says, never with a rounded-down value.
  const result = sampleResult({ latencyMs: 500 });
  const p95 = result.latency_ms.from_intended.p95;
  t.ok(p95 >= 500 && p95 < 500.5, `p95 ${p95} ms`);
  const at = judge(result, { ...runbookCriteria(), max_p50_ms: 1000, max_p95_ms: p95 });
  t.equal(byId(at.results, 'p95_latency').verdict, 'FAIL');
  t.equal(byId(at.results, 'p95_latency').value, p95);
  t.equal(at.verdict, 'FAIL');
  const under = judge(result, { ...runbookCriteria(), max_p50_ms: 1000, max_p95_ms: p95 + 0.001 });
  t.equal(byId(under.results, 'p95_latency').verdict, 'PASS');
  t.equal(
    byId(judge(result, runbookCriteria()).results, 'p95_latency').verdict,
    'FAIL',
    "500 ms against the runbook's < 500 ms",
  );
});

t.test('error rate: 1 in 1000 (= 0.1 %) fails, 1 in 1001 passes', async (t) => {
  t.equal(byId(judge(sampleResult({ n: 1000, errors: 1 }), runbookCriteria()).results, 'error_rate').verdict, 'FAIL');
  t.equal(byId(judge(sampleResult({ n: 1001, errors: 1 }), runbookCriteria()).results, 'error_rate').verdict, 'PASS');
  t.equal(byId(judge(sampleResult({ n: 1000, errors: 0 }), runbookCriteria()).results, 'error_rate').value, 0);
});

t.test('pool utilisation 70 % fails (the runbook says < 70 %)', async (t) => {
  const at70 = sampleResult({ samples: [poolSample(0, 0), poolSample(1, 35_000)] });
  t.equal(byId(judge(at70, runbookCriteria()).results, 'pool_utilization').verdict, 'FAIL');
  const below = sampleResult({ samples: [poolSample(0, 0), poolSample(1, 34_900)] });
  t.equal(byId(judge(below, runbookCriteria()).results, 'pool_utilization').verdict, 'PASS');
  const sampledHigh = sampleResult({ samples: [poolSample(0, 0), poolSample(1, 1000, { utilization: 0.8 })] });
  t.equal(
    byId(judge(sampledHigh, runbookCriteria()).results, 'pool_utilization').value,
    80,
    'the higher of the two measures is judged',
  );
});

t.test('pool exhaustion: sustained waiting, a full pool, or acquire timeouts', async (t) => {
  const waiting = (n: number) => Array.from({ length: n }, (_, i) => poolSample(i, i * 1000, { waiting: 2 }));
  const two = judge(sampleResult({ samples: [...waiting(2), poolSample(2, 2000)] }), runbookCriteria());
  t.equal(
    byId(two.results, 'pool_exhaustion').verdict,
    'PASS',
    'waiting in 2 consecutive samples is not sustained (3 needed)',
  );
  const three = judge(sampleResult({ samples: waiting(3) }), runbookCriteria());
  t.equal(byId(three.results, 'pool_exhaustion').verdict, 'FAIL');
  const full = judge(
    sampleResult({ samples: [poolSample(0, 0), poolSample(1, 1000, { utilization: 1 })] }),
    runbookCriteria(),
  );
  t.equal(byId(full.results, 'pool_exhaustion').verdict, 'FAIL');
  const timeouts = judge(
    sampleResult({ samples: [poolSample(0, 0), poolSample(1, 1000, { acquireTimeouts: 1 })] }),
    runbookCriteria(),
  );
  t.equal(byId(timeouts.results, 'acquire_timeouts').verdict, 'FAIL');
  t.equal(byId(timeouts.results, 'acquire_timeouts').value, 1);
  t.equal(byId(timeouts.results, 'pool_exhaustion').verdict, 'FAIL');
});

t.test('no pool samples: could not measure (never passed), or skipped when not required', async (t) => {
  const j = judge(sampleResult({ samples: null }), runbookCriteria());
  t.equal(byId(j.results, 'pool_utilization').verdict, 'COULD_NOT_MEASURE');
  t.equal(j.verdict, 'COULD_NOT_MEASURE');
  const skipped = judge(sampleResult({ samples: null }), loadCriteria({ flags: { require_pool_metrics: false } }));
  t.equal(byId(skipped.results, 'pool_utilization').verdict, 'SKIPPED');
  t.equal(skipped.verdict, 'PASS');
  const blind = judge(sampleResult({ samples: [poolSample(0, 0, { ok: false })] }), runbookCriteria());
  t.equal(blind.verdict, 'COULD_NOT_MEASURE', 'an instance with no reading at all is unmeasured');
});

t.test('a failure outranks an unmeasured criterion', async (t) => {
  t.equal(judge(sampleResult({ samples: null, latencyMs: 600 }), runbookCriteria()).verdict, 'FAIL');
});

t.test('a target that never answered: every criterion could not be measured, none failed', async (t) => {
  const result = sampleResult({ n: 0 });
  result.outcome.target_reachable = false;
  result.outcome.stop_reason = 'unreachable';
  result.requests.dropped = 10;
  const j = judge(result, runbookCriteria());
  t.equal(j.verdict, 'COULD_NOT_MEASURE');
  t.ok(j.results.every((r) => r.verdict === 'COULD_NOT_MEASURE'));
});

t.test('nothing answered: latency could not be measured', async (t) => {
  const j = judge(sampleResult({ n: 0 }), runbookCriteria());
  t.equal(byId(j.results, 'p95_latency').verdict, 'COULD_NOT_MEASURE');
  t.equal(byId(j.results, 'error_rate').verdict, 'COULD_NOT_MEASURE');
});

t.test('criteria layers: flags over file over plan over defaults, each validated', async (t) => {
  const dir = t.testdir({
    'c.json': JSON.stringify({ max_p95_ms: 300, max_p99_ms: 800 }),
    'bad.json': JSON.stringify({ max_p95: 1 }),
  });
  const c = loadCriteria({
    plan: { max_p95_ms: 400, max_p50_ms: 100 },
    file: `${dir}/c.json`,
    flags: { max_p99_ms: 900 },
  });
  t.match(c, { max_p50_ms: 100, max_p95_ms: 300, max_p99_ms: 900, max_error_rate_pct: 0.1 });
  t.throws(() => loadCriteria({ file: `${dir}/bad.json`, flags: {} }), SchemaError);
  t.throws(() => loadCriteria({ flags: { max_p95_ms: -1 } }), /max_p95_ms/);
});
