import path from 'node:path';
import {
  filesOf,
  readEvents,
  readEvidence,
  readLines,
  requireRunFolder,
  textLines,
  type EvidenceKindName,
  type RolloutEvent,
} from '../run-evidence';
import type { AnalysisResult } from '../../types/analysis-result';
import type { LoadtestResult } from '../../types/loadtest-result';
import type { MonitorResult } from '../../types/monitor-result';
import type { MonitorSample } from '../../types/monitor-sample';
import type { Plan } from '../../types/plan';
import type { VerificationReport } from '../../types/report';
import type { Snapshot } from '../../types/snapshot';
import type { VerifyResult } from '../../types/verify-result';

export type { RolloutEvent };

/** Everything the HTML report draws from, each file read through its schema (scripts/lib/run-evidence). */
export interface RunEvidence {
  dir: string;
  runId: string;
  plan: Plan | null;
  report: VerificationReport | null;
  reportFile: string | null;
  snapshot: Snapshot | null;
  verify: VerifyResult | null;
  loadtest: LoadtestResult | null;
  analysis: AnalysisResult | null;
  monitor: MonitorResult | null;
  samples: MonitorSample[];
  events: RolloutEvent[];
  rollbackLog: string | null;
  incidents: string[];
  /** Files present but unusable (bad JSON or schema), with why: shown in the report, never silently dropped. */
  problems: string[];
}

/** Read a run's evidence folder. Missing files are null; broken ones are null plus a line in `problems`. */
export function readRunEvidence(evidenceDir: string): RunEvidence {
  const dir = requireRunFolder(evidenceDir);
  const problems: string[] = [];
  const json = <T>(kind: EvidenceKindName): { value: T | null; file: string | null } => {
    const r = readEvidence<T>(dir, kind);
    if (r.status === 'invalid') problems.push(`${r.file}: ${r.detail}`);
    return { value: r.status === 'used' ? r.value : null, file: r.file };
  };
  const samples = readLines<MonitorSample>(dir, 'monitor_samples');
  const events = readEvents(dir);
  problems.push(...samples.problems, ...events.problems);
  const plan = json<Plan>('plan').value;
  const report = json<VerificationReport>('report');
  const rollbackLog = textLines(dir, 'rollback_log');
  return {
    dir,
    runId: plan?.run_id ?? path.basename(dir),
    plan,
    report: report.value,
    reportFile: report.file,
    snapshot: json<Snapshot>('snapshot').value,
    verify: json<VerifyResult>('verify').value,
    loadtest: json<LoadtestResult>('loadtest').value,
    analysis: json<AnalysisResult>('analysis').value,
    monitor: json<MonitorResult>('monitor').value,
    samples: samples.values,
    events: events.values,
    rollbackLog: rollbackLog.length ? `${rollbackLog.join('\n')}\n` : null,
    incidents: filesOf(dir, 'incident').map((f) => path.basename(f)),
    problems,
  };
}
