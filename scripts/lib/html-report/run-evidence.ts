import fs from 'node:fs';
import path from 'node:path';
import { InputError } from '../errors';
import { problemsOf } from '../schema';
import type { AnalysisResult } from '../../types/analysis-result';
import type { LoadtestResult } from '../../types/loadtest-result';
import type { MonitorResult } from '../../types/monitor-result';
import type { MonitorSample } from '../../types/monitor-sample';
import type { Plan } from '../../types/plan';
import type { VerificationReport } from '../../types/report';
import type { Snapshot } from '../../types/snapshot';
import type { VerifyResult } from '../../types/verify-result';

/** One line of events.jsonl as the rollout writes it (playbooks/tasks/event.yml): `at`, `host`, then the event. */
export interface RolloutEvent {
  at: string;
  host: string;
  action: string;
  phase?: string;
  status?: string;
  reason?: string;
}

/** Everything the HTML report draws from, each file read through its schema. */
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

/** The newest file whose name matches (names carry UTC timestamps, so name order is time order). */
function newest(files: string[], pattern: RegExp): string | null {
  return (
    files
      .filter((f) => pattern.test(f))
      .sort()
      .pop() ?? null
  );
}

function readJson<T>(dir: string, file: string | null, schema: string, problems: string[]): T | null {
  if (!file) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
  } catch (err) {
    problems.push(`${file}: ${(err as Error).message}`);
    return null;
  }
  const bad = problemsOf(schema, raw);
  if (bad.length) {
    problems.push(`${file}: does not match ${schema}.schema.json (${bad.slice(0, 2).join('; ')})`);
    return null;
  }
  return raw as T;
}

function readLines(dir: string, file: string): unknown[] | null {
  const full = path.join(dir, file);
  if (!fs.existsSync(full)) return null;
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as unknown;
      } catch {
        return undefined;
      }
    });
}

function isEvent(v: unknown): v is RolloutEvent {
  if (typeof v !== 'object' || v === null) return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.at === 'string' &&
    !Number.isNaN(Date.parse(e.at)) &&
    typeof e.host === 'string' &&
    typeof e.action === 'string'
  );
}

/** Read a run's evidence folder. Missing files are null; broken ones are null plus a line in `problems`. */
export function readRunEvidence(evidenceDir: string): RunEvidence {
  const dir = path.resolve(evidenceDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new InputError(`evidence folder ${evidenceDir} does not exist`);
  const files = fs.readdirSync(dir);
  const problems: string[] = [];

  const samples: MonitorSample[] = [];
  (readLines(dir, 'monitor_samples.jsonl') ?? []).forEach((s, i) => {
    const bad = s === undefined ? ['not JSON'] : problemsOf('monitor-sample', s);
    if (bad.length) problems.push(`monitor_samples.jsonl line ${i + 1}: ${bad[0]}`);
    else samples.push(s as MonitorSample);
  });
  const events: RolloutEvent[] = [];
  (readLines(dir, 'events.jsonl') ?? []).forEach((e, i) => {
    if (isEvent(e)) events.push(e);
    else problems.push(`events.jsonl line ${i + 1}: not an event (needs at, host, action)`);
  });
  events.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));

  const plan = readJson<Plan>(dir, newest(files, /^plan[^/]*\.json$/), 'plan', problems);
  const reportFile = files.includes('report.json') ? 'report.json' : null;
  const rollbackFile = path.join(dir, 'rollback_log.txt');
  const incidentsDir = path.join(dir, 'incidents');
  return {
    dir,
    runId: plan?.run_id ?? path.basename(dir),
    plan,
    report: readJson<VerificationReport>(dir, reportFile, 'report', problems),
    reportFile,
    snapshot: readJson<Snapshot>(dir, newest(files, /^pre_change_snapshot_.*\.json$/), 'snapshot', problems),
    verify: readJson<VerifyResult>(dir, newest(files, /^verify_.*\.json$/), 'verify-result', problems),
    // The playbook names its load test post_change_load_test.json; a standalone run writes loadtest_<ts>.json.
    loadtest: readJson<LoadtestResult>(
      dir,
      newest(files, /^(loadtest_.*|post_change_load_test)\.json$/),
      'loadtest-result',
      problems,
    ),
    analysis: readJson<AnalysisResult>(dir, newest(files, /^analysis_.*\.json$/), 'analysis-result', problems),
    monitor: readJson<MonitorResult>(dir, newest(files, /^monitor_\d{8}T\d{6}Z\.json$/), 'monitor-result', problems),
    samples,
    events,
    rollbackLog: fs.existsSync(rollbackFile) ? fs.readFileSync(rollbackFile, 'utf8') : null,
    incidents: fs.existsSync(incidentsDir)
      ? fs
          .readdirSync(incidentsDir)
          .filter((f) => f.endsWith('.md'))
          .sort()
      : [],
    problems,
  };
}
