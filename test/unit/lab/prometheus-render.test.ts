import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { nodeExporterArgs, prometheusArgs, renderPrometheusConfig } from '../../../lab/control/prometheus';
import { labConfig } from '../../../lab/lab-config';

const cfg = labConfig({ POOLGATE_LAB_SLOT: '5', POOLGATE_LAB_PROMETHEUS: '1' });

t.test("opt-in, on the slot's loopback, state under the slot", async (t) => {
  t.equal(cfg.prometheus.enabled, true);
  t.equal(labConfig({ POOLGATE_LAB_SLOT: '5' }).prometheus.enabled, false, 'off unless asked');
  t.equal(cfg.prometheus.url, 'http://127.0.5.1:9090');
  t.equal(cfg.prometheus.nodeExporter.url, 'http://127.0.5.1:9100');
  t.ok(cfg.prometheus.dataDir.startsWith(`${cfg.stateDir}${path.sep}prometheus`));
  t.same(prometheusArgs(cfg), [
    `--config.file=${cfg.prometheus.configPath}`,
    `--storage.tsdb.path=${cfg.prometheus.dataDir}`,
    '--storage.tsdb.retention.time=2h',
    '--web.listen-address=127.0.5.1:9090',
  ]);
  const ne = nodeExporterArgs(cfg);
  t.ok(ne.includes('--web.listen-address=127.0.5.1:9100'));
  t.ok(
    ne.includes('--collector.disable-defaults') && ne.includes('--collector.cpu'),
    'minimal collectors, CPU among them',
  );
  t.ok(
    ne.some((a) => a.includes(cfg.stateDir)),
    'its command line names the slot (how lab:down finds a leftover)',
  );
});

t.test('prometheus.yml: every instance labelled by name, the node exporter, a 1 s scrape', async (t) => {
  const text = renderPrometheusConfig(cfg);
  const doc = JSON.parse(text.slice(text.indexOf('\n') + 1)) as {
    global: Record<string, string>;
    scrape_configs: Array<{
      job_name: string;
      static_configs: Array<{ targets: string[]; labels: Record<string, string> }>;
    }>;
  };
  t.same(doc.global, { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '15s' });
  const svc = doc.scrape_configs.find((j) => j.job_name === 'poolgate-service')!;
  t.same(
    svc.static_configs.map((s) => [s.targets[0], s.labels.instance]),
    cfg.instances.map((i) => [`${i.address}:3000`, i.name]),
  );
  const node = doc.scrape_configs.find((j) => j.job_name === 'node')!;
  t.same(node.static_configs[0]!.targets, ['127.0.5.1:9100']);
  t.notMatch(text, /127\.0\.0\./, 'nothing of slot 0 leaks into slot 5');
});

t.test(
  'with the lab token, Prometheus scrapes the instances with it (from the file), the node exporter without',
  async (t) => {
    t.notMatch(renderPrometheusConfig(cfg), /authorization/, 'no token, no authorization');
    const withToken = labConfig({ POOLGATE_LAB_SLOT: '5', POOLGATE_LAB_PROMETHEUS: '1', POOLGATE_LAB_TOKEN: '1' });
    const text = renderPrometheusConfig(withToken);
    const jobs = (JSON.parse(text.slice(text.indexOf('\n') + 1)) as { scrape_configs: Array<Record<string, unknown>> })
      .scrape_configs;
    t.same(jobs.find((j) => j.job_name === 'poolgate-service')!.authorization, {
      type: 'Bearer',
      credentials_file: withToken.token.file,
    });
    t.equal(jobs.find((j) => j.job_name === 'node')!.authorization, undefined);
  },
);

t.test(
  'promtool accepts the generated config',
  { skip: fs.existsSync('/usr/bin/promtool') ? false : 'promtool is not installed' },
  async (t) => {
    const dir = t.testdir({ 'prometheus.yml': renderPrometheusConfig(cfg) });
    const out = execFileSync('promtool', ['check', 'config', path.join(dir, 'prometheus.yml')], { encoding: 'utf8' });
    t.match(out, /SUCCESS/);
  },
);
