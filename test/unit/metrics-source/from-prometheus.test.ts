import t from 'tap';
import { MeasureError } from '../../../scripts/lib/errors';
import { instantQuery, windowQuery } from '../../../scripts/lib/metrics-source/from-prometheus';
import { SERIES } from '../../../scripts/lib/metrics-source/figures';
import type { VectorSample } from '../../../scripts/lib/metrics-source/promql';
import { readMetrics } from '../../../scripts/lib/metrics-source/read-metrics';
import type { MetricsSource } from '../../../scripts/lib/metrics-source/source';
import { isValid } from '../../../scripts/lib/schema';

const NOW = new Date('2026-11-30T18:00:00.000Z');
const source: MetricsSource = { kind: 'prometheus', url: 'http://prom:9090', window_s: 30 };
const sel = '{instance="primary-1"}';

const scalars: Record<string, number> = {
  [SERIES.requestsTotal]: 1234,
  [SERIES.requestErrors]: 2,
  [SERIES.inFlight]: 1,
  [SERIES.pid]: 4242,
  [SERIES.startTime]: NOW.getTime() / 1000 - 600.5,
  [SERIES.max]: 50,
  [SERIES.min]: 10,
  [SERIES.total]: 12,
  [SERIES.idle]: 9,
  [SERIES.active]: 3,
  [SERIES.waiting]: 0,
  [SERIES.utilization]: 0.06,
  [SERIES.generation]: 1,
  [SERIES.acquires]: 5000,
  [SERIES.holdSeconds]: 61.2345,
  [SERIES.acquireTimeouts]: 0,
  [SERIES.connects]: 12,
  [SERIES.disconnects]: 0,
  [SERIES.poolErrors]: 0,
};

const w = (h: string, f: string, value: number): VectorSample => ({ metric: { h, f }, value });
const WINDOWS: VectorSample[] = [
  w('latency', 'count', 299.6),
  w('latency', 'p50', 0.0031),
  w('latency', 'p95', 0.0215),
  w('latency', 'p99', 0.08),
  w('latency', 'max', 0.1),
  // acquire waits: nothing observed in the window (PromQL answers NaN quantiles, a 0 count)
  w('acquireWait', 'count', 0),
  w('acquireWait', 'p50', NaN),
  w('acquireWait', 'p95', NaN),
  w('acquireWait', 'p99', NaN),
  w('acquireWait', 'max', NaN),
];

/** A fake Prometheus: canned answers per query text; records every query and its evaluation time. */
function fakeProm(over: Record<string, VectorSample[]> = {}, drop: string[] = []) {
  const asked: Array<{ q: string; time: number }> = [];
  const answers: Record<string, VectorSample[]> = {
    [instantQuery('instance', 'primary-1')]: [
      ...Object.entries(scalars)
        .filter(([n]) => !drop.includes(n))
        .map(([n, v]) => ({ metric: { __name__: n, instance: 'primary-1', job: 'poolgate' }, value: v })),
      // histogram series come along with the selector and must be ignored
      {
        metric: { __name__: 'poolgate_service_request_duration_seconds_bucket', le: '0.1', instance: 'primary-1' },
        value: 9,
      },
      {
        metric: { __name__: 'poolgate_service_request_duration_seconds_bucket', le: '+Inf', instance: 'primary-1' },
        value: 10,
      },
    ],
    [windowQuery(sel, 30)]: WINDOWS,
    ...over,
  };
  return {
    asked,
    query: async (q: string, time: number): Promise<VectorSample[]> => {
      asked.push({ q, time });
      const a = answers[q];
      if (!a) throw new Error(`unexpected query ${q}`);
      return a;
    },
  };
}

t.test('a ServiceMetrics document from PromQL answers', async (t) => {
  const p = fakeProm();
  const doc = await readMetrics({ name: 'primary-1', url: 'http://10.0.0.1:3000' }, source, {
    query: p.query,
    now: () => NOW,
  });
  t.ok(isValid('service-metrics', doc), 'valid against service-metrics.schema.json');
  t.equal(doc.timestamp, NOW.toISOString());
  t.equal(doc.instance, 'primary-1');
  t.equal(doc.pid, 4242);
  t.equal(doc.uptime_s, 600.5, 'evaluation time minus the start-time gauge');
  t.equal(doc.window_s, 30);
  t.same(doc.requests, { total: 1234, errors: 2, in_flight: 1 });
  t.same(
    doc.latency,
    { count: 300, p50: 3.1, p95: 21.5, p99: 80, max: 100 },
    'seconds to ms; increase() rounded to a count',
  );
  t.same(doc.pool.acquire_wait_ms, { count: 0, p50: 0, p95: 0, p99: 0, max: 0 }, 'an empty window is zeros');
  t.equal(doc.pool.hold_ms_sum, 61234.5);
  t.equal(doc.pool.max, 50);
  t.equal(doc.pool.utilization, 0.06);
  t.equal(p.asked.length, 2, "one instant query for every counter and gauge, one for both histograms' windows");
  t.ok(
    p.asked.every((a) => a.time === NOW.getTime() / 1000),
    'every query evaluated at the same instant',
  );
  t.match(
    p.asked[1]!.q,
    'label_replace(label_replace(histogram_quantile(0.95, sum by (le) (rate(poolgate_service_request_duration_seconds_bucket{instance="primary-1"}[30s]))), "h", "latency", "", ""), "f", "p95", "", "")',
  );
});

t.test('the instance label is configurable and quoted', async (t) => {
  const asked: string[] = [];
  await readMetrics(
    { name: 'a"b', url: 'http://x' },
    { ...source, kind: 'prometheus', label: 'service' },
    {
      query: async (q) => (asked.push(q), []),
      now: () => NOW,
    },
  ).catch(() => undefined);
  t.ok(asked.includes('{__name__=~"poolgate_(service|pool)_.+",service="a\\"b"}'), asked[0]);
});

t.test('what Prometheus cannot answer is could-not-measure', async (t) => {
  const target = { name: 'primary-1', url: 'http://x' };
  const none = fakeProm({ [instantQuery('instance', 'primary-1')]: [] });
  await t.rejects(
    readMetrics(target, source, { query: none.query, now: () => NOW }),
    /no poolgate series .*labelled instance="primary-1"/,
  );
  const noPid = fakeProm({}, [SERIES.pid]);
  await t.rejects(
    readMetrics(target, source, { query: noPid.query, now: () => NOW }),
    /no value for poolgate_service_pid/,
  );
  const twice = fakeProm({ [windowQuery(sel, 30)]: [...WINDOWS, w('latency', 'p95', 0.5)] });
  await t.rejects(readMetrics(target, source, { query: twice.query, now: () => NOW }), /latency p95 matched 2 series/);
  await t.rejects(readMetrics(target, source, { query: twice.query, now: () => NOW }), MeasureError);
  const down = async (): Promise<VectorSample[]> => {
    throw new MeasureError('GET http://prom:9090/api/v1/query failed: connect ECONNREFUSED', 'E_UNREACHABLE');
  };
  await t.rejects(readMetrics(target, source, { query: down, now: () => NOW }), { code: 'E_UNREACHABLE' });
});
