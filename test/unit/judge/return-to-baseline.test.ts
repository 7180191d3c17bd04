import t from 'tap';
import { baselineOf, judgeReturn, median, watchVerdictText } from '../../../scripts/lib/judge/return-to-baseline';
import { buildSample, initialState, type SamplerState } from '../../../scripts/lib/judge/sample';
import { withDefaults } from '../../../scripts/lib/schema-defaults';
import type { MonitorSample } from '../../../scripts/types/monitor-sample';
import type { RollbackConfig } from '../../../scripts/types/rollback-config';
import type { Snapshot } from '../../../scripts/types/snapshot';
import { metrics, T0, type MetricsOverrides } from './fixtures';

const tol = withDefaults<RollbackConfig>('rollback-config', {}).watch!.tolerance! as Parameters<typeof judgeReturn>[2];

/** The baseline: two instances at max 50 / min 10, p95 20 ms, 0.05 % errors, utilisation 10 %, 40 connections. */
const baseline = {
  error_rate: 0.0005,
  p95_ms: 20,
  pool_utilization: 0.1,
  acquire_wait_p95_ms: 1,
  db_connections: 40,
  pools: { a: { min: 10, max: 50 }, b: { min: 10, max: 50 } },
};

/** A watch every 10 s for 60 s: `at(s)` gives both instances' counters and figures at second s. */
function watch(at: (s: number) => MetricsOverrides & { backends?: number }): MonitorSample[] {
  let state: SamplerState = initialState(T0);
  const out: MonitorSample[] = [];
  for (let s = 0; s <= 60; s += 10) {
    const o = at(s);
    const m = (name: string) => {
      const x = metrics(name, { at: s, max: 50, ...o });
      x.pool.min = 10;
      return x;
    };
    const built = buildSample(state, {
      at_ms: T0 + s * 1000,
      instances: [
        { name: 'a', metrics: m('a') },
        { name: 'b', metrics: m('b') },
      ],
      db: { configured: true, backends: o.backends ?? 41, sessions: 100 + s },
      cpu: { configured: false },
      p0: { signalled: false },
    });
    state = built.state;
    out.push(built.sample);
  }
  return out;
}

t.test('back at baseline: every figure within tolerance after the settle time', async (t) => {
  // a slow first 20 s (the reload settling) is shown but not judged
  const samples = watch((s) => ({ total: s * 100, errors: 0, p95: s < 20 ? 900 : 22, utilization: 0.12 }));
  const r = judgeReturn(samples, baseline, tol, 20);
  t.equal(r.judged.length, 5, 'samples at 20..60 s');
  t.same(
    r.checks.map((c) => [c.id, c.verdict]),
    [
      ['pool', 'PASS'],
      ['error_rate', 'PASS'],
      ['p95_ms', 'PASS'],
      ['pool_utilization', 'PASS'],
      ['acquire_wait_p95_ms', 'PASS'],
      ['db_connections', 'PASS'],
    ],
  );
  t.equal(r.verdict, 'PASS');
  t.equal(watchVerdictText(r), 'PASS: back at baseline: every figure within its tolerance');
  t.match(r.checks.find((c) => c.id === 'p95_ms')!.shown, /^22ms \(baseline 20ms, ≤ 29ms\)$/, '20 × 1.2 + 5');
});

t.test("not back: p95 still high, or errors, or the pool is not the baseline's", async (t) => {
  const slow = judgeReturn(
    watch((s) => ({ total: s * 100, p95: 60 })),
    baseline,
    tol,
    20,
  );
  t.equal(slow.verdict, 'FAIL');
  t.match(
    watchVerdictText(slow),
    /^FAIL: NOT BACK AT BASELINE: p95 latency \(median of the samples\) 60ms \(baseline 20ms, ≤ 29ms\)$/,
  );
  const errors = judgeReturn(
    watch((s) => ({ total: s * 100, errors: s * 2 })),
    baseline,
    tol,
    20,
  );
  t.match(
    errors.checks.find((c) => c.id === 'error_rate'),
    { verdict: 'FAIL', shown: /^2% \(baseline 0\.05%, ≤ 0\.15%\)$/ },
  );
  const pool = judgeReturn(
    watch((s) => ({ total: s * 100, max: 200 })),
    baseline,
    tol,
    20,
  );
  t.match(pool.checks[0], { id: 'pool', verdict: 'FAIL', shown: /a max 200\/min 10/ });
  const conns = judgeReturn(
    watch((s) => ({ total: s * 100, backends: 85 })),
    baseline,
    tol,
    20,
  );
  t.match(
    conns.checks.find((c) => c.id === 'db_connections'),
    {
      verdict: 'FAIL',
      shown: '85 (baseline 40, 10–70)',
    },
    '40 ± (50 % + 10)',
  );
});

t.test('what cannot be compared is COULD_NOT_MEASURE, and so is the watch: never back at baseline', async (t) => {
  const quiet = judgeReturn(
    watch(() => ({ total: 0, count: 0 })),
    baseline,
    tol,
    20,
  );
  t.equal(quiet.verdict, 'COULD_NOT_MEASURE', 'no traffic in the watch: nothing to compare');
  t.match(
    quiet.checks.find((c) => c.id === 'error_rate')!.shown,
    /COULD NOT MEASURE \(no request in the judged samples\)/,
  );
  const noBase = judgeReturn(
    watch((s) => ({ total: s * 100 })),
    { ...baseline, p95_ms: null },
    tol,
    20,
  );
  t.match(
    noBase.checks.find((c) => c.id === 'p95_ms'),
    { verdict: 'COULD_NOT_MEASURE', shown: 'COULD NOT MEASURE (no baseline figure)' },
  );
  t.equal(median([3, null, 1, 2]), 2);
  t.equal(median([4, 1, 3, 2]), 2.5);
  t.equal(median([]), null);
});

t.test("the baseline is the snapshot's worst instance and every instance's pool", async (t) => {
  const inst = (name: string, p95: number | null, er: number) => ({
    name,
    url: 'http://x',
    error: null,
    pool_config: {
      instance: name,
      pool: { min: 10, max: 50, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
      source: '/x',
      sha256: 'a'.repeat(64),
      loaded_at: '2026-02-01T02:00:00Z',
      generation: 1,
      last_reload_error: null,
    },
    metrics: null,
    summary: {
      active_connections: 3,
      pool_utilization: 0.06,
      acquire_wait_p95_ms: 0.5,
      error_rate: er,
      error_rate_basis: 'window',
      latency_p95_ms: p95,
    },
  });
  const snap = {
    instances: [inst('a', 18, 0), inst('b', 25, 0.001)],
    database: {
      database: 'ledger',
      error: null,
      activity: { db_total: 42, db_by_state: {}, db_by_application: {}, server_total: 45 },
    },
  } as unknown as Snapshot;
  t.same(baselineOf(snap), {
    error_rate: 0.001,
    p95_ms: 25,
    pool_utilization: 0.06,
    acquire_wait_p95_ms: 0.5,
    db_connections: 42,
    pools: { a: { min: 10, max: 50 }, b: { min: 10, max: 50 } },
  });
});
