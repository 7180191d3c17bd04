import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { printResult, table } from '../lib/output';
import { evidenceFile } from '../lib/run-evidence/files';
import { gateStop } from '../lib/trigger';
import { exitCodeOfVerdict, messageOf, notMeasured, shownVerdict } from '../lib/verdict';
import type { AnalysisResult } from '../types/analysis-result';
import type { LoadtestCriteria } from '../types/loadtest-criteria';

interface AnalyzeArgs {
  result: string;
  criteria?: string;
  plan?: string;
  latencyView?: 'intended' | 'send';
  maxP50Ms?: number;
  maxP95Ms?: number;
  maxP99Ms?: number;
  maxErrorRatePct?: number;
  maxPoolUtilizationPct?: number;
  minLoadVsBaselinePct?: number;
  loadBelowBaseline?: 'warn' | 'fail';
  exhaustionSustainedSamples?: number;
  requirePoolMetrics?: boolean;
  evidenceDir?: string;
  json: boolean;
}

function fmt(value: number | null, unit: string): string {
  if (value === null) return '-';
  return unit === 'count' ? String(value) : `${value} ${unit === 'ms' ? 'ms' : '%'}`;
}

function human(a: AnalysisResult, file: string | null): string {
  const rows = [['criterion', 'value', 'limit', 'verdict']];
  for (const r of a.results) {
    rows.push([
      r.label,
      fmt(r.value, r.unit),
      `${r.comparison} ${fmt(r.threshold, r.unit)}`,
      shownVerdict(r.verdict) + (r.detail && r.verdict !== 'PASS' ? ` (${r.detail})` : ''),
    ]);
  }
  const next =
    a.verdict === 'FAIL'
      ? " — the runbook says roll back (poolgate's rollback playbook: playbooks/rollback.yml)."
      : a.verdict === 'COULD_NOT_MEASURE'
        ? '. Nothing was judged passed: fix the measurement and rerun.'
        : '';
  return [table(rows), '', `${a.message}${next}`, ...(file ? [`evidence: ${file}`] : [])].join('\n');
}

export const analyzeCommand: CommandModule<object, AnalyzeArgs> = {
  command: 'analyze <result>',
  describe:
    "Judge a load-test result against the runbook's criteria (p50/p95/p99, error rate, pool utilisation, timeouts, exhaustion)",
  builder: (y: Argv) =>
    y
      .positional('result', {
        type: 'string',
        demandOption: true,
        describe: 'A loadtest result file (schemas/loadtest-result.schema.json)',
      })
      .option('criteria', {
        type: 'string',
        describe: "Criteria JSON (schemas/loadtest-criteria.schema.json); over the plan's criteria section",
      })
      .option('plan', { type: 'string', describe: 'Plan file whose criteria section applies' })
      .option('latency-view', {
        choices: ['intended', 'send'] as const,
        describe: 'Judge latency from the intended send (default) or the actual send',
      })
      .option('max-p50-ms', { type: 'number', describe: 'p50 must be below this [runbook 200]' })
      .option('max-p95-ms', { type: 'number', describe: 'p95 must be below this [runbook 500]' })
      .option('max-p99-ms', { type: 'number', describe: 'p99 must be below this [runbook 1000]' })
      .option('max-error-rate-pct', { type: 'number', describe: 'Error rate (%) must be below this [runbook 0.1]' })
      .option('max-pool-utilization-pct', {
        type: 'number',
        describe: 'Peak pool utilisation (%) must be below this [runbook 70]',
      })
      .option('min-load-vs-baseline-pct', {
        type: 'number',
        describe: "The load test's rate must be at least this % of the baseline's traffic [default 90]",
      })
      .option('load-below-baseline', {
        choices: ['warn', 'fail'] as const,
        describe: 'A load below that (or not compared with a baseline): warn or fail [default warn]',
      })
      .option('exhaustion-sustained-samples', {
        type: 'number',
        describe: 'Consecutive samples with waiting > 0 that mean exhaustion [default 3]',
      })
      .option('require-pool-metrics', {
        type: 'boolean',
        describe:
          'Pool criteria without samples: could not measure (default) or, with --no-require-pool-metrics, skipped',
      })
      .option('evidence-dir', { type: 'string', describe: 'Also write analysis_<ts>.json there' })
      .option('json', { type: 'boolean', default: false, describe: 'Print the analysis as JSON' })
      .example('$0 analyze post_change_load_test.json', "The runbook's Step 5 criteria")
      .example(
        '$0 analyze evidence/run1/loadtest_20260201T023000Z.json --plan evidence/run1/plan.json --evidence-dir evidence/run1 --json',
        'From Ansible',
      )
      .example(
        '$0 analyze result.json --max-p95-ms 300 --no-require-pool-metrics',
        'A stricter p95; no pool samples needed',
      )
      .epilogue(
        'Limits are strict as the runbook writes them ("p95 < 500ms": exactly 500 fails). Exit 0 passed, 1 a criterion failed, 3 something could not be measured, 2 bad input.',
      ) as unknown as Argv<AnalyzeArgs>,
  handler: async (args) => {
    // Only what judging needs: no undici, no pg, no histogram library on this path (start-up time matters).
    const [{ loadCriteria }, { judge }, { assertValid }, evidence, { readFileSync }, { createHash }] =
      await Promise.all([
        import('../lib/criteria-load'),
        import('../lib/criteria'),
        import('../lib/schema'),
        import('../lib/evidence'),
        import('node:fs'),
        import('node:crypto'),
      ]);
    let text: string;
    try {
      text = readFileSync(args.result, 'utf8');
    } catch (err) {
      throw new InputError(`cannot read load-test result ${args.result}: ${(err as Error).message}`, 'E_RESULT_READ');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new InputError(`load-test result ${args.result} is not JSON: ${(err as Error).message}`, 'E_RESULT_READ');
    }
    const result = assertValid<import('../types/loadtest-result').LoadtestResult>(
      'loadtest-result',
      raw,
      `load-test result ${args.result}`,
    );
    const plan = args.plan ? (await import('../lib/plan')).loadPlan(args.plan) : null;
    const flags: LoadtestCriteria = {
      latency_view: args.latencyView,
      max_p50_ms: args.maxP50Ms,
      max_p95_ms: args.maxP95Ms,
      max_p99_ms: args.maxP99Ms,
      max_error_rate_pct: args.maxErrorRatePct,
      max_pool_utilization_pct: args.maxPoolUtilizationPct,
      min_load_vs_baseline_pct: args.minLoadVsBaselinePct,
      load_below_baseline: args.loadBelowBaseline,
      exhaustion_sustained_samples: args.exhaustionSustainedSamples,
      require_pool_metrics: args.requirePoolMetrics,
    };
    const criteria = loadCriteria({ plan: plan?.criteria, file: args.criteria, flags });
    const judged = judge(result, criteria);
    const now = new Date();
    const analysis: AnalysisResult = {
      kind: 'analysis',
      analyzed_at: now.toISOString(),
      source: {
        file: args.result,
        sha256: createHash('sha256').update(text).digest('hex'),
        ...(result.run_id ? { run_id: result.run_id } : {}),
      },
      criteria,
      verdict: judged.verdict,
      message: messageOf(
        judged.verdict,
        judged.results.map((r) => ({
          label: r.label,
          shown:
            r.value === null
              ? (r.detail ?? notMeasured())
              : `${fmt(r.value, r.unit)} (${r.comparison} ${fmt(r.threshold, r.unit)})`,
          verdict: r.verdict,
        })),
        'every load-test criterion met',
      ),
      ...gateStop('loadtest', judged.verdict),
      results: judged.results,
    };
    const file = args.evidenceDir
      ? new evidence.EvidenceDir(args.evidenceDir).writeJson(evidenceFile('analysis', now), 'analysis-result', analysis)
      : null;
    if (!file) assertValid('analysis-result', analysis, 'analysis');
    printResult(args, analysis, () => human(analysis, file));
    process.exitCode = exitCodeOfVerdict(analysis.verdict);
  },
};
