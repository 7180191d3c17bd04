import t from 'tap';
import { nodeCpuQuery, NodeExporterCpuSource } from '../../../scripts/lib/db-cpu-node-exporter';
import type { VectorSample } from '../../../scripts/lib/metrics-source/promql';

const opts = { prometheusUrl: 'http://prom:9090', job: 'node', windowS: 30 };

t.test('busy share of all cores from the idle counters, evaluated at the sample time', async (t) => {
  const asked: Array<[string, number]> = [];
  const src = new NodeExporterCpuSource(
    opts,
    async (q, time) => (asked.push([q, time]), [{ metric: {}, value: 37.5 }]),
  );
  t.same(await src.read(1_700_000_000_000), { configured: true, pct: 37.5 });
  t.same(asked, [['100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",job="node"}[30s])))', 1_700_000_000]]);
  t.equal(nodeCpuQuery('db "a"', 5), '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",job="db \\"a\\""}[5s])))');
});

t.test('no series, NaN or an unreachable Prometheus is an error (unmeasured), never 0 %', async (t) => {
  const answer = (v: VectorSample[]) => new NodeExporterCpuSource(opts, async () => v);
  const empty = await answer([]).read(0);
  t.equal(empty.configured, true);
  t.match(empty.error, /no value \(is the job scraped\?\)/);
  t.notOk('pct' in empty);
  t.match((await answer([{ metric: {}, value: NaN }]).read(0)).error, /no value/);
  const down = new NodeExporterCpuSource(opts, async () => {
    throw new Error('GET http://prom:9090/api/v1/query failed: ECONNREFUSED');
  });
  t.match((await down.read(0)).error, /node exporter job "node" via http:\/\/prom:9090: GET .* ECONNREFUSED/);
  t.same(
    await answer([{ metric: {}, value: 100.0000001 }]).read(0),
    { configured: true, pct: 100 },
    'float noise is clamped to 0..100',
  );
});
