import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../lib/errors';
import { EvidenceDir, fileTimestamp, sha256File } from '../lib/evidence';
import { renderReport } from '../lib/judge/report-markdown';
import { buildReport, type ReportEvidence, type ReportInput } from '../lib/judge/verification-report';
import { printResult, table } from '../lib/output';
import { rollbackSection } from '../lib/rollback-time';
import { problemsOf } from '../lib/schema';
import type { VerificationReport } from '../types/report';

interface ReportArgs {
  evidenceDir: string;
  plan?: string;
  operator?: string;
  json: boolean;
}

type Kind = ReportInput['kind'];

/** Which file of the folder feeds each part of the report, and the schema it must match. */
const SOURCES: { kind: Exclude<Kind, 'monitor_samples'>; pattern: RegExp; schema: string }[] = [
  { kind: 'plan', pattern: /^plan[^/]*\.json$/, schema: 'plan' },
  { kind: 'snapshot', pattern: /^pre_change_snapshot_[^/]*\.json$/, schema: 'snapshot' },
  { kind: 'verify', pattern: /^verify_[^/]*\.json$/, schema: 'verify-result' },
  // The playbook names its load test post_change_load_test.json (the runbook's name); a standalone run loadtest_<ts>.
  { kind: 'loadtest', pattern: /^(loadtest_[^/]*|post_change_load_test)\.json$/, schema: 'loadtest-result' },
  { kind: 'analysis', pattern: /^analysis_[^/]*\.json$/, schema: 'analysis-result' },
  { kind: 'monitor', pattern: /^monitor_\d{8}T\d{6}Z\.json$/, schema: 'monitor-result' },
];

/**
 * Read one evidence file through its schema. The newest file of a kind wins (names carry UTC timestamps, so
 * name order is time order). A file that does not match its schema is not used: it is reported as invalid.
 */
function readEvidence(
  dir: string,
  files: string[],
  kind: Kind,
  pattern: RegExp,
  schema: string,
  explicit?: string,
): { input: ReportInput; value: unknown } {
  const file =
    explicit ??
    files
      .filter((f) => pattern.test(f))
      .sort()
      .pop();
  if (!file) return { input: { kind, file: null, status: 'missing' }, value: null };
  const full = path.resolve(dir, file);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(full, 'utf8'));
  } catch (err) {
    return { input: { kind, file, status: 'invalid', detail: (err as Error).message }, value: null };
  }
  const problems = problemsOf(schema, raw);
  const sha256 = sha256File(full);
  if (problems.length)
    return { input: { kind, file, sha256, status: 'invalid', detail: problems.slice(0, 3).join('; ') }, value: null };
  return { input: { kind, file, sha256, status: 'used' }, value: raw };
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe:
    "Write the runbook's post-change verification report from a run's evidence (SUCCESS exit 0, ROLLBACK 1, INCOMPLETE 3)",
  builder: (y: Argv) =>
    y
      .option('evidence-dir', {
        type: 'string',
        demandOption: true,
        describe: "The run's evidence folder (snapshot, verify, loadtest, analysis, monitor)",
      })
      .option('plan', {
        type: 'string',
        describe: 'Plan file (default: plan*.json in the evidence folder); gives the change and the operator',
      })
      .option('operator', {
        type: 'string',
        describe: 'Who signs the report (default: plan, snapshot, $POOLGATE_OPERATOR, then the OS user)',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print report.json on stdout' })
      .example(
        '$0 report --evidence-dir evidence/run1',
        'Writes evidence/run1/pool_scaling_verification_<ts>.md and report.json',
      )
      .example(
        '$0 report --evidence-dir evidence/run1 --operator "A. Engineer" --json',
        'For Ansible',
      ) as unknown as Argv<ReportArgs>,
  handler: async (args) => {
    if (!fs.existsSync(args.evidenceDir)) throw new InputError(`evidence folder ${args.evidenceDir} does not exist`);
    const ev = new EvidenceDir(args.evidenceDir);
    const files = fs.readdirSync(ev.dir);
    const got: Record<string, unknown> = {};
    const inputs: ReportInput[] = [];
    for (const s of SOURCES) {
      const r = readEvidence(ev.dir, files, s.kind, s.pattern, s.schema, s.kind === 'plan' ? args.plan : undefined);
      got[s.kind] = r.value;
      inputs.push(r.input);
    }
    const samples = files.includes('monitor_samples.jsonl');
    inputs.push({
      kind: 'monitor_samples',
      file: samples ? 'monitor_samples.jsonl' : null,
      status: samples ? 'used' : 'missing',
      ...(samples ? { sha256: sha256File(path.join(ev.dir, 'monitor_samples.jsonl')) } : {}),
    });

    const e = got as Pick<ReportEvidence, 'plan' | 'snapshot' | 'verify' | 'loadtest' | 'analysis' | 'monitor'>;
    const operator =
      args.operator !== undefined
        ? { name: args.operator, source: '--operator' }
        : e.plan?.operator
          ? { name: e.plan.operator, source: 'plan' }
          : e.snapshot?.operator
            ? { name: e.snapshot.operator, source: 'pre-change snapshot' }
            : process.env.POOLGATE_OPERATOR
              ? { name: process.env.POOLGATE_OPERATOR, source: '$POOLGATE_OPERATOR' }
              : { name: `${os.userInfo().username} (OS user; no operator recorded)`, source: 'os user' };
    if (operator.name.trim() === '') throw new InputError('--operator is empty');

    const now = new Date();
    const ts = fileTimestamp(now);
    const md = `pool_scaling_verification_${ts}.md`;
    const rollback = rollbackSection(ev.dir, e.plan);
    const report: VerificationReport = buildReport({ ...e, inputs, operator, now, markdownFile: md, rollback });
    ev.writeText(md, renderReport(report));
    ev.writeJson('report.json', 'report', report);
    // The HTML report (charts) is for people and loads vega, so it is written second and lazily; failing to draw
    // it is said on stderr but does not change the decision the Markdown and report.json already record.
    const html = await import('../lib/html-report')
      .then((m) => m.writeHtmlReport(ev.dir, { now }))
      .catch((err: Error) => {
        process.stderr.write(`poolgate report: HTML report not written: ${err.message}\n`);
        return null;
      });
    printResult(args, report, () =>
      [
        `${report.decision}: ${path.join(ev.dir, md)}`,
        ...(html ? [`charts: ${html}`] : []),
        '',
        table(report.criteria.map((c) => [c.verdict, c.label, c.shown])),
      ].join('\n'),
    );
    process.exitCode = report.exit_code;
  },
};
