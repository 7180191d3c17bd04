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

t.test('a p95 regression in a window that holds the instance start is read again once warm', async (t) => {
  const warm = { warmup_s: 10, max_wait_s: 120 };
  const base = { latency_p95_ms: 4, error_rate: 0 };
  const cold = sample(30, 100, 0, 0);
  const coldRead = { ...cold.second!, uptime_s: 14, window_s: 60 };
  const [p95] = V.sampleItems({ ...cold, second: coldRead }, base, thresholds);
  t.match(p95, { id: 'p95:p1', verdict: 'FAIL', value: 30 }, 'the cold read regressed (+650 %)');
  t.equal(V.coldRegressionWait(coldRead, p95!, 500, warm), 56, 'until its 60 s window starts 10 s after its start');
  t.equal(V.coldRegressionWait({ ...coldRead, uptime_s: 70 }, p95!, 500, warm), null, 'a warm window: a regression');
  t.equal(V.coldRegressionWait({ ...coldRead, uptime_s: 71 }, p95!, 500, warm), null);
  t.equal(V.coldRegressionWait(coldRead, p95!, 500, { ...warm, max_wait_s: 55 }), null, 'further than max_wait_s');
  t.equal(V.coldRegressionWait(coldRead, p95!, 500, { ...warm, max_wait_s: 0 }), null, 'max_wait_s 0: never');
  t.equal(V.coldRegressionWait({ ...coldRead, window_s: undefined }, p95!, 500, warm), null, 'no window_s: unknown');
  t.equal(V.coldRegressionWait(coldRead, p95!, 25, warm), null, 'above the absolute limit: never excused');
  const [passed] = V.sampleItems({ ...cold, second: { ...coldRead, latency: { ...pct, p95: 5 } } }, base, thresholds);
  t.equal(V.coldRegressionWait(coldRead, passed!, 500, warm), null, 'a pass is not read again');

  const p95t = { ...thresholds, warmup_s: 10 };
  const warmRead = { ...coldRead, timestamp: '2026-02-01T02:01:06Z', uptime_s: 72, latency: { ...pct, p95: 4.4 } };
  t.match(
    V.warmP95Item('p1', p95!, coldRead, warmRead, base, p95t),
    {
      verdict: 'PASS',
      measured: '4.4 ms',
      value: 4.4,
      detail: 'judged on a warm window: at uptime 14 s its 60 s latency window held its start and read 30.0 ms',
    },
    'judged on the warm read, saying what the cold one was',
  );
  t.match(
    V.warmP95Item('p1', p95!, coldRead, { ...warmRead, latency: { ...pct, p95: 9 } }, base, p95t),
    {
      verdict: 'FAIL',
      value: 9,
      detail: /^regressed 125.00 % from 4.0 ms .*: roll back; judged on a warm window: at uptime 14 s/,
    },
    'still regressed once warm: a regression, roll back',
  );
  t.match(
    V.warmP95Item('p1', p95!, coldRead, { ...warmRead, uptime_s: 3 }, base, p95t),
    { verdict: 'FAIL', value: 30, detail: /read again once warm: at uptime 3 s its window still holds its first 10 s/ },
    'restarted meanwhile: the cold FAIL stands',
  );
  t.match(
    V.warmP95Item('p1', p95!, coldRead, 'no answer: connect ECONNREFUSED', base, p95t),
    { verdict: 'FAIL', value: 30, detail: /read again once warm: no answer: connect ECONNREFUSED$/ },
    'no warm read: the cold FAIL stands',
  );
});
