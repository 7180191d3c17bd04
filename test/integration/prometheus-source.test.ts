import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { NodeExporterCpuSource } from '../../scripts/lib/db-cpu-node-exporter';
import { isValid, problemsOf } from '../../scripts/lib/schema';
import type { MonitorResult } from '../../scripts/types/monitor-result';
import type { MonitorSample } from '../../scripts/types/monitor-sample';
import { steadyTraffic, useLab } from '../helpers/lab';
import { RUNBOOK_TRIGGERS } from '../../scripts/lib/judge/monitor-defaults';
import { runPoolgate, type ProcessRun } from '../helpers/poolgate-cli';

// The lab of this slot with Prometheus and the node exporter (useLab brings it up, or completes it, with them).
process.env.POOLGATE_LAB_PROMETHEUS = '1';

/** The latency histogram's bucket bounds in ms (lab/service/prometheus.ts): the resolution a histogram p95 has. */
const LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, Infinity];
const bucketOf = (ms: number): number => LATENCY_BOUNDS_MS.findIndex((b) => ms <= b);

const poolgate = (args: string[], timeoutMs = 90_000): Promise<ProcessRun> => runPoolgate(args, timeoutMs);

/** Busy share of all cores from /proc/stat between two readings (what the node exporter's cpu collector reads). */
function procStatBusy(): { busy: number; total: number } {
  const cols = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = cols[3]! + cols[4]!;
  const total = cols.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

t.test('Prometheus and /metrics as metrics sources on the lab', async (t) => {
  // One lab for both checks (brought up, and down at the end, only if it was not running).
  const lab = await useLab(t);

  t.test('the same monitoring window judged from /api/health/metrics, /metrics and Prometheus agrees', async (t) => {
    const prom = lab.prometheus;
    t.ok(prom.enabled, 'the lab runs Prometheus');
    const dir = t.testdir({});
    const targets = lab.instances.flatMap((i) => ['--target', `${i.name}=${i.url}`]);
    const sources: Record<string, string[]> = {
      json: ['--metrics-source', 'json'],
      scrape: ['--metrics-source', 'scrape', '--metrics-window', '60s'],
      prometheus: ['--metrics-source', 'prometheus', '--prometheus-url', prom.url, '--metrics-window', '60s'],
    };
    // The instances' own triggers only (what the three sources measure; no database probe adds load to compare
    // under), and a P0 file, as monitor requires a source for everything it judges.
    const config = path.join(dir, 'monitor-config.json');
    fs.writeFileSync(
      config,
      JSON.stringify({
        triggers: RUNBOOK_TRIGGERS.filter((tr) => tr.metric !== 'db_cpu_pct' && tr.metric !== 'new_backends_per_s'),
        p0: { file: path.join(dir, 'P0') },
      }),
    );
    // Three monitors over the same 24 s. The traffic (bounded: 5 s through HAProxy) starts once every run has
    // two samples (a baseline of every instance before it), and the runs go on for seconds after it stops (more
    // than a scrape interval, so their last Prometheus values were scraped after it). Each run's request count
    // is then the whole of that traffic, whatever instant each sampled at.
    const runs = Object.entries(sources).map(([name, flags]) =>
      poolgate([
        'monitor',
        ...targets,
        ...flags,
        '--config',
        config,
        '--interval',
        '1s',
        '--duration',
        '24s',
        '--sustained',
        '3s',
        '--evidence-dir',
        path.join(dir, name),
        '--json',
      ]).then((r) => [name, r] as const),
    );
    const linesOf = (name: string): number => {
      try {
        return fs
          .readFileSync(path.join(dir, name, 'monitor_samples.jsonl'), 'utf8')
          .trim()
          .split('\n').length;
      } catch {
        return 0;
      }
    };
    const waitUntil = Date.now() + 15_000;
    while (Object.keys(sources).some((n) => linesOf(n) < 2) && Date.now() < waitUntil) await sleep(200);
    t.ok(
      Object.keys(sources).every((n) => linesOf(n) >= 2),
      'every run sampled twice before the traffic',
    );
    const traffic = await steadyTraffic(lab.haproxy.url, {
      concurrency: 4,
      durationMs: 5000,
      maxRequests: 20_000,
      writeRatio: 0.2,
    });
    const results = new Map(await Promise.all(runs));
    t.ok(traffic.ok > 100, `traffic ran: ${traffic.ok} ok, ${traffic.failed} failed`);

    const parsed: Record<string, MonitorResult> = {};
    const samples: Record<string, MonitorSample[]> = {};
    for (const [name, r] of results) {
      const json: unknown = JSON.parse(r.stdout || 'null');
      t.ok(
        isValid('monitor-result', json),
        `${name}: result validates ${problemsOf('monitor-result', json).join('; ')} ${r.stderr.slice(-400)}`,
      );
      parsed[name] = json as MonitorResult;
      samples[name] = fs
        .readFileSync(path.join(dir, name, 'monitor_samples.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as MonitorSample);
      t.equal(r.code, 0, `${name}: exit 0`);
      for (const smp of samples[name])
        for (const i of smp.instances) if (i.error) t.comment(`${name} sample ${smp.seq} ${i.name}: ${i.error}`);
    }
    const json = parsed.json!;
    for (const name of ['scrape', 'prometheus']) {
      const other = parsed[name]!;
      t.equal(other.verdict, json.verdict, `${name}: same verdict as json (${json.verdict})`);
      t.equal(other.samples.dropped_intervals, 0, `${name}: no interval dropped`);
      // Every request of the traffic (plus its one listing call) happened between each run's first and last sample.
      const sent = traffic.ok + traffic.failed + 1;
      t.ok(
        Math.abs(json.summary.requests - sent) <= 2,
        `json counted ${json.summary.requests} requests of ${sent} sent`,
      );
      t.ok(
        Math.abs(other.summary.requests - json.summary.requests) <= 2,
        `${name} counted ${other.summary.requests} requests, json ${json.summary.requests} (counters are exact; ±2 for a straggler)`,
      );
      t.equal(other.summary.errors, json.summary.errors, `${name}: same error count`);
      // The fleet p95 is the worst instance's; a histogram only places it within a bucket, and the two windows
      // may differ by a scrape interval at their edges: within one bucket of the exact value.
      const exact = json.summary.p95_ms.max ?? 0;
      const fromHistogram = other.summary.p95_ms.max ?? 0;
      t.ok(
        Math.abs(bucketOf(fromHistogram) - bucketOf(exact)) <= 1,
        `${name}: p95 max ${fromHistogram} ms, exact ${exact} ms (within one bucket)`,
      );
      for (const s of samples[name]!) {
        for (const i of s.instances) {
          if (!i.measured) continue;
          t.equal(i.pool_max, 50, `${name} sample ${s.seq} ${i.name}: pool max`);
          t.equal(i.pool_min, 10, `${name} sample ${s.seq} ${i.name}: pool min`);
        }
      }
      const pids = (ss: MonitorSample[]): Record<string, number | undefined> =>
        Object.fromEntries(ss.at(-1)!.instances.map((i) => [i.name, i.pid]));
      t.same(pids(samples[name]!), pids(samples.json!), `${name}: the same processes`);
    }
    t.same(parsed.prometheus!.summary.pool_max, json.summary.pool_max, 'the last pool max of every instance: equal');
    t.same(
      json.summary.pool_max,
      Object.fromEntries(lab.instances.map((i) => [i.name, 50])),
      'the baseline 50 everywhere',
    );
  });

  t.test('DB CPU from the node exporter agrees with /proc/stat over the same window', async (t) => {
    const src = new NodeExporterCpuSource({
      prometheusUrl: lab.prometheus.url,
      job: lab.prometheus.nodeJob,
      windowS: 10,
    });
    const before = procStatBusy();
    await sleep(10_500);
    const after = procStatBusy();
    const read = await src.read(Date.now());
    const local = (100 * (after.busy - before.busy)) / (after.total - before.total);
    t.equal(read.error, undefined, 'measured');
    t.ok(typeof read.pct === 'number' && read.pct >= 0 && read.pct <= 100, `node exporter: ${read.pct?.toFixed(1)} %`);
    // Same counters, windows offset by up to a scrape interval (1 s of 10 s) on a shared machine: 20 points.
    t.ok(
      Math.abs((read.pct ?? -100) - local) <= 20,
      `node exporter ${read.pct?.toFixed(1)} % vs /proc/stat ${local.toFixed(1)} %`,
    );
    const wrongJob = await new NodeExporterCpuSource({
      prometheusUrl: lab.prometheus.url,
      job: 'no-such-job',
      windowS: 10,
    }).read(Date.now());
    t.match(wrongJob.error, /no value/, 'a job that is not scraped is unmeasured, not 0 %');
  });
});
