import t from 'tap';
import type { InstanceSample } from '../../../scripts/lib/metrics-sampler';
import { summariseLog } from '../../../scripts/lib/log-scan';
import * as V from '../../../scripts/lib/verify-items';

const thresholds = {
  max_p95_ms: 500,
  max_p95_regression: 0.2,
  min_regression_ms: 5,
  max_error_rate_spike: 0.01,
  max_pool_churn_per_s: 5,
};
const pct = { count: 100, p50: 5, p95: 10, p99: 20, max: 30 };
function sample(p95: number, requests: number, errors: number, churn: number): InstanceSample {
  const m = {
    timestamp: '2026-02-01T02:00:10Z',
    instance: 'p1',
    pid: 1,
    uptime_s: 10,
    requests: { total: requests, errors, in_flight: 0 },
    latency: { ...pct, p95 },
    pool: {
      max: 200,
      min: 20,
      total: 20,
      idle: 20,
      active: 0,
      waiting: 0,
      utilization: 0,
      acquire_wait_ms: pct,
      acquires: 0,
      hold_ms_sum: 0,
      acquire_timeouts: 0,
      connects: 0,
      disconnects: 0,
      errors: 0,
      generation: 2,
    },
  };
  return {
    name: 'p1',
    url: 'http://p1',
    first: m,
    second: m,
    error: null,
    rates: {
      usable: true,
      interval_s: 10,
      requests,
      errors,
      error_rate: requests ? errors / requests : null,
      requests_per_s: requests / 10,
      connects: churn * 5,
      disconnects: churn * 5,
      churn_per_s: churn,
      acquire_timeouts: 0,
      pool_errors: 0,
    },
  };
}
const by = (items: ReturnType<typeof V.sampleItems>, prefix: string) => items.find((i) => i.id.startsWith(prefix))!;

t.test(
  'latency regression: exactly +20 % passes, above fails, unless it adds less than min_regression_ms',
  async (t) => {
    const base = { latency_p95_ms: 100, error_rate: 0 };
    t.equal(by(V.sampleItems(sample(120, 100, 0, 0), base, thresholds), 'p95').verdict, 'PASS', '+20 % exactly');
    t.equal(by(V.sampleItems(sample(120.1, 100, 0, 0), base, thresholds), 'p95').verdict, 'FAIL', '+20.1 %');
    t.equal(
      by(V.sampleItems(sample(3, 100, 0, 0), { latency_p95_ms: 2, error_rate: 0 }, thresholds), 'p95').verdict,
      'PASS',
      '2 → 3 ms is +50 % but only 1 ms: noise',
    );
    t.equal(
      by(V.sampleItems(sample(500, 100, 0, 0), null, thresholds), 'p95').verdict,
      'FAIL',
      'at 500 ms without a baseline',
    );
  },
);

t.test('error rate spike: baseline + 1 % passes, more fails', async (t) => {
  const base = { latency_p95_ms: 10, error_rate: 0.001 };
  t.equal(
    by(V.sampleItems(sample(10, 1000, 11, 0), base, thresholds), 'error_rate').verdict,
    'PASS',
    '1.1 % = 0.1 % + 1 %',
  );
  t.equal(by(V.sampleItems(sample(10, 1000, 12, 0), base, thresholds), 'error_rate').verdict, 'FAIL', '1.2 %');
  t.equal(by(V.sampleItems(sample(10, 0, 0, 0), base, thresholds), 'error_rate').verdict, 'WARN', 'no traffic');
});

t.test('thrashing: pool churn at the limit passes, above fails and says why', async (t) => {
  t.equal(by(V.sampleItems(sample(10, 10, 0, 5), null, thresholds), 'thrashing').verdict, 'PASS');
  const over = by(V.sampleItems(sample(10, 10, 0, 5.1), null, thresholds), 'thrashing');
  t.equal(over.verdict, 'FAIL');
  t.match(over.detail, /connection thrashing/);
  const swapped = sample(10, 10, 0, 8);
  swapped.first = { ...swapped.first!, pool: { ...swapped.first!.pool, generation: 1 } };
  const during = by(V.sampleItems(swapped, null, thresholds), 'thrashing');
  t.equal(during.verdict, 'WARN', 'a reload inside the window explains the churn: not judged');
  t.match(during.detail, /generation 1 → 2/);
  t.equal(V.newBackendsItem(30, 3, 10).verdict, 'PASS', '10/s at the limit');
  t.equal(V.newBackendsItem(31, 3, 10).verdict, 'FAIL');
});

t.test('pool in force: every expected key, and a failed reload fails', async (t) => {
  const cfg = (max: number, err: null | { message: string; at: string } = null) => ({
    instance: 'p1',
    pool: { min: 20, max, idleTimeoutMillis: 30000, connectionTimeoutMillis: 2000, acquireTimeoutMillis: 10000 },
    source: '/x',
    sha256: 'a'.repeat(64),
    loaded_at: '2026-02-01T02:00:00Z',
    generation: 2,
    last_reload_error: err,
    reloading: false,
  });
  t.equal(V.poolItem('p1', { max: 200, min: 20 }, cfg(200), null).verdict, 'PASS');
  const wrong = V.poolItem('p1', { max: 200, min: 20 }, cfg(50), null);
  t.equal(wrong.verdict, 'FAIL');
  t.match(wrong.detail, /max on p1 is 50, expected 200/);
  t.equal(
    V.poolItem('p1', { max: 200 }, cfg(200, { message: 'min > max', at: '2026-02-01T02:01:00Z' }), null).verdict,
    'FAIL',
  );
  t.equal(V.poolItem('p1', { max: 200 }, null, 'ECONNREFUSED').verdict, 'COULD_NOT_MEASURE');
});

t.test('db connections: inside the range passes, above fails, below warns by default', async (t) => {
  t.equal(V.connectionsItem(20, { min: 20, max: 40 }, 'warn', 'instances').verdict, 'PASS');
  t.equal(V.connectionsItem(40, { min: 20, max: 40 }, 'warn', 'instances').verdict, 'PASS');
  t.equal(V.connectionsItem(41, { min: 20, max: 40 }, 'warn', 'instances').verdict, 'FAIL');
  t.equal(V.connectionsItem(19, { min: 20, max: 40 }, 'warn', 'instances').verdict, 'WARN');
  t.equal(V.connectionsItem(19, { min: 20, max: 40 }, 'fail', 'instances').verdict, 'FAIL');
});

t.test('log lines: only error lines at or after `since` count', async (t) => {
  const text = [
    JSON.stringify({ ts: '2026-02-01T01:59:59.999Z', level: 'error', event: 'query failed' }),
    JSON.stringify({ ts: '2026-02-01T02:00:00.000Z', level: 'info', event: 'pool swapped', from: 50, to: 200 }),
    JSON.stringify({ ts: '2026-02-01T02:00:01.000Z', level: 'error', event: 'acquire timeout' }),
    JSON.stringify({ time: 1769911202000, level: 50, msg: 'pino error' }),
    'not json',
  ].join('\n');
  const s = summariseLog('p1', '/log', text, new Date('2026-02-01T02:00:00Z'), 20);
  t.equal(s.error_lines, 2, 'the 01:59:59 error is older than since');
  t.equal(s.pool_lines, 1);
  t.equal(s.unparsed, 1);
  t.match(s.last[0]!.msg, /pool swapped \{"from":50,"to":200\}/);
  t.equal(V.logItem(s).verdict, 'FAIL');
  t.equal(V.logItem(summariseLog('p1', '/log', text, new Date('2026-02-01T03:00:00Z'), 20)).verdict, 'PASS');
});
