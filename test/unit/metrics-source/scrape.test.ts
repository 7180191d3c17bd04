import t from 'tap';
import { createPrometheus } from '../../../agent/prometheus';
import { metricsDocument, ServiceCounters, type PoolGauges } from '../../../agent/metrics';
import { MeasureError } from '../../../scripts/lib/errors';
import { readMetrics } from '../../../scripts/lib/metrics-source/read-metrics';
import { metricsFromScrape, ScrapeMemory } from '../../../scripts/lib/metrics-source/scrape';
import type { MetricsSource } from '../../../scripts/lib/metrics-source/source';
import { isValid } from '../../../scripts/lib/schema';

const gauges: PoolGauges = { max: 50, min: 10, total: 12, idle: 9, waiting: 2, generation: 3 };
const START_S = 1_700_000_000;

/** A service's counters after some traffic, its /metrics text and its JSON document, from the service's own code. */
async function service(latenciesMs: number[], waitsMs: number[]) {
  let nowMs = START_S * 1000 + 100_000;
  const c = new ServiceCounters(60_000, () => nowMs);
  const prom = createPrometheus({ counters: c, gauges: () => gauges, instance: 'primary-1', startedAtS: START_S });
  const text = (): Promise<string> => prom.text();
  const feed = (lat: number[], waits: number[]): void => {
    for (const ms of lat) {
      c.inFlight += 1;
      c.requestEnded(ms > 900);
      c.latencyMeasured(ms);
    }
    for (const ms of waits) {
      c.acquires += 1;
      c.holdMsSum += 12.5;
      c.acquireWait.record(ms);
      c.acquireWaitHistogram.observe(ms);
    }
  };
  feed(latenciesMs, waitsMs);
  c.connects = 12;
  c.inFlight = 3;
  return {
    counters: c,
    feed,
    text,
    advance: (ms: number) => (nowMs += ms),
    now: () => new Date(nowMs),
    json: () =>
      metricsDocument(c, gauges, {
        instance: 'primary-1',
        pid: process.pid,
        uptimeS: nowMs / 1000 - START_S,
        now: new Date(nowMs),
      }),
  };
}

t.test(
  'a scrape of the reference service rebuilds its JSON document: counters and gauges equal, percentiles within a bucket',
  async (t) => {
    const latencies = [...Array(95).fill(3), 40, 40, 40, 40, 950];
    const s = await service(latencies, Array(100).fill(0.3));
    const doc = metricsFromScrape(await s.text(), {
      url: 'http://p1',
      name: 'primary-1',
      at: s.now(),
      windowS: 60,
      memory: new ScrapeMemory(),
    });
    const json = s.json();
    t.ok(isValid('service-metrics', doc), 'valid against service-metrics.schema.json');
    t.same(doc.requests, json.requests);
    t.same(
      { ...doc.pool, acquire_wait_ms: null },
      { ...json.pool, acquire_wait_ms: null },
      'every pool figure but the percentiles is equal',
    );
    t.equal(doc.pid, process.pid);
    t.equal(doc.uptime_s, json.uptime_s);
    t.equal(doc.instance, 'primary-1');
    t.equal(doc.latency.count, 100);
    // Exact p95 is 3 ms (95 of 100 at 3 ms); the histogram only knows it lies in (0, 5 ms].
    t.equal(json.latency.p95, 3);
    t.ok(doc.latency.p95 > 0 && doc.latency.p95 <= 5, `p95 ${doc.latency.p95} in the 5 ms bucket`);
    t.ok(
      doc.latency.p99 > 25 && doc.latency.p99 <= 50,
      `p99 ${doc.latency.p99} in the (25, 50] ms bucket like the exact 40`,
    );
    t.equal(doc.latency.max, 1000, 'max: the top of the (500, 1000] ms bucket holding 950');
    t.ok(doc.pool.acquire_wait_ms.p95 <= 0.5, 'acquire waits of 0.3 ms land in the first (0.5 ms) bucket');
    t.equal(doc.window_s, 100, 'first reading: buckets since the process started');
  },
);

t.test('a later scrape judges only what happened since the oldest reading in the window', async (t) => {
  const s = await service(Array(50).fill(700), []);
  const memory = new ScrapeMemory();
  const opts = { url: 'http://p1', name: 'primary-1', windowS: 60, memory };
  const first = metricsFromScrape(await s.text(), { ...opts, at: s.now() });
  t.ok(first.latency.p50 > 500, 'slow since start');
  s.advance(10_000);
  s.feed(Array(20).fill(2), [5]);
  const second = metricsFromScrape(await s.text(), { ...opts, at: s.now() });
  t.equal(second.window_s, 10);
  t.equal(second.latency.count, 20, 'only the 20 requests of the last 10 s');
  t.ok(second.latency.p95 <= 5, 'and they were fast');
  t.equal(second.pool.acquire_wait_ms.count, 1);
  s.advance(61_000);
  const third = metricsFromScrape(await s.text(), { ...opts, at: s.now() });
  t.equal(third.window_s, 61, 'no reading inside the window: the newest one before it is the baseline');
  t.equal(third.latency.count, 0, 'nothing observed since');
  t.same(
    [third.latency.p50, third.latency.p95, third.latency.max],
    [0, 0, 0],
    'an empty window is zeros, as in the JSON document',
  );
});

t.test('what a scrape cannot fill is could-not-measure', async (t) => {
  const base = { url: 'http://p1', name: 'p1', at: new Date(), windowS: 60, memory: new ScrapeMemory() };
  t.throws(() => metricsFromScrape('poolgate_pool_max 50\n', base), MeasureError);
  t.throws(() => metricsFromScrape('poolgate_pool_max 50\n', base), /no value for poolgate_service_requests_total/);
  t.throws(() => metricsFromScrape('<html>', base), /not the Prometheus text format/);
  const noPid = (await (await service([1], [1])).text()).replace(/^poolgate_service_pid.*$/m, '');
  t.throws(() => metricsFromScrape(noPid, base), /poolgate_service_pid/);
});

t.test('readMetrics scrapes <url>/metrics and remembers per source object', async (t) => {
  const s = await service([1, 2, 3], [0.1]);
  const asked: string[] = [];
  const fetchText = async (url: string): Promise<string> => (asked.push(url), s.text());
  const source: MetricsSource = { kind: 'scrape' };
  const a = await readMetrics({ name: 'primary-1', url: 'http://p1' }, source, { fetchText, now: s.now });
  s.advance(5000);
  const b = await readMetrics({ name: 'primary-1', url: 'http://p1' }, source, { fetchText, now: s.now });
  t.same(asked, ['http://p1/metrics', 'http://p1/metrics']);
  t.equal(a.latency.count, 3);
  t.equal(b.window_s, 5);
  t.equal(b.latency.count, 0);
  const other = await readMetrics(
    { name: 'primary-1', url: 'http://p1' },
    { kind: 'scrape' },
    { fetchText, now: s.now },
  );
  t.equal(other.latency.count, 3, 'another source object starts from scratch');
});
