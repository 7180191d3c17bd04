import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import {
  commonOptions,
  readJsonFile,
  resolveCommon,
  type CommonArgs,
  type MetricsSourceArgs,
} from '../lib/command-inputs';
import { InputError } from '../lib/errors';
import { EvidenceDir } from '../lib/evidence';
import { formatDurationS, parseDurationS } from '../lib/duration';
import { resolveMonitorConfig } from '../lib/judge/monitor-defaults';
import { baselineOf, judgeReturn, watchVerdictText } from '../lib/judge/return-to-baseline';
import { abortableSleep, runMonitor, withMonitoringRun } from '../lib/monitor-run';
import { printResult, progress, progressDone, table } from '../lib/output';
import { evidenceFile } from '../lib/run-evidence';
import { exitCodeOfVerdict, shownVerdict, type Verdict } from '../lib/verdict';
import { assertValid } from '../lib/schema';
import { withDefaults } from '../lib/schema-defaults';
import type { MonitorSample } from '../types/monitor-sample';
import type { RollbackConfig } from '../types/rollback-config';
import type { RollbackWatchResult } from '../types/rollback-watch-result';
import type { Snapshot } from '../types/snapshot';

interface WatchArgs extends CommonArgs, MetricsSourceArgs {
  baseline: string;
  duration?: string;
  interval?: string;
  settle?: string;
}

/**
 * `poolgate rollback-watch`: the runbook's rollback step 4, "Monitor for 15 minutes - verify metrics return to
 * baseline". Samples the fleet as `monitor` does (no rollback trigger: there is nothing left to roll back to), for
 * rollback.watch.duration_s, then judges the samples after settle_s against the pre-change snapshot.
 */
export const rollbackWatchCommand: CommandModule<object, WatchArgs> = {
  command: 'rollback-watch',
  describe:
    'After a rollback: watch the fleet (default 15 min) and judge its return to the pre-change baseline (PASS back at baseline 0, FAIL not back 1, COULD_NOT_MEASURE 3)',
  builder: (y: Argv) =>
    commonOptions(y)
      .option('baseline', {
        type: 'string',
        demandOption: true,
        describe: 'The pre-change snapshot to return to (pre_change_snapshot_<ts>.json)',
      })
      .option('duration', { type: 'string', describe: 'How long to watch (default plan.rollback.watch, 15m)' })
      .option('interval', { type: 'string', describe: 'Time between samples (default 1m)' })
      .option('settle', { type: 'string', describe: 'Shown but not judged at the start (default 5m)' })
      .example(
        '$0 rollback-watch --plan evidence/run1/plan.json --evidence-dir evidence/run1 --baseline evidence/run1/pre_change_snapshot_20260201T023100Z.json',
        "The runbook's 15 minutes",
      )
      .example(
        '$0 rollback-watch --plan plan.json --baseline snap.json --duration 30s --interval 5s --settle 10s --json',
        'Lab-sized',
      ) as unknown as Argv<WatchArgs>,
  handler: async (args) => {
    const inputs = resolveCommon(args);
    const rb = withDefaults<RollbackConfig>('rollback-config', inputs.plan?.rollback ?? {});
    const w = rb.watch!;
    const durationS = args.duration !== undefined ? parseDurationS(args.duration, '--duration') : w.duration_s!;
    const intervalS = args.interval !== undefined ? parseDurationS(args.interval, '--interval') : w.interval_s!;
    const settleS = args.settle !== undefined ? parseDurationS(args.settle, '--settle') : w.settle_s!;
    if (!(intervalS > 0)) throw new InputError('rollback watch: the interval must be > 0');
    if (durationS - settleS < intervalS)
      throw new InputError(
        `rollback watch: settle ${settleS}s leaves less than one interval (${intervalS}s) of its ${durationS}s to judge: at least two samples must be judged`,
      );
    const snapshot = assertValid<Snapshot>('snapshot', readJsonFile(args.baseline, 'baseline snapshot'), args.baseline);
    const baseline = baselineOf(snapshot);
    const samples = Math.floor(durationS / intervalS) + 1;
    // No trigger and no outage limit: the watch runs its whole length and every unmeasured sample is a gap judged at
    // the end (a figure with nothing to compare is "not judged", never "returned").
    const cfg = resolveMonitorConfig(
      {
        interval_s: intervalS,
        duration_s: durationS,
        window_s: durationS,
        triggers: [],
        outage: { policy: 'ignore_until', max_consecutive_unmeasured: samples + 1 },
        ...(inputs.plan?.monitor?.db_connections ? { db_connections: inputs.plan.monitor.db_connections } : {}),
      },
      { instances: inputs.targets.length },
    );
    const ev = new EvidenceDir(inputs.evidenceDir);
    const started = new Date();
    const seen: MonitorSample[] = [];
    await withMonitoringRun(inputs, async (signal, probeDb) => {
      const run = await runMonitor(
        cfg,
        inputs.targets,
        {
          fetchMetrics: (t, timeoutMs) => inputs.fetchMetrics(t.url, timeoutMs),
          ...(probeDb ? { probeDb } : {}),
          p0: async () => ({ signalled: false }),
          now: Date.now,
          sleep: abortableSleep,
          onSample: (sample) => {
            seen.push(sample);
            ev.appendLine(
              evidenceFile('rollback_watch_samples'),
              JSON.stringify(assertValid('monitor-sample', sample, `watch sample ${sample.seq}`)),
            );
            progress(
              `rollback watch ${formatDurationS(Math.round(sample.elapsed_s))}/${formatDurationS(durationS)}` +
                `${sample.elapsed_s < settleS ? ' (settling)' : ''} · p95 ${sample.fleet.p95_ms ?? 'n/a'} ms` +
                (sample.unmeasured.length ? ` · UNMEASURED ${sample.unmeasured.join(',')}` : ''),
            );
          },
        },
        signal,
        inputs.database !== null,
      );
      progressDone();
      const judged = judgeReturn(seen, baseline, w.tolerance as Parameters<typeof judgeReturn>[2], settleS);
      const verdict: Verdict = run.completed ? judged.verdict : 'COULD_NOT_MEASURE';
      const result: RollbackWatchResult = {
        kind: 'rollback_watch',
        ...(inputs.runId ? { run_id: inputs.runId } : {}),
        started_at: started.toISOString(),
        ended_at: new Date().toISOString(),
        baseline: { file: path.basename(args.baseline), taken_at: snapshot.timestamp, figures: baseline },
        config: { duration_s: durationS, interval_s: intervalS, settle_s: settleS, tolerance: w.tolerance! },
        samples: {
          total: seen.length,
          judged: judged.judged.length,
          unmeasured: seen.filter((s) => s.unmeasured.length > 0).length,
          file: evidenceFile('rollback_watch_samples'),
        },
        checks: judged.checks,
        verdict,
        exit_code: exitCodeOfVerdict(verdict),
        message: run.completed
          ? watchVerdictText({ verdict, checks: judged.checks })
          : `COULD_NOT_MEASURE: return to baseline not judged: the watch was interrupted after ${seen.length} sample(s)`,
      };
      const file = ev.writeJson(evidenceFile('rollback_watch', started), 'rollback-watch-result', result);
      printResult(args, result, () =>
        [
          result.message,
          '',
          table(result.checks.map((c) => [shownVerdict(c.verdict), c.label, c.shown])),
          '',
          `evidence: ${file}`,
        ].join('\n'),
      );
      process.exitCode = result.exit_code;
    });
  },
};
