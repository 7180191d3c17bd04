import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { metricsSourceOptions, type MetricsSourceArgs } from '../lib/metrics-source/flags';
import { evidenceFile, fileTimestamp } from '../lib/run-evidence/files';
import type { LoadtestConfig } from '../types/loadtest-config';
import type { LoadtestResult } from '../types/loadtest-result';

interface LoadtestArgs extends MetricsSourceArgs {
  url?: string;
  scenario?: string;
  allowWrites?: boolean;
  baseline?: string;
  baselineFactor?: number;
  requests?: number;
  concurrency?: number;
  duration?: string;
  rate?: number;
  mode?: 'open' | 'closed';
  mix?: string;
  timeout?: string;
  grace?: string;
  warmup?: boolean;
  sampleInterval?: string;
  target?: string[];
  targetsFile?: string;
  plan?: string;
  output?: string;
  evidenceDir?: string;
  json: boolean;
}

const HEADLINE: Record<LoadtestResult['outcome']['stop_reason'], string> = {
  completed: 'DONE',
  requests: 'DONE',
  duration: 'DONE',
  hard_stop: 'STOPPED AT THE HARD STOP',
  interrupted: 'INTERRUPTED',
  unreachable: 'COULD NOT MEASURE',
};

const ms = (v: number): string => `${v.toFixed(v < 10 ? 2 : 1)} ms`;

function human(
  r: LoadtestResult,
  file: string,
  describeLoadLevel: (l: LoadtestResult['load_level']) => string,
): string {
  const { requests: q, latency_ms: l, rate } = r;
  const lines = [
    `${HEADLINE[r.outcome.stop_reason]}: ${q.sent}/${q.scheduled} sent, ${q.ok} ok, ${q.failed} failed` +
      ` (${r.errors.rate_pct ?? '-'} %), stop: ${r.outcome.stop_reason}`,
    ...(l.from_intended.count === 0
      ? ['latency: no answer to time']
      : [
          `latency from intended send: p50 ${ms(l.from_intended.p50)}  p95 ${ms(l.from_intended.p95)}  p99 ${ms(l.from_intended.p99)}  max ${ms(l.from_intended.max)}`,
          `latency from actual send:   p50 ${ms(l.from_send.p50)}  p95 ${ms(l.from_send.p95)}  p99 ${ms(l.from_send.p99)}  max ${ms(l.from_send.max)}`,
        ]),
    `send delay p99 ${ms(r.send_delay_ms.p99)}, delayed sends ${q.delayed_sends}, dropped ${q.dropped}` +
      (rate.target_per_s !== null
        ? `; rate ${rate.achieved_send_per_s ?? '-'}/s of ${rate.target_per_s}/s`
        : `; throughput ${rate.throughput_per_s ?? '-'}/s`),
  ];
  for (const [name, c] of Object.entries(q.by_request))
    if (c.sent > 0) lines.push(`  ${name}: ${c.sent} sent, ${c.ok} ok, ${c.errors} failed`);
  lines.push(`load level: ${describeLoadLevel(r.load_level)}`);
  const kinds = Object.entries(r.errors.by_kind);
  if (kinds.length) lines.push(`errors: ${kinds.map(([k, n]) => `${k} ${n}`).join(', ')}`);
  for (const i of r.pool.instances) {
    lines.push(
      `pool ${i.name}: utilisation peak ${i.utilization_peak_interval_pct ?? '-'} % (sampled ${i.utilization_peak_sample_pct ?? '-'} %), ` +
        `waiting max ${i.waiting_max ?? '-'}, acquire timeouts ${i.acquire_timeouts_delta}, samples ${i.samples} (${i.failed_samples} missed)`,
    );
  }
  lines.push(`evidence: ${file}`, `next: poolgate analyze ${file}`);
  return lines.join('\n');
}

export const loadtestCommand: CommandModule<object, LoadtestArgs> = {
  command: 'loadtest',
  describe:
    'Synthetic load test (runbook Step 5): open-loop arrival rate, latency from intended send time, pool sampling',
  builder: (y: Argv) =>
    metricsSourceOptions(y)
      .option('url', {
        type: 'string',
        describe: 'Entry point the load goes to (e.g. the load balancer); default plan.loadtest.url or plan.lb.url',
      })
      .option('scenario', {
        type: 'string',
        describe:
          'Scenario file (YAML or JSON, schemas/loadtest-scenario.schema.json): the requests to send; default plan.loadtest.scenario',
      })
      .option('allow-writes', {
        type: 'boolean',
        describe: "This target may receive the scenario's writes (plan: loadtest.allow_writes) [default false]",
      })
      .option('baseline', {
        type: 'string',
        describe:
          'Pre-change snapshot whose measured traffic sets the load level (rate >= baseline-factor x its req/s) and is compared with',
      })
      .option('baseline-factor', {
        type: 'number',
        describe:
          "With --baseline: the open loop's rate is at least this multiple of the baseline's traffic [default 1]",
      })
      .option('requests', {
        type: 'number',
        describe:
          'Requests to send, at least (open loop: at the rate requests/duration, or the baseline level) [default 500]',
      })
      .option('duration', { type: 'string', describe: 'Run length: 500ms, 30s, 10m, 1h [default 10m]' })
      .option('rate', {
        type: 'number',
        describe: 'Open loop arrival rate in requests/s (instead of requests or duration)',
      })
      .option('concurrency', { type: 'number', describe: 'Connections = most requests in flight [default 50]' })
      .option('mode', {
        choices: ['open', 'closed'] as const,
        describe: 'open: fixed arrival rate (judging); closed: back to back (throughput) [default open]',
      })
      .option('mix', {
        type: 'string',
        describe:
          "Weights replacing the scenario's, by request name (unnamed requests are not sent), e.g. balance=80,journal-entry=20",
      })
      .option('timeout', { type: 'string', describe: 'Per-request timeout [default 10s]' })
      .option('grace', {
        type: 'string',
        describe: 'After the duration, how long in-flight requests may finish before the hard stop [default: timeout]',
      })
      .option('warmup', {
        type: 'boolean',
        describe: 'Open every connection before the clock starts (--no-warmup to skip) [default true]',
      })
      .option('sample-interval', {
        type: 'string',
        describe: "How often to read each target's /api/health/metrics [default 1s]",
      })
      .option('target', {
        type: 'string',
        array: true,
        describe: "An instance whose pool is sampled, name=url (repeatable); default the plan's targets",
      })
      .option('targets-file', { type: 'string', describe: 'Targets JSON (schemas/targets.schema.json)' })
      .option('plan', {
        type: 'string',
        describe: 'Plan file: its loadtest section, lb.url and targets; flags override',
      })
      .option('output', { type: 'string', describe: 'Result file (default loadtest_<ts>.json in --evidence-dir)' })
      .option('evidence-dir', {
        type: 'string',
        describe: 'Evidence folder (default evidence/<run_id> or evidence/adhoc-<ts>)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the result document as JSON' })
      .example(
        '$0 loadtest --plan evidence/run1/plan.json --baseline evidence/run1/pre_change_snapshot_20260201T020000Z.json --output post_change_load_test.json',
        "The runbook's Step 5: 10 minutes at the baseline's traffic (500 requests at least), 50 in flight",
      )
      .example(
        '$0 loadtest --url http://127.0.0.1:8080 --scenario lab/scenarios/ledger.yml --allow-writes --rate 200 --duration 30s --target primary-1=http://127.0.0.21:3000',
        '200 req/s for 30 s of the lab scenario, sampling one pool',
      )
      .example(
        '$0 loadtest --url http://127.0.0.1:8080 --scenario lab/scenarios/ledger.yml --mode closed --concurrency 50 --duration 10s --mix accounts=1',
        'Maximum throughput, one read request only',
      )
      .epilogue(
        'Open loop: request i is due at i/rate; at most --concurrency are in flight, and a request that has to wait for a free ' +
          'connection is timed from its intended send time (coordinated omission), so a stall shows in the percentiles. ' +
          'A scenario that writes is refused (exit 2, nothing sent) unless the target allows writes. ' +
          'Exit 0 when the run completed (judge it with `poolgate analyze`), 3 when the target never answered or the baseline measured nothing, 2 on bad input. ' +
          "The reading of the runbook's --requests 500 --concurrency 50 --duration 10m: docs/load-test.md.",
      ) as unknown as Argv<LoadtestArgs>,
  handler: async (args) => {
    // Heavy modules (undici, ajv, hdr-histogram) load here, not when the CLI starts.
    const [
      { resolveRunConfig },
      { parseMixFlag },
      { runLoadtest },
      { loadPlan },
      { loadTargets },
      evidence,
      output,
      { MeasureError },
      { metricsFetcherFor },
      { resolveMetricsSource },
      { readBaseline, describeLoadLevel },
    ] = await Promise.all([
      import('../lib/loadgen/config'),
      import('../lib/loadgen/mix'),
      import('../lib/loadgen/run'),
      import('../lib/plan'),
      import('../lib/targets'),
      import('../lib/evidence'),
      import('../lib/output'),
      import('../lib/errors'),
      import('../lib/metrics-source/read-metrics'),
      import('../lib/metrics-source/flags'),
      import('../lib/loadgen/load-level'),
    ]);
    const plan = args.plan ? loadPlan(args.plan) : null;
    const targets =
      (args.target?.length ?? 0) > 0 || args.targetsFile
        ? loadTargets({ target: args.target, targetsFile: args.targetsFile })
        : ((plan?.targets ?? []) as ReturnType<typeof loadTargets>);
    const flags: LoadtestConfig = {
      url: args.url,
      scenario: args.scenario,
      allow_writes: args.allowWrites,
      baseline_factor: args.baselineFactor,
      mode: args.mode,
      requests: args.requests,
      duration: args.duration,
      rate: args.rate,
      concurrency: args.concurrency,
      timeout: args.timeout,
      grace: args.grace,
      warmup: args.warmup,
      sample_interval: args.sampleInterval,
      ...(args.mix !== undefined ? { mix: parseMixFlag(args.mix) } : {}),
    };
    const baseline = args.baseline ? readBaseline(args.baseline) : null;
    const cfg = resolveRunConfig({ plan: plan?.loadtest, flags, lbUrl: plan?.lb?.url, targets, baseline });
    const readMetrics = metricsFetcherFor(resolveMetricsSource(args, plan), targets);

    const startedAt = new Date();
    const [dir, name] = args.output
      ? [path.dirname(args.output), path.basename(args.output)]
      : [
          args.evidenceDir ?? path.join('evidence', plan?.run_id ?? `adhoc-${fileTimestamp(startedAt)}`),
          evidenceFile('loadtest', startedAt),
        ];
    const ev = new evidence.EvidenceDir(dir);

    // Ctrl-C or SIGTERM ends the run early; the partial result is still written, and the exit is 3.
    const abort = new AbortController();
    const interrupt = (): void => abort.abort();
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    const result = await runLoadtest(cfg, {
      signal: abort.signal,
      readMetrics,
      ...(plan?.run_id ? { runId: plan.run_id } : {}),
      onProgress: (r, elapsedMs) =>
        output.progress(
          `loadtest ${(elapsedMs / 1000).toFixed(0)}s/${(cfg.durationMs / 1000).toFixed(0)}s · sent ${r.sent} · ok ${r.ok} · ` +
            `failed ${r.failed} · p99 ${r.fromIntended.percentileMs(99).toFixed(1)} ms · delayed ${r.delayedSends}`,
        ),
    });
    process.removeListener('SIGINT', interrupt);
    process.removeListener('SIGTERM', interrupt);
    output.progressDone();
    const file = ev.writeJson(name, 'loadtest-result', result);
    output.printResult(args, result, () => human(result, file, describeLoadLevel));
    if (args.json) process.stderr.write(`evidence: ${file}\n`);
    if (result.outcome.stop_reason === 'interrupted') {
      throw new MeasureError(
        `interrupted after ${result.requests.sent} of ${result.requests.scheduled} requests: the run is incomplete`,
        'E_INTERRUPTED',
      );
    }
    if (!result.outcome.target_reachable) {
      throw new MeasureError(
        `${cfg.url} never answered (${result.errors.examples?.[0] ?? 'no answer'}): could not measure`,
        'E_UNREACHABLE',
      );
    }
  },
};
